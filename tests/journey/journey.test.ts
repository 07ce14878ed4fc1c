import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../governance/src/testing/github-server.js';
import { fakeRepo } from '../../governance/src/testing/github-repo.js';
import { cleanEnv, installProject, packAll } from '../packaging/packed.js';

// The vendor's journey, outside the repository, with packed packages: scaffold a plugin for a new device
// type, give it kernels, install it, certify it (complete and partial) into signed bundles, submit them to
// the registry on a GitHub-compatible server, let the bot check them, index them, build the registry site,
// and select the device from a user program. A broken plugin stops at the step that catches it.

let parent: string;
let tarballs: Record<string, string>;
const servers: FakeGitHub[] = [];

/** What a command did. */
interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together. */
  readonly out: string;
}

/**
 * Runs a command in `cwd` with npm's and Hearth's variables cleared. Asynchronous: the GitHub-compatible
 * server the command talks to runs in this process.
 */
function sh(cwd: string, cmd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv({ HEARTH_BACKENDS: '', HEARTH_PLUGINS: '', HEARTH_AUTOLOAD: '', ...env }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr, out: stdout + stderr }));
  });
}

/** The `hearth` command a project installed. */
const hearth = (project: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> => sh(project, join(project, 'node_modules/.bin/hearth'), args, env);

/** The kernels the test gives a plugin: the reference CPU kernels for `ops` (all when omitted), on the plugin's device. */
function kernelsTs(device: string, backend: string, ops?: readonly string[], broken = false): string {
  const picked = ops ? `CPU_KERNELS.filter((k) => ${JSON.stringify(ops)}.includes(k.op))` : 'CPU_KERNELS';
  // The broken variant scales float32 add results by 1 + 2^-20: off by a few ULP, as a fused or reordered kernel might be.
  const breakAdd = broken
    ? `.map((k) => (k.op !== 'add' ? k : { ...k, run(inputs, out, attrs, ctx) { k.run(inputs, out, attrs, ctx as never); const o = (out.storage as unknown as { data: Float32Array }).data; if (out.dtype === 'float32') for (let i = 0; i < o.length; i++) o[i] = o[i]! * (1 + 2 ** -20); } }))`
    : '';
  return `import type { KernelSpec } from '@hearth/core';
import { CPU_KERNELS } from '@hearth/plugin-cpu';
import type { ${backend} } from './backend.js';
export const KERNELS: KernelSpec<${backend}>[] = ${picked}.map((k) => ({ ...k, device: ${JSON.stringify(device)} }))${breakAdd};
`;
}

/** Scaffolds, installs and builds a vendor plugin with the given kernels; returns its folder. */
async function vendorPlugin(tools: string, name: string, device: string, backend: string, ops?: readonly string[]): Promise<string> {
  const init = await hearth(tools, ['plugin', 'init', name, '--device', device, '--contact', `${device}@acme.example`, '--dir', join(parent, device)]);
  expect(init.out).toContain(`Wrote ${name} (device type ${device})`);
  const dir = join(parent, device);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // The packed Hearth packages stand in for the registry's; the test's kernels come from the CPU plugin.
  pkg.dependencies = { '@hearth/plugin-cpu': `file:${tarballs['@hearth/plugin-cpu']}` };
  for (const dep of ['@hearth/cli', '@hearth/conformance', '@hearth/core', '@hearth/registry']) pkg.devDependencies[dep] = `file:${tarballs[dep]}`;
  pkg.overrides = Object.fromEntries(Object.entries(tarballs).map(([n, t]) => [n, `file:${t}`]));
  if (ops) pkg.hearth.profiles = ['core-partial'];
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'src/kernels.ts'), kernelsTs(device, backend, ops));
  const install = await sh(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  expect(install.status, install.out).toBe(0);
  const build = await sh(dir, 'npm', ['run', 'build']);
  expect(build.status, build.out).toBe(0);
  return dir;
}

const packed = new Map<string, Promise<string>>();
/** `npm pack` of a built plugin, once per folder: the user installs the tarball that was certified. Returns the tarball. */
function pack(dir: string): Promise<string> {
  const tgz = packed.get(dir) ?? sh(dir, 'npm', ['pack', '--pack-destination', parent, '--json']).then((r) => join(parent, (JSON.parse(r.stdout) as { filename: string }[])[0]!.filename));
  packed.set(dir, tgz);
  return tgz;
}

let tools: string;
let npu: string;
let mxu: string;
let key: string;

beforeAll(async () => {
  ({ dir: parent, tarballs } = packAll());
  // Submitting to the registry goes through GitHub: that needs @hearth/governance (its one octokit set-up).
  tools = installProject(parent, 'vendor-tools', { '@hearth/cli': '*', '@hearth/conformance': '*', '@hearth/registry': '*', '@hearth/governance': '*' }, tarballs, true);
  npu = await vendorPlugin(tools, '@acme/hearth-plugin-npu', 'npu', 'NpuBackend');
  mxu = await vendorPlugin(tools, '@acme/hearth-plugin-mxu', 'mxu', 'MxuBackend', ['matmul', 'add']);
  key = join(parent, 'acme-ci.key.json');
  expect((await hearth(tools, ['registry', 'keygen', '--name', 'ACME CI', '--out', key])).status).toBe(0);
}, 300_000);

/** A registry repository on a GitHub-compatible server on 127.0.0.1; returns the environment `hearth registry` reads. */
async function registryRepo(): Promise<Record<string, string>> {
  const repo = fakeRepo('hearth', 'registry', { 'README.md': '# registry\n' });
  const pull = { number: 1, author: 'x', headSha: 'abc', createdAt: '2026-01-01T00:00:00Z', labels: [], files: [], reviews: [], comments: [] };
  const server = await startFakeGitHub('hearth', 'registry', pull, {}, 30, undefined, [repo.route]);
  servers.push(server);
  return { GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'hearth/registry', GITHUB_API_URL: server.url };
}

afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(parent, { recursive: true, force: true });
}, 60_000);

describe("a vendor's journey, outside the repository", () => {
  it('scaffolds, certifies (complete and partial) into signed bundles, submits, passes the bot, is indexed and listed', async () => {
    const github = await registryRepo();
    const index = join(parent, 'index');
    expect((await hearth(tools, ['registry', 'index', 'init', index, '--signer', key.replace(/\.key\.json$/, '.pub.json'), '--packages', '*', '--device-types', 'npu', 'mxu'])).status).toBe(0);
    for (const [dir, device, profile] of [[npu, 'npu', 'core'], [mxu, 'mxu', 'core-partial']] as const) {
      const tgz = await pack(dir);
      const bundle = join(parent, `bundle-${device}`);
      const cert = await hearth(dir, ['conformance', '--plugin', './dist/index.js', '--device', device, '--profile', profile, '--certify', '--sign-key', key, '--bundle', bundle, '--package', tgz]);
      expect(cert.out).toMatch(/Verdict: PASS/);
      expect(cert.out).toContain(`Certification bundle: ${bundle}`);
      const submit = await hearth(tools, ['registry', 'submit', bundle], github);
      expect(submit.out).toMatch(/^Opened #(\d+): /m);
      const pr = /^Opened #(\d+)/m.exec(submit.out)![1]!;
      const check = await hearth(tools, ['registry', 'check-pr', '--pr', pr, '--index', index], github);
      expect(check.out).toMatch(/Check run \d+: success/);
      expect(check.status).toBe(0);
      const add = await hearth(tools, ['registry', 'index', 'add', index, bundle, '--package', tgz]);
      expect(add.out).toMatch(/1 version\(s\) in the index/);
    }
    const entries = readdirSync(join(index, 'plugins')).map((f) => JSON.parse(readFileSync(join(index, 'plugins', f), 'utf8')));
    expect(entries.map((e) => [e.name, e.versions[0].certifications.map((c: { profile: string; deviceType: string }) => `${c.deviceType}:${c.profile}`)]).sort()).toEqual([
      ['@acme/hearth-plugin-mxu', ['mxu:core-partial']],
      ['@acme/hearth-plugin-npu', ['npu:core']],
    ]);
    const site = join(parent, 'site');
    expect((await hearth(tools, ['registry', 'site', index, site])).status).toBe(0);
    const page = readFileSync(join(site, 'index.html'), 'utf8');
    expect(page).toContain('@acme/hearth-plugin-npu');
    expect(page).toContain('@acme/hearth-plugin-mxu');
    expect(page).toContain('core-partial');
    // The partial plugin's page shows its coverage: its pairs pass, the rest are not supported.
    const mxuPage = readFileSync(join(site, 'plugins/acme__hearth-plugin-mxu.html'), 'utf8');
    expect(mxuPage).toContain('title="matmul float32: pass"');
    expect(mxuPage).toContain('title="exp float32: not-supported"');
  }, 240_000);
});

describe('a user program selects the device with HEARTH_BACKENDS', () => {
  let app: string;
  beforeAll(async () => {
    app = installProject(parent, 'app', { '@hearth/core': '*', '@hearth/plugin-cpu': '*', '@hearth/registry': '*', '@hearth/cli': '*', '@acme/hearth-plugin-npu': `file:${await pack(npu)}`, '@acme/hearth-plugin-mxu': `file:${await pack(mxu)}` }, tarballs);
    writeFileSync(
      join(app, 'app.mjs'),
      `import { createHearth } from '@hearth/core';
import { loadInstalledPlugins } from '@hearth/registry';
const { plugins, failures } = await loadInstalledPlugins();
const hearth = createHearth({ plugins: plugins.map((p) => p.plugin), fallback: 'allow' });
const ready = await hearth.ready();
const fallbacks = [];
hearth.on('fallback', (e) => fallbacks.push(\`\${e.op}(\${e.dtype}) \${e.from} -> \${e.to}\`));
const a = hearth.tensor([[1, 2, 3], [4, 5, 6]]);
const b = hearth.tensor([[0.5, -1], [2, 0.25], [-3, 4]]);
const y = a.matmul(b).add(1);
const z = y.exp().sum();
const i = hearth.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
console.log(JSON.stringify({ device: ready.devices[0].name, y: { device: y.device, values: await y.array() }, z: await z.array(), i: await i.matmul(i).add(i).array(), fallbacks, failures: failures.map((f) => f.error.message) }));
`,
    );
  }, 120_000);

  const runApp = async (backends: string) => {
    const r = await sh(app, process.execPath, ['app.mjs'], { HEARTH_BACKENDS: backends });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout) as { device: string; y: { device: string; values: number[][] }; z: number; i: number[][]; fallbacks: string[]; failures: string[] };
  };

  it('finds both plugins with no configuration', async () => {
    const listed = JSON.parse((await hearth(app, ['backends', '--json'])).stdout) as { backend: string; plugin: string; status: string }[];
    expect(listed).toEqual(expect.arrayContaining([
      expect.objectContaining({ backend: 'npu', plugin: '@acme/hearth-plugin-npu', status: 'ready' }),
      expect.objectContaining({ backend: 'mxu', plugin: '@acme/hearth-plugin-mxu', status: 'ready' }),
      expect.objectContaining({ backend: 'cpu', status: 'ready' }),
    ]));
  });

  it('gets the CPU plugin\'s results on the complete plugin, and on the partial one with its missing ops on the CPU', async () => {
    const cpu = await runApp('cpu');
    expect(cpu).toMatchObject({ device: 'cpu:0', y: { device: 'cpu:0', values: [[-3.5, 12.5], [-5, 22.25]] }, fallbacks: [], failures: [] });
    const onNpu = await runApp('npu,cpu');
    expect(onNpu).toEqual({ ...cpu, device: 'npu:0', y: { ...cpu.y, device: 'npu:0' } });
    const onMxu = await runApp('mxu,cpu');
    expect(onMxu).toEqual({ ...cpu, device: 'mxu:0', y: { ...cpu.y, device: 'mxu:0' }, fallbacks: ['exp(float32) mxu:0 -> cpu:0', 'sum(float32) mxu:0 -> cpu:0'] });
  });
});

describe('a broken vendor plugin stops at the step that catches it, with what to do', () => {
  it('a wrong kernel: certification fails naming the case and the command that reruns it, and writes no bundle', async () => {
    const dir = join(parent, 'npu-broken');
    cpSync(npu, dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
    symlinkSync(join(npu, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'src/kernels.ts'), kernelsTs('npu', 'NpuBackend', undefined, true));
    expect((await sh(dir, 'npm', ['run', 'build'])).status).toBe(0);
    const bundle = join(parent, 'bundle-broken');
    const cert = await hearth(dir, ['conformance', '--plugin', './dist/index.js', '--device', 'npu', '--certify', '--sign-key', key, '--bundle', bundle]);
    expect(cert.status).toBe(1);
    expect(cert.out).toMatch(/^FAIL hearth:op,add:dtype=float32;case=basic$/m);
    expect(cert.out).toContain("rerun: hearth conformance --plugin './dist/index.js' --device npu --profile core --query 'hearth:op,add:dtype=float32;case=basic'");
    expect(cert.out).toContain('No certification bundle: the run did not pass.');
    expect(existsSync(bundle)).toBe(false);
  }, 120_000); // builds the plugin and runs a whole certification in a child process

  it('a bundle changed after certification: the registry bot fails the pull request at the hashes check', async () => {
    const github = await registryRepo();
    const bundle = join(parent, 'bundle-npu-edited');
    cpSync(join(parent, 'bundle-npu'), bundle, { recursive: true });
    const results = join(bundle, 'results.json');
    writeFileSync(results, readFileSync(results, 'utf8').replace('"status": "pass"', '"status": "skip"'));
    await hearth(tools, ['registry', 'index', 'init', join(parent, 'index-2'), '--signer', key.replace(/\.key\.json$/, '.pub.json'), '--packages', '*', '--device-types', '*']);
    const submit = await hearth(tools, ['registry', 'submit', bundle, '--base', 'main'], github);
    const pr = /^Opened #(\d+)/m.exec(submit.out)?.[1];
    expect(pr, submit.out).toBeDefined();
    const check = await hearth(tools, ['registry', 'check-pr', '--pr', pr!, '--index', join(parent, 'index-2')], github);
    expect(check.status).toBe(1);
    expect(check.out).toMatch(/✗ hashes: /);
    expect(check.out).toMatch(/Check run \d+: failure/);
  }, 120_000); // the bot's rerun is a whole certification run
});
