import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { quickStartRuns, type QuickStartRun } from './quick-start.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED, REPO, cleanEnv, installProject, packAll } from './packed.js';

// `npm pack` of every package, installed into projects outside the repository: what a user and a vendor get.
let parent: string;
let tarballs: Record<string, string>;

beforeAll(() => {
  ({ dir: parent, tarballs } = packAll());
}, 60_000);

afterAll(() => rmSync(parent, { recursive: true, force: true }), 60_000);

function hearth(project: string, ...args: string[]) {
  return spawnSync(join(project, 'node_modules/.bin/hearth'), args, { cwd: project, env: cleanEnv({ HEARTH_BACKENDS: '' }), encoding: 'utf8' });
}

describe('every package, packed and installed into an empty project', () => {
  let project: string;
  beforeAll(() => {
    project = installProject(parent, 'user', Object.fromEntries(Object.keys(PUBLISHED).map((n) => [n, '*'])), tarballs);
  }, 120_000);

  it('imports as ESM from dist/ (no source condition) and computes', () => {
    const script = `
      import { createHearth } from '@hearth/core';
      import { cpuPlugin } from '@hearth/plugin-cpu';
      import { runConformance } from '@hearth/conformance';
      import { buildProgram } from '@hearth/cli';
      import { loadPolicyFile } from '@hearth/governance';
      import { webgpuPlugin } from '@hearth/plugin-webgpu';
      const resolved = ${JSON.stringify(Object.keys(PUBLISHED))}.map((n) => import.meta.resolve(n));
      const h = createHearth({ plugins: [cpuPlugin] });
      await h.ready();
      const x = h.tensor([[1, 2], [3, 4]]);
      console.log(JSON.stringify({ resolved, y: await x.matmul(x).array(), fns: [runConformance, buildProgram, loadPolicyFile].map((f) => typeof f), webgpu: webgpuPlugin.manifest.deviceTypes }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' })) as {
      resolved: string[]; y: number[][]; fns: string[]; webgpu: string[];
    };
    for (const url of out.resolved) expect(url).toMatch(new RegExp(`^file://${project}/node_modules/@hearth/[a-z-]+/dist/index\\.js$`));
    // The browser bundle ships in the core's package, with its source map.
    for (const file of ['hearth.js', 'hearth.js.map', 'hearth.d.ts']) expect(existsSync(join(project, 'node_modules/@hearth/core/dist/browser', file)), file).toBe(true);
    expect(out.y).toEqual([[7, 10], [15, 22]]);
    expect(out.fns).toEqual(['function', 'function', 'function']);
    expect(out.webgpu).toEqual(['webgpu']);
  });

  it('type-checks a TypeScript consumer against the published declarations', () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], strict: true, noEmit: true, typeRoots: [join(REPO, 'node_modules/@types')], types: ['node'] },
      files: ['consumer.ts'],
    }));
    writeFileSync(join(project, 'consumer.ts'), `
      import { createHearth, type HearthPlugin, type Tensor } from '@hearth/core';
      import { cpuPlugin } from '@hearth/plugin-cpu';
      import { runConformance, type RunResult } from '@hearth/conformance';
      const plugin: HearthPlugin = cpuPlugin;
      const h = createHearth({ plugins: [plugin] });
      const t: Tensor = h.tensor([1, 2], { dtype: 'float32' });
      // @ts-expect-error: the declarations are real types, not any: 'float17' is no dtype
      h.tensor([1], { dtype: 'float17' });
      export const run: Promise<RunResult> = runConformance({ plugin, queries: ['hearth:op,add:*'] });
      export { t };
      // The browser bundle's declarations: the core's, with the two plugins it carries.
      import * as browser from '@hearth/core/browser';
      export const inBrowser: HearthPlugin[] = [browser.cpuPlugin, browser.wasmPlugin];
      export const page: Tensor = browser.createHearth({ plugins: inBrowser }).tensor([1]);
    `);
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('installs the hearth binary, which finds the installed backends', () => {
    const r = hearth(project, 'backends', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ backend: 'cpu', status: 'ready' }));
  });
});

describe("the quick start's program in a new project, as its user runs it", () => {
  // The same project (every package packed and installed): no second pack or install.
  let project: string;
  beforeAll(() => {
    project = join(parent, 'user');
  });

  /** The quick start's program in the project, under `env` (HEARTH_BACKENDS and HEARTH_FALLBACK unset unless given). */
  function quickStart(env: Record<string, string>, partial = false): QuickStartRun & { stderr: string } {
    const base = cleanEnv(env);
    for (const k of ['HEARTH_BACKENDS', 'HEARTH_FALLBACK', 'HEARTH_BACKENDS_EXCLUSIVE'] as const) if (!(k in env)) delete base[k];
    const r = spawnSync(process.execPath, [quickStartRuns.write(project, partial)], { cwd: project, env: base, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return { ...(JSON.parse(r.stdout) as QuickStartRun), stderr: r.stderr };
  }

  it('gets the same answers with HEARTH_BACKENDS unset (wasm, by priority), wasm and cpu; a tensor made on cpu:0 by name works under each', () => {
    for (const [env, device] of [[{}, 'wasm:0'], [{ HEARTH_BACKENDS: 'wasm' }, 'wasm:0'], [{ HEARTH_BACKENDS: 'cpu' }, 'cpu:0']] as const) {
      const run = quickStart(env);
      expect(run.defaultDevice, JSON.stringify(env)).toBe(device);
      expect(run.results.map((r) => r.device)).toEqual([device, device, 'cpu:0']);
      quickStartRuns.expectAnswers(run);
      expect(run.stderr).toBe('');
    }
  });

  it("gets the same answers with a partial plugin (matmul only) first, under the default fallback policy: each missing op warned once and counted", () => {
    const run = quickStart({ HEARTH_BACKENDS: 'npu,cpu' }, true);
    expect(run.defaultDevice).toBe('npu:0');
    expect(run.results.map((r) => r.device)).toEqual(['npu:0', 'npu:0', 'cpu:0']);
    quickStartRuns.expectAnswers(run);
    // matmul ran on the npu; add and relu fell back to cpu:0, once per call, and warned once per (op, device).
    expect(run.fallbacksByOp).toEqual({ 'add(float32) npu:0 -> cpu:0': 2, 'relu(float32) npu:0 -> cpu:0': 2 });
    expect(run.stderr.match(/^hearth warning \[E_NO_KERNEL\]/gm)).toHaveLength(2);
  });
});

describe("the vendor's light path: npm i -D @hearth/cli @hearth/conformance", () => {
  let project: string;
  beforeAll(() => {
    // The vendor's own plugin is the one thing besides the tools; the CPU plugin stands in for it.
    project = installProject(parent, 'vendor', { '@hearth/cli': '*', '@hearth/conformance': '*', '@hearth/plugin-cpu': '*' }, tarballs, true);
  }, 120_000);

  it('pulls neither WebGPU (Dawn) nor governance (octokit)', () => {
    for (const heavy of ['webgpu', '@octokit', '@hearth/plugin-webgpu', '@hearth/governance']) expect(existsSync(join(project, 'node_modules', heavy)), heavy).toBe(false);
  });

  it('brings no backend of its own, so adding the CLI never changes which backend a program runs on', () => {
    for (const backend of ['@hearth/plugin-wasm', '@hearth/plugin-native', '@hearth/plugin-cuda']) expect(existsSync(join(project, 'node_modules', backend)), backend).toBe(false);
    const r = hearth(project, 'backends', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).map((b: { backend: string }) => b.backend)).toEqual(['cpu']);
  });

  it('runs the conformance suite from the hearth binary', () => {
    const r = hearth(project, 'conformance', '--plugin', '@hearth/plugin-cpu', '--query', 'hearth:op,add:*');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Verdict: PASS/);
    expect(r.status).toBe(0);
  });

  it('says how to install governance when a governance command is asked for', () => {
    const r = hearth(project, 'governance', 'check', 'governance.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('hearth governance needs @hearth/governance, which is not installed');
    expect(r.stderr).toContain('npm i -D @hearth/governance');
    expect(r.stderr).toContain('[E_NOT_INSTALLED]');
  });

  it('keeps the registry commands that need no GitHub, and says how to get the ones that do', () => {
    const key = hearth(project, 'registry', 'keygen', '--name', 'Vendor CI', '--out', join(parent, 'keys', 'ci.key.json')); // outside the package, as keygen requires
    expect(key.status).toBe(0);
    const r = hearth(project, 'registry', 'submit', 'bundle');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('hearth registry submit needs @hearth/governance, which is not installed');
  });
});
