import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('the wasm backend beside the reference CPU', () => {
  // The CLI runs built code: build the wasm kernels and the CLI (incremental, quick when fresh).
  beforeAll(() => {
    execFileSync('npm', ['run', 'build:wasm', '-w', '@hearth/plugin-wasm'], { cwd: ROOT, stdio: 'ignore' });
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tools'], { cwd: ROOT });
  }, 180_000);

  it('is the default when no backend is named; cpu stays selectable', async () => {
    const h = createHearth({ plugins: [cpuPlugin, wasmPlugin] });
    const report = await h.ready();
    expect(report.defaultDevice).toBe('wasm:0');
    const onCpu = h.tensor([1, 2], { device: 'cpu' });
    expect(onCpu.device).toBe('cpu:0');
    expect(Array.from(await h.add(onCpu, onCpu).data())).toEqual([2, 4]);
    expect(Array.from(await h.add(h.tensor([1, 2]), h.tensor([3, 4])).data())).toEqual([4, 6]);
    await h.dispose();
  });

  it('passes the conformance core profile (hearth conformance --plugin @hearth/plugin-wasm)', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'tools/dist/bin.js'), 'conformance', '--plugin', '@hearth/plugin-wasm', '--profile', 'core'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out).toMatch(/on wasm:0, profile core/);
    expect(out).toMatch(/Verdict: PASS/);
  }, 300_000);
});
