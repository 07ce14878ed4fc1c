import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED, REPO, cleanEnv, installProject, packAll } from './packed.js';

// `npm pack` of every package, installed into projects outside the repository: what a user and a vendor get.
let parent: string;
let tarballs: Record<string, string>;

beforeAll(() => {
  ({ dir: parent, tarballs } = packAll());
}, 60_000);

afterAll(() => rmSync(parent, { recursive: true, force: true }));

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
