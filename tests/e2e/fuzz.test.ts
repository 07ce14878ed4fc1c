import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastShapes, sizeOf } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { plugin as nativePlugin } from '@hearth/plugin-native';
import { fuzzPlugins, readRepro } from '@hearth/conformance';

const ROOT = new URL('../../', import.meta.url).pathname;
const hearth = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'tools/dist/bin.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

// The CLI runs built code.
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tools'], { cwd: ROOT });
}, 180_000);

describe('hearth fuzz: the fast plugins agree with the reference CPU plugin on random programs (fixed seed, bounded)', () => {
  it.each([
    ['wasm', wasmPlugin],
    ['native', nativePlugin],
  ] as const)('%s', async (_name, plugin) => {
    const r = await fuzzPlugins({ plugin, against: cpuPlugin, seed: 2026, maxPrograms: 300, timeMs: 60_000 });
    expect(r.disagreement?.repro.found).toBeUndefined();
    expect(r.programs).toBe(300);
    expect(r.calls).toBeGreaterThanOrEqual(300);
    expect(r.pairs.length).toBeGreaterThan(50);
  }, 120_000);
});

describe('hearth fuzz finds a broken plugin and shrinks the disagreement to a repro that hearth conformance reruns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'));
  const broken = join(dir, 'broken.mjs');
  // A vectorised mul whose tail (every element past the 8th) is off by one: a fast path's remainder loop.
  writeFileSync(
    broken,
    `import { CPU_KERNELS, createCpuPlugin } from ${JSON.stringify(pathToFileURL(join(ROOT, 'plugins/cpu/dist/index.js')).href)};
export default createCpuPlugin({ name: '@broken/mul-tail', kernels: CPU_KERNELS.map((k) => k.op !== 'mul' ? k : { ...k, run(i, out, a, ctx) {
  k.run(i, out, a, ctx);
  const d = out.storage.data;
  if (d instanceof Float32Array) for (let j = 8; j < d.length; j++) d[j] += 1;
} }) });
`,
  );
  const repro = join(dir, 'repro.json');

  it('finds it, shrinks it to one mul call past the 8th element, and writes the reproduction', () => {
    const run = hearth(['fuzz', '--plugin', broken, '--seed', '11', '--programs', '2000', '--time', '120s', '--op', 'mul', '--op', 'add', '--out', repro]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/programs \(\d+ calls on each plugin\) in [\d.]+ s: [\d.]+ programs\/s over 6 \(op, dtype\) pairs/);
    expect(run.stdout).toMatch(/Disagreement, shrunk [1-9]\d* time\(s\) to 1 call\(s\): mul: @broken\/mul-tail fail \(.*\), @hearth\/plugin-cpu pass/);
    expect(run.stdout).toContain(`rerun: hearth conformance --plugin ${broken} --repro ${repro}`);
    const r = readRepro(repro);
    expect(r).toMatchObject({ format: 'hearth-repro', version: 1, plugin: '@broken/mul-tail', against: '@hearth/plugin-cpu', seed: 11 });
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.op).toBe('mul');
    // The bug needs a 9th output element; shrinking keeps one (how close it gets to 9 is fast-check's business).
    expect(sizeOf(broadcastShapes(r.calls[0]!.inputs[0]!.shape, r.calls[0]!.inputs[1]!.shape))).toBeGreaterThan(8);
    expect(JSON.parse(readFileSync(repro, 'utf8')).calls[0].inputs[0].dtype).toBe('float32');
  }, 180_000);

  it('hearth conformance --repro reruns it: the broken plugin fails, the CPU plugin passes', () => {
    const bad = hearth(['conformance', '--plugin', broken, '--repro', repro]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/hearth:repro,mul:dtype=float32;case=call-1/);
    expect(bad.stdout).toMatch(/Verdict: FAIL/);
    const good = hearth(['conformance', '--plugin', '@hearth/plugin-cpu', '--repro', repro]);
    expect(good.stdout).toMatch(/1 cases in [\d.]+ s: 1 pass/);
    expect(good.status).toBe(0);
  }, 60_000);

  it('a reproduction that is not one is refused with the path of the problem', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ op: 'add', attrs: {}, inputs: [{ dtype: 'int32', shape: [2], data: [1, 2.5] }, { dtype: 'int32', shape: [3], data: [1, 2, 3] }] }));
    const run = hearth(['conformance', '--plugin', '@hearth/plugin-cpu', '--repro', bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${bad}#/inputs/0/data/1: 2.5 is not a int32 value.`);
  });
});
