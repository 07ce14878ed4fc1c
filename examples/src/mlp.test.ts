import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { mlpForward, mlpWeights } from './mlp.js';

/** The same network, evaluated in float64 with plain loops. */
function reference(seed: number): number[] {
  const w = mlpWeights(seed);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const h = Array.from({ length: 16 }, (_, j) => {
      let s = w.b1[j]!;
      for (let k = 0; k < 8; k++) s += w.x[i * 8 + k]! * w.w1[k * 16 + j]!;
      return Math.max(s, 0);
    });
    const logits = Array.from({ length: 3 }, (_, c) => h.reduce((s, v, j) => s + v * w.w2[j * 3 + c]!, w.b2[c]!));
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / z));
  }
  return out;
}

describe('the MLP example', () => {
  it('matches a float64 evaluation on the CPU and frees every intermediate', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const got = await mlpForward(h, 'cpu:0', 7);
    const want = reference(7);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    expect(h.leaks()).toEqual([]);
  });
});
