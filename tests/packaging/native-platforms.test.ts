import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativePlatform } from '@hearth/plugin-native';
import { REPO, cleanEnv, installProject, packAll } from './packed.js';

// A native plugin as `hearth plugin init --native` scaffolds it: a main package whose optional dependencies
// are one package per platform (npm's os/cpu/libc fields pick the one that runs here). Built, packed with
// `npm pack` and installed into a project outside the repository, as a vendor publishes it and a user gets it.

const host = nativePlatform();
const PLUGIN = '@acme/hearth-plugin-npu';
// Two platforms besides this machine's: packages that must not be installed here.
const OTHERS = ['linux-arm64-gnu', 'darwin-arm64', 'linux-x64-gnu'].filter((p) => p !== host).slice(0, 2);

let parent: string;
let project: string;

/** The vendor's first kernel: float32 add of equal shapes, in the scaffold's plugin.c. */
function addKernel(pluginC: string): string {
  const edits: [string, string][] = [
    ['static const hearth_kernel kernel_list[] = { { NULL, 0, 0 } };\nstatic const int32_t kernel_count = 0;', 'static const hearth_kernel kernel_list[] = { { "add", HEARTH_FLOAT32, 0 } };\nstatic const int32_t kernel_count = 1;'],
    ['  return fail(HEARTH_ERROR_UNSUPPORTED, "launch: not implemented yet");', '  const float *a = inputs[0].data, *b = inputs[1].data;\n  float *o = output->data;\n  for (int64_t i = 0; i < output->size; i++) o[i] = a[i] + b[i];\n  return HEARTH_OK;'],
  ];
  return edits.reduce((text, [from, to]) => {
    expect(text).toContain(from);
    return text.replace(from, to);
  }, pluginC);
}

beforeAll(() => {
  const packed = packAll(['@hearth/core', '@hearth/plugin-native']);
  parent = packed.dir;
  const init = spawnSync(process.execPath, [join(REPO, 'tools/dist/bin.js'), 'plugin', 'init', PLUGIN, '--device', 'npu', '--native', '--platforms', [host, ...OTHERS].join(',')], { cwd: parent, encoding: 'utf8' });
  expect(init.stderr).toBe('');
  const vendor = join(parent, 'hearth-plugin-npu');
  const pluginC = join(vendor, 'native/plugin.c');
  writeFileSync(pluginC, addKernel(readFileSync(pluginC, 'utf8')));
  // The vendor's build, against this repository's packages as its npm install would place them.
  mkdirSync(join(vendor, 'node_modules/@hearth'), { recursive: true });
  for (const [name, folder] of [['core', 'core'], ['plugin-native', 'plugins/native']]) symlinkSync(join(REPO, folder!), join(vendor, 'node_modules/@hearth', name!));
  symlinkSync(join(REPO, 'node_modules/@types'), join(vendor, 'node_modules/@types'));
  execFileSync(process.execPath, ['scripts/build-native.mjs'], { cwd: vendor, stdio: 'pipe' });
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: vendor, stdio: 'pipe' });
  // What the vendor publishes: the main package and every platform package (only this machine's has its library).
  const folders = ['.', ...[host, ...OTHERS].map((p) => `./platforms/${p}`)];
  const out = JSON.parse(execFileSync('npm', ['pack', ...folders, '--pack-destination', parent, '--json'], { cwd: vendor, env: cleanEnv(), encoding: 'utf8' })) as { name: string; filename: string; files: { path: string }[] }[];
  expect(out.find((p) => p.name === `${PLUGIN}-${host}`)!.files.map((f) => f.path).sort()).toEqual(['README.md', 'libnpu.so', 'package.json']);
  const tarballs = { ...packed.tarballs, ...Object.fromEntries(out.map((p) => [p.name, join(parent, p.filename)])) };
  project = installProject(parent, 'app', { [PLUGIN]: '*', '@hearth/core': '*' }, tarballs);
}, 180_000);

afterAll(() => rmSync(parent, { recursive: true, force: true }), 60_000);

/** Runs an ES module in the project; returns what it printed as JSON. */
function run(script: string): any {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, env: cleanEnv({ HEARTH_BACKENDS: '' }), encoding: 'utf8' }));
}

const PROGRAM = `
import { createHearth } from '@hearth/core';
import { plugin, library } from '${PLUGIN}';
const hearth = createHearth({ plugins: [plugin] });
const report = await hearth.ready().catch((error) => ({ error }));
if (report.error) {
  const { code, message, details } = report.error;
  console.log(JSON.stringify({ code, message, plugin: details.plugins[0].error.code }));
} else {
  const a = hearth.tensor([1.5, 2, -3, 1e30]);
  const b = hearth.tensor([0.25, 4, 3, 1e30]);
  const c = a.add(b);
  console.log(JSON.stringify({ library: library(), device: c.device, kernel: hearth.explain('add', [a, b]).kernel, value: await c.array() }));
}`;

describe('a scaffolded native plugin, packed and installed', () => {
  it("installs this platform's package and no other", () => {
    expect(existsSync(join(project, 'node_modules', `${PLUGIN}-${host}`, 'libnpu.so'))).toBe(true);
    for (const p of OTHERS) expect(existsSync(join(project, 'node_modules', `${PLUGIN}-${p}`)), p).toBe(false);
  });

  it("loads the library from its platform package and runs the vendor's kernel on the device", () => {
    const out = run(PROGRAM);
    expect(out.library).toBe(join(project, 'node_modules', `${PLUGIN}-${host}`, 'libnpu.so'));
    expect(out.device).toBe('npu:0');
    expect(out.kernel).toEqual({ plugin: PLUGIN, version: '0.1.0' });
    expect(out.value).toEqual([1.75, 6, 0, Math.fround(2e30)]);
  });

  it('without its platform package, says which package to install for this platform', () => {
    // As after an install from a lockfile written on another platform (npm/cli#4828). (--omit=optional
    // would also drop koffi's own per-platform package, so nothing native could load at all.)
    rmSync(join(project, 'node_modules', `${PLUGIN}-${host}`), { recursive: true });
    const out = run(PROGRAM);
    expect(out.code).toBe('E_NO_BACKEND'); // ready() has no device to offer, and says why
    expect(out.plugin).toBe('E_NOT_INSTALLED');
    expect(out.message).toContain(`No backend is ready: ${PLUGIN}: ${PLUGIN} needs its native library for ${host} from the package ${PLUGIN}-${host}`);
    expect(out.message).toContain(`npm i ${PLUGIN}-${host}@0.1.0`);
  });
});
