import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type DisagreementEvent } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';

const ROOT = new URL('../../', import.meta.url).pathname;
const url = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);

// The user programs below run built code.
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'core', 'plugins/cpu', 'plugins/wasm'], { cwd: ROOT });
}, 180_000);

interface ProgramOutput {
  sum: number[];
  events: DisagreementEvent[];
  stats: { sampled: number; checked: number; disagreements: number };
}

/** Runs `body` as a user's own program (`node app.mjs`, no test runner around it) and parses what it prints. */
function userProgram(body: string, env: Record<string, string> = {}): ProgramOutput {
  const dir = mkdtempSync(join(tmpdir(), 'app-'));
  const file = join(dir, 'app.mjs');
  writeFileSync(
    file,
    `import { createHearth } from ${url('core/dist/index.js')};
import { cpuPlugin } from ${url('plugins/cpu/dist/index.js')};
import { wasmPlugin } from ${url('plugins/wasm/dist/index.js')};
import { cheating } from ${url('tests/conformance/test/cheats/cheat.mjs')};
${body}
await h.ready();
const events = [];
h.on('disagreement', (e) => events.push(e));
const sum = Array.from(await h.add(h.tensor([1, 2, 3]), h.tensor([10, 20, 30])).data());
const stats = await h.verified();
console.log(JSON.stringify({ sum, events, stats }));
await h.dispose();
`,
  );
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } })) as ProgramOutput;
}

describe('field checks: a plugin that behaves only under test is caught in a user program', () => {
  it.each(['ipc', 'argv', 'env', 'stack'])('the %s cheat answers [12, 23, 34] and the check reports it with the inputs for a repro', (name) => {
    const out = userProgram(`import cheat from ${url(`tests/conformance/test/cheats/${name}.mjs`)};
const h = createHearth({ plugins: [cheat], backends: ['cpu'], verify: { rate: 1, reference: cpuPlugin } });`);
    expect(out.sum).toEqual([12, 23, 34]);
    expect(out.stats).toMatchObject({ sampled: 1, checked: 1, disagreements: 1 });
    expect(out.events).toEqual([
      {
        op: 'add',
        dtype: 'float32',
        device: 'cpu:0',
        plugin: { plugin: `@cheat/${name}`, version: cpuPlugin.manifest.version },
        reference: { plugin: '@hearth/plugin-cpu', version: cpuPlugin.manifest.version },
        shapes: [[3], [3]],
        mismatches: 3,
        first: { index: 0, observed: 12, expected: 11 },
        repro: { op: 'add', attrs: {}, inputs: [{ dtype: 'float32', shape: [3], data: [1, 2, 3] }, { dtype: 'float32', shape: [3], data: [10, 20, 30] }] },
      },
    ]);
  }, 60_000);

  it('HEARTH_VERIFY turns the checks on, with the loaded cpu plugin as the reference for another device type', () => {
    const out = userProgram(
      `const stack = () => /[\\\\/]exec[\\\\/]run-case\\.[jt]s/.test(new Error().stack);
const h = createHearth({ plugins: [cheating(wasmPlugin, '@cheat/wasm', stack), cpuPlugin], backends: ['wasm'] });`,
      { HEARTH_VERIFY: '1' },
    );
    expect(out.sum).toEqual([12, 23, 34]);
    expect(out.events.map((e) => [e.op, e.device, e.plugin.plugin, e.reference.plugin])).toEqual([['add', 'wasm:0', '@cheat/wasm', '@hearth/plugin-cpu']]);
  }, 60_000);
});

describe('field checks on honest plugins', () => {
  it('find no disagreement across op families on wasm, with the attributes the dispatcher normalised', async () => {
    const h = createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'], verify: { rate: 1 } });
    await h.ready();
    const events: DisagreementEvent[] = [];
    h.on('disagreement', (e) => events.push(e));
    const x = h.tensor(Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i) * 3), { shape: [2, 3, 8, 8] });
    const w = h.tensor(Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), { shape: [4, 3, 3, 3] });
    const a = h.tensor(Array.from({ length: 300 * 17 }, (_, i) => (i % 13) - 6), { shape: [300, 17] });
    h.conv2d(x, w, null, { stride: [1, 2], padding: 1, dilation: [2, 1] });
    h.max_pool2d(x, { kernelSize: 3, stride: 2, padding: 1 });
    h.matmul(a.transpose(), a);
    h.softmax(a, 0);
    h.sum(a, [0], true);
    h.mean(a.exp(), 1);
    h.sub(h.tensor(new Array(17).fill(2)), a);
    h.slice(a, { starts: [-5, 0], ends: [300, 17], steps: [2, 3] });
    const stats = await h.verified();
    expect(events).toEqual([]);
    expect(stats!.checked).toBeGreaterThanOrEqual(10);
    expect(stats!.disagreements).toBe(0);
    expect(stats!.skipped).toBe(0);
    await h.dispose();
  }, 60_000);

  it('are off unless asked for: no checker, and a bad rate or variable is refused with what to write', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    expect(h.verification()).toBeUndefined();
    expect(() => createHearth({ plugins: [cpuPlugin], verify: { rate: 2 } })).toThrow(/verify.rate must be a number in \[0, 1\], e.g. 0.001/);
    const before = process.env['HEARTH_VERIFY'];
    process.env['HEARTH_VERIFY'] = 'sometimes';
    try {
      expect(() => createHearth({ plugins: [cpuPlugin] })).toThrow(/HEARTH_VERIFY must be a sampling rate in \[0, 1\] \(e.g. 0.001\), "on" or "off"; got "sometimes"/);
      process.env['HEARTH_VERIFY'] = 'on';
      expect(createHearth({ plugins: [cpuPlugin] }).verification()).toMatchObject({ rate: 0.001, reference: '@hearth/plugin-cpu', sampled: 0 });
    } finally {
      if (before === undefined) delete process.env['HEARTH_VERIFY'];
      else process.env['HEARTH_VERIFY'] = before;
    }
    await h.dispose();
  });
});
