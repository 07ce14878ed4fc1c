import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// sum/mean (blocked accumulation) and softmax/log_softmax (one row at a time) against float64.

const hs: Hearth[] = [];
beforeAll(async () => {
  hs.push(await wasmHearth(1), await wasmHearth(2));
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

function rowSums(x: Float32Array, rows: number, n: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[r * n + j]!;
    return s;
  });
}

describe.each([1, 2])('wasm reductions on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it('sums 1e6 float32 values within 1e-6 relative error of float64', async () => {
    const x = randomF32(5, 1_000_000, 1).map(Math.abs);
    const want = rowSums(x, 1, x.length)[0]!;
    const got = (await h().sum(h().tensor(x)).data())[0]!;
    expect(Math.abs(got - want) / want).toBeLessThanOrEqual(1e-6);
  });

  it('sums and means over trailing axes, every row length around the block size', async () => {
    for (const [rows, n] of [[1, 1], [3, 5], [7, 511], [2, 512], [4, 513], [5, 1027], [600, 1000], [1, (1 << 18) + 5]] as const) {
      const x = randomF32(rows * n, rows * n);
      const t = h().tensor(x, { shape: [rows, n] });
      const sums = rowSums(x, rows, n);
      expectClose(await h().sum(t, { axes: [1] }).data(), sums, 1e-6, Math.sqrt(n));
      expectClose(await h().op('mean', [t], { axes: [1] }).data(), sums.map((s) => s / n), 1e-6, 1);
    }
    const x = randomF32(3, 2 * 3 * 4);
    const t = h().tensor(x, { shape: [2, 3, 4] });
    expectClose(await h().op('sum', [t], { axes: [1, 2] }).data(), rowSums(x, 2, 12), 1e-6);
    // A leading axis is not a row: it takes the generic kernel, same answer.
    const lead = [0, 1, 2, 3].map((j) => [0, 1, 2, 3, 4, 5].reduce((s, i) => s + x[i * 4 + j]!, 0));
    expectClose(await h().op('sum', [h().tensor(x, { shape: [6, 4] })], { axes: [0] }).data(), lead, 1e-6);
  });

  it('sums values whose float32 partial sums overflow (the block is redone in float64)', async () => {
    const x = Float32Array.from([3e38, 3e38, -3e38, 1]);
    expect((await h().sum(h().tensor(x)).data())[0]).toBe(Math.fround(3e38 + 1));
    expect((await h().sum(h().tensor([Infinity, 1, 2])).data())[0]).toBe(Infinity);
    expect((await h().sum(h().tensor([Infinity, -Infinity])).data())[0]).toBeNaN();
  });

  it('softmax and log_softmax along the last axis, every tail, with large and infinite inputs', async () => {
    // Short rows are claimed many at a time ([200, 8], [70, 21]: batches of rows with a partial last one).
    for (const [rows, n] of [[1, 1], [3, 3], [4, 17], [200, 8], [70, 21], [2, 1029], [300, 1000]] as const) {
      const x = randomF32(n, rows * n, 20);
      x[0] = 1000;
      const t = h().tensor(x, { shape: [rows, n] });
      const soft: number[] = [];
      const logSoft: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * n, (r + 1) * n));
        const max = Math.max(...row);
        const s = row.reduce((acc, v) => acc + Math.exp(v - max), 0);
        for (const v of row) {
          soft.push(Math.exp(v - max) / s);
          logSoft.push(v - max - Math.log(s));
        }
      }
      expectClose(await h().softmax(t, -1).data(), soft, 1e-5, 1e-30);
      expectClose(await h().op('log_softmax', [t], { axis: -1 }).data(), logSoft, 1e-5, 1e-3);
    }
    const special = await h().softmax(h().tensor([-Infinity, 0, 1, NaN, 2, 3, -Infinity, -Infinity], { shape: [2, 4] }), -1).data();
    expectClose(special.subarray(0, 4), [NaN, NaN, NaN, NaN], 0); // a NaN makes its whole row NaN
    expectClose(special.subarray(4), [Math.exp(-1) / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-1)), 0, 0], 1e-6);
  });

  it('softmax keeps subnormal results (x - max between -104 and -87) instead of flushing them to 0', async () => {
    const short = [0, -88, -90, -100, -103, -50, -1, -87.5, -86, -95, -102, -3];
    // The short row runs in 4-lane steps; the long one (four times over, plus a tail) in 16-lane steps too.
    for (const row of [short, [...short, ...short, ...short, ...short, -1, -2, -89]]) {
      const s = row.reduce((acc, v) => acc + Math.exp(v), 0);
      const got = await h().softmax(h().tensor(row), -1).data();
      row.forEach((v, i) => {
        const want = Math.exp(v) / s;
        expect(Math.abs(got[i]! - want), `element ${i}`).toBeLessThanOrEqual(Math.max(1e-6 * want, 3e-45));
      });
      expect(got[3]).toBeGreaterThan(0);
    }
  });

  it('softmax rows whose range sits at the edge of normal exps take the right exp', async () => {
    // x - max = -87.33 (the smallest normal exp) and just below it, in vector and tail positions.
    for (const low of [-87.33, -87.34, -87.5]) {
      const row = Array.from({ length: 35 }, (_, i) => (i % 7 === 3 ? Math.fround(low) : -(i % 5)));
      const s = row.reduce((acc, v) => acc + Math.exp(v), 0);
      const got = await h().softmax(h().tensor(row), -1).data();
      row.forEach((v, i) => {
        const want = Math.exp(v) / s;
        expect(Math.abs(got[i]! - want), `element ${i} (low ${low})`).toBeLessThanOrEqual(Math.max(1e-6 * want, 3e-45));
      });
    }
  });

  it('softmax of a middle axis takes the generic kernel, same answer', async () => {
    const x = randomF32(9, 2 * 3 * 2);
    const got = await h().softmax(h().tensor(x, { shape: [2, 3, 2] }), 1).data();
    const want: number[] = new Array(12);
    for (let p = 0; p < 2; p++)
      for (let q = 0; q < 2; q++) {
        const idx = [0, 1, 2].map((k) => p * 6 + k * 2 + q);
        const s = idx.reduce((acc, i) => acc + Math.exp(x[i]!), 0);
        for (const i of idx) want[i] = Math.exp(x[i]!) / s;
      }
    expectClose(got, want, 1e-6);
  });
});
