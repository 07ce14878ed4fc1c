import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DTYPES, OPSET_V1, isHearthError } from '@hearth/core';
import { computeDtypes, getProfile } from '@hearth/conformance';
import { nativePlatform } from '@hearth/plugin-native';
import { scaffoldPlugin, writeScaffold } from './index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'tools/dist/bin.js');

/** Runs the built `hearth` in `cwd`. */
function hearth(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HEARTH_BACKENDS: '' } });
}

/** Links this repository's built packages into a scaffolded plugin, as `npm install` would install them. */
function linkHearth(dir: string): void {
  mkdirSync(join(dir, 'node_modules/@hearth'), { recursive: true });
  for (const [name, folder] of [['core', 'core'], ['cli', 'tools'], ['conformance', 'tests/conformance']]) symlinkSync(join(REPO, folder!), join(dir, 'node_modules/@hearth', name!));
}

function tsc(dir: string) {
  return spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
}

describe('hearth plugin init', () => {
  let parent: string;
  let dir: string;
  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'hearth-init-'));
    const r = hearth(parent, 'plugin', 'init', '@acme/hearth-plugin-npu', '--device', 'npu', '--contact', 'npu@acme.example');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    dir = join(parent, 'hearth-plugin-npu');
  });

  it('writes a package with the hearth manifest, ESM exports and a conformance test', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@acme/hearth-plugin-npu',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      hearth: { entry: './dist/index.js', deviceTypes: ['npu'], coreApi: '^1.0.0', opset: 1, profiles: ['core'], vendor: 'acme', contact: 'npu@acme.example' },
      peerDependencies: { '@hearth/core': '^1.0.0' },
    });
    expect(pkg.scripts.test).toBe('npm run build && hearth conformance --plugin ./dist/index.js --device npu');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/## What to do next\n\n1\. `npm install`, then `npm test`/);
  });

  it('writes a workflow that certifies and keeps the report folder', () => {
    const wf = parse(readFileSync(join(dir, '.github/workflows/certify.yml'), 'utf8'));
    const steps = wf.jobs.certify.steps as { run?: string; uses?: string; with?: Record<string, unknown> }[];
    expect(steps.map((s) => s.run).slice(2, 4)).toEqual(['npm ci', 'npm run build']);
    const certify = steps.find((s) => s.run?.includes('hearth conformance'))!;
    expect(certify.run).toContain('npx hearth conformance --plugin ./dist/index.js --device npu --certify --report reports/certify "$@"');
    expect(certify.run).toContain('set -- --sign-key "$RUNNER_TEMP/signer.key.json" --bundle reports/certify/bundle');
    expect((certify as { env?: Record<string, string> }).env).toEqual({ HEARTH_SIGN_KEY: '${{ secrets.HEARTH_SIGN_KEY }}' });
    expect(steps.at(-1)).toMatchObject({ uses: 'actions/upload-artifact@v4', if: 'always()', with: { path: 'reports/certify' } });
  });

  it("builds, and its first conformance run fails with the list of what is missing, not a stack trace", () => {
    linkHearth(dir);
    const build = tsc(dir);
    expect(build.stdout + build.stderr).toBe('');
    const r = hearth(dir, 'conformance', '--plugin', './dist/index.js', '--device', 'npu');
    const out = r.stdout + r.stderr;
    expect(r.status).toBe(1);
    expect(out).not.toMatch(/^\s+at /m);
    const core = getProfile('core');
    const pairs = OPSET_V1.reduce((n, op) => n + computeDtypes(op).filter((d) => core.dtypes.includes(d) && DTYPES.includes(d)).length, 0);
    expect(out).toContain(`Missing: ${pairs} (op, dtype) pair(s) the core profile requires.`);
    expect(out).toMatch(/^ {2}float32: +exp log sqrt/m);
    // The device itself works: its life-cycle checks pass before any kernel exists.
    expect(out).toMatch(/cases in [\d.]+ s: \d+ pass, \d+ not-supported(, \d+ skip)?\n/); // skips: ops newer than the opset it declares
    expect(out).toMatch(/Verdict: FAIL/);
  });

  it('certifies for core-partial once it declares a kernel', () => {
    writeFileSync(join(dir, 'src/kernels.ts'), `
      import type { KernelSpec } from '@hearth/core';
      import type { NpuBackend, NpuStorage } from './backend.js';
      const data = (t: { storage: unknown }) => (t.storage as NpuStorage).data;
      export const KERNELS: KernelSpec<NpuBackend>[] = [
        { op: 'neg', device: 'npu', dtypes: ['float32'], run([x], out) { const a = data(x!), o = data(out); for (let i = 0; i < o.length; i++) o[i] = -a[i]!; } },
      ];
    `);
    expect(tsc(dir).stdout).toBe('');
    const r = hearth(dir, 'conformance', '--plugin', './dist/index.js', '--device', 'npu', '--profile', 'core-partial');
    expect(r.stdout).toMatch(/Verdict: PASS/);
    expect(r.stdout).toMatch(/Not declared by npu: \d+ \(op, dtype\) pair/);
    expect(r.status).toBe(0);
  });

  it('refuses a bad name, a bad device type and a folder in use, writing nothing', () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isHearthError(e, 'E_ARG') ? e.message : e;
      }
      return 'no error';
    };
    expect(bad(() => scaffoldPlugin({ name: 'Acme NPU', device: 'npu' }, '1.0.0'))).toMatch(/"Acme NPU" is not a valid npm package name/);
    expect(bad(() => scaffoldPlugin({ name: 'acme-npu', device: 'NPU!' }, '1.0.0'))).toMatch(/--device "NPU!" is not a device type/);
    expect(bad(() => scaffoldPlugin({ name: 'acme-npu', device: 'npu', native: true, platforms: ['linux-x64-gnu', 'win95-x86'] }, '1.0.0'))).toMatch(/--platforms "win95-x86" is not a platform the scaffold builds for: choose from linux-x64-gnu, /);
    expect(bad(() => scaffoldPlugin({ name: 'acme-npu', device: 'npu', platforms: ['linux-x64-gnu'] }, '1.0.0'))).toMatch(/--platforms is for native plugins/);
    expect(bad(() => writeScaffold(dir, scaffoldPlugin({ name: 'acme-npu', device: 'npu' }, '1.0.0')))).toMatch(/already exists and is not empty/);
    const r = hearth(parent, 'plugin', 'init', 'acme-x', '--device', 'Bad Type');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hearth: --device "Bad Type" is not a device type.*\[E_ARG\]\n$/);
  });
});

describe('hearth plugin init --native', () => {
  it('writes a C skeleton on hearth_plugin.h that builds, loads through the C ABI, and lists what is missing', () => {
    const parent = mkdtempSync(join(tmpdir(), 'hearth-init-native-'));
    // The default platforms, plus this machine's (the test also runs on arm64 and musl machines).
    const init = hearth(parent, 'plugin', 'init', '@acme/hearth-plugin-npu', '--device', 'npu', '--native', '--platforms', `linux-x64-gnu,linux-arm64-gnu,${nativePlatform()}`);
    expect(init.status).toBe(0);
    const dir = join(parent, 'hearth-plugin-npu');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      hearth: { entry: './dist/index.js', deviceTypes: ['npu'] },
      dependencies: { '@hearth/plugin-native': '^1.0.0' },
      optionalDependencies: { '@acme/hearth-plugin-npu-linux-x64-gnu': '0.1.0', '@acme/hearth-plugin-npu-linux-arm64-gnu': '0.1.0' },
      files: ['dist', 'native'],
    });
    expect(pkg.hearth.nativeLibrary).toBeUndefined(); // the library is in the platform packages
    expect(pkg.scripts.build).toBe('node scripts/build-native.mjs && tsc -p .');
    const platform = (x: string) => JSON.parse(readFileSync(join(dir, 'platforms', x, 'package.json'), 'utf8'));
    expect(platform('linux-x64-gnu')).toMatchObject({ name: '@acme/hearth-plugin-npu-linux-x64-gnu', version: '0.1.0', os: ['linux'], cpu: ['x64'], libc: ['glibc'], files: ['libnpu.so'] });
    expect(platform('linux-arm64-gnu')).toMatchObject({ os: ['linux'], cpu: ['arm64'], libc: ['glibc'] });
    expect(platform('linux-x64-gnu').hearth).toBeUndefined(); // discovery must not take a platform package for a plugin
    // The release: each platform built and tested on its own runner, then the platform packages published before the main one.
    const release = parse(readFileSync(join(dir, '.github/workflows/release.yml'), 'utf8'));
    expect(release.jobs.build.strategy.matrix.include.slice(0, 2)).toEqual([{ platform: 'linux-x64-gnu', runner: 'ubuntu-latest' }, { platform: 'linux-arm64-gnu', runner: 'ubuntu-24.04-arm' }]);
    expect(release.jobs.build.steps.map((s: { run?: string }) => s.run)).toContain('npm test');
    expect(release.jobs.publish.needs).toBe('build');
    expect(release.jobs.publish.steps.at(-1).run).toMatch(/^for dir in platforms\/\*\/; do npm publish "\.\/\$dir" --access public; done\nnpm publish --access public\n$/);
    linkHearth(dir);
    symlinkSync(join(REPO, 'plugins/native'), join(dir, 'node_modules/@hearth/plugin-native'));
    symlinkSync(join(REPO, 'node_modules/@types'), join(dir, 'node_modules/@types'));
    const make = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(make.stdout + make.stderr).toBe('');
    expect(existsSync(join(dir, 'platforms', nativePlatform(), 'libnpu.so'))).toBe(true);
    expect(tsc(dir).stdout).toBe('');
    const r = hearth(dir, 'conformance', '--plugin', './dist/index.js', '--device', 'npu');
    expect(r.stdout).toMatch(/^hearth conformance [\d.]+: @acme\/hearth-plugin-npu@0\.1\.0 on npu:0/m);
    expect(r.stdout).toMatch(/^Missing: \d+ \(op, dtype\) pair\(s\) the core profile requires\./m);
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(1);
  });
});
