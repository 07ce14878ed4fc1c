import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// The SIMD elementwise kernels against float64 references: lengths with every tail (0-3 past a multiple
// of 4 and 16), past the threading threshold (2^18), row and scalar broadcasts on either side.

const hs: Hearth[] = [];
beforeAll(async () => {
  hs.push(await wasmHearth(1), await wasmHearth(2));
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

const f32 = Math.fround;
const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
};

describe.each([1, 2])('wasm elementwise on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it.each(Object.keys(BINARY))('%s: same shapes, every tail length and past the threading threshold', async (op) => {
    for (const n of [1, 3, 4, 5, 15, 17, 33, 1001, (1 << 18) + 7]) {
      const x = randomF32(n, n);
      const y = randomF32(n + 1, n);
      const got = await h().op(op, [h().tensor(x), h().tensor(y)]).data();
      expectClose(got, Array.from(x, (v, i) => f32(BINARY[op]!(v, y[i]!))), 0);
    }
  });

  it.each(Object.keys(BINARY))('%s: a row or a scalar broadcast on either side', async (op) => {
    for (const [rows, cols] of [[3, 1], [5, 7], [9, 16], [2, 1027], [300, 1000]] as const) {
      const x = randomF32(rows, rows * cols);
      const row = randomF32(cols, cols);
      const scalar = randomF32(7, 1);
      const X = h().tensor(x, { shape: [rows, cols] });
      const R = h().tensor(row, { shape: [1, cols] });
      const S = h().tensor(scalar, { shape: [] });
      const fn = BINARY[op]!;
      expectClose(await h().op(op, [X, R]).data(), Array.from(x, (v, i) => f32(fn(v, row[i % cols]!))), 0);
      expectClose(await h().op(op, [R, X]).data(), Array.from(x, (v, i) => f32(fn(row[i % cols]!, v))), 0);
      expectClose(await h().op(op, [S, X]).data(), Array.from(x, (v) => f32(fn(scalar[0]!, v))), 0);
      expectClose(await h().op(op, [X, S]).data(), Array.from(x, (v) => f32(fn(v, scalar[0]!))), 0);
    }
  });

  it.each(Object.keys(BINARY))('%s: a per-channel operand ([C, 1, 1] over [N, C, H, W], and [C, 1] over [N, C, W]) on either side', async (op) => {
    const fn = BINARY[op]!;
    // The last shape is past the threading threshold: its jobs split over the workers.
    for (const [shape, small] of [[[2, 3, 4, 5], [3, 1, 1]], [[1, 8, 3, 3], [1, 8, 1, 1]], [[4, 7, 9], [7, 1]], [[2, 6, 130, 170], [6, 1, 1]]] as const) {
      const size = shape.reduce((p, d) => p * d, 1);
      const C = small.reduce((p, d) => p * d, 1);
      const inner = size / C / shape[0]!;
      const x = randomF32(size, size);
      const c = randomF32(C + 3, C);
      const X = h().tensor(x, { shape: [...shape] });
      const K = h().tensor(c, { shape: [...small] });
      const at = (i: number) => c[Math.floor(i / inner) % C]!;
      expectClose(await h().op(op, [X, K]).data(), Array.from(x, (v, i) => f32(fn(v, at(i)))), 0);
      expectClose(await h().op(op, [K, X]).data(), Array.from(x, (v, i) => f32(fn(at(i), v))), 0);
    }
  });

  it('keeps IEEE special values: NaN propagates through maximum/minimum, -0 < +0, division by zero', async () => {
    const x = Float32Array.from([NaN, 1, -0, 0, 1, -1, Infinity, 5, 0]);
    const y = Float32Array.from([1, NaN, 0, -0, 0, 0, Infinity, -Infinity, 0]);
    const X = h().tensor(x);
    const Y = h().tensor(y);
    for (const op of Object.keys(BINARY)) expectClose(await h().op(op, [X, Y]).data(), Array.from(x, (v, i) => f32(BINARY[op]!(v, y[i]!))), 0);
    const max = await h().op('maximum', [X, Y]).data();
    expect(Object.is(max[2], 0) && Object.is(max[3], 0)).toBe(true);
  });

  it('unary neg, abs, relu and sqrt on every tail, with -0 and NaN', async () => {
    const ref: Record<string, (x: number) => number> = { neg: (v) => -v, abs: Math.abs, relu: (v) => (v > 0 || Number.isNaN(v) ? v : 0), sqrt: Math.sqrt };
    for (const n of [1, 6, 19, (1 << 18) + 3]) {
      const x = randomF32(n + 11, n);
      x[0] = -0;
      if (n > 1) x[1] = NaN;
      for (const op of Object.keys(ref)) expectClose(await h().op(op, [h().tensor(x)]).data(), Array.from(x, (v) => f32(ref[op]!(v))), 0);
    }
    expect(Object.is((await h().op('relu', [h().tensor([-0])]).data())[0], 0)).toBe(true);
  });
});
