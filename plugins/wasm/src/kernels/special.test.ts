import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { randomF32, wasmHearth } from '../test-util.js';

// The SIMD special functions (assembly/special.ts) against float64 references, over a dense sweep of
// float32 inputs: every finite range where their pieces meet (|x| = 0.5 for tanh, 1 for erf, the change of
// sign in GELU), the tails down to subnormal results, and the special values. Bounds are the conformance
// suite's (tests/conformance/src/accuracy.ts): N ULP of the float64 result or an absolute floor.

/** erf(x) for |x| < 3 by its Taylor series (float64 to about 1e-15 there). */
function erfSeries(x: number): number {
  let sum = 0;
  for (let n = 0, term = x; n < 200; n++, term *= (-x * x) / n) {
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-18 * Math.abs(x)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) to about 1e-12 relative: 1 - the series below 3, Laplace's continued fraction above. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) return 1 - erfSeries(x);
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const logistic = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The size of one float32 ULP at |v| (subnormal spacing below the normal range). */
function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

interface Case {
  readonly ref: (x: number) => number;
  readonly ulps: number;
  readonly abs: number;
  /** exp-like error growth: k·u·|x·f(x)| more (exp's 2|x| ULP). */
  readonly k?: number;
}

const CASES: Record<string, Case> = {
  exp: { ref: Math.exp, ulps: 3, abs: 0, k: 4 },
  erf: { ref: (x) => (Number.isNaN(x) ? x : Math.abs(x) < 3 ? erfSeries(x) : Math.sign(x) * (1 - erfc(Math.abs(x)))), ulps: 4, abs: 2 ** -22 },
  tanh: { ref: Math.tanh, ulps: 8, abs: 2 ** -26 },
  sigmoid: { ref: logistic, ulps: 8, abs: 2 ** -126, k: 4 },
  gelu: { ref: (x) => (x === -Infinity ? -0 : x === Infinity ? x : 0.5 * x * erfc(-x / Math.SQRT2)), ulps: 16, abs: 2 ** -24 },
};

/** A dense sweep: [-12, 12] in steps of 2^-12, ±2^e for e in [-40, 8) in steps of 1/64, and specials. */
function sweep(): Float32Array {
  const xs: number[] = [];
  for (let i = -12 * 4096; i <= 12 * 4096; i++) xs.push(i / 4096);
  for (let e = -40 * 64; e < 8 * 64; e++) xs.push(2 ** (e / 64), -(2 ** (e / 64)));
  xs.push(-0, Infinity, -Infinity, NaN, 88.7, -88.7, -103.9, 1e30, -1e30);
  return Float32Array.from(xs);
}

let h: Hearth;
let h2: Hearth;
beforeAll(async () => {
  [h, h2] = [await wasmHearth(1), await wasmHearth(2)];
});
afterAll(async () => {
  await h.dispose();
  await h2.dispose();
});

describe('wasm SIMD special functions', () => {
  const xs = sweep();

  it.each(Object.keys(CASES))('%s stays inside its conformance bound over the sweep, specials exact', async (op) => {
    const { ref, ulps, abs, k = 0 } = CASES[op]!;
    const got = await h.op(op, [h.tensor(xs)]).data();
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = ref(xs[i]!);
      if (!Number.isFinite(Math.fround(want)) || !Number.isFinite(xs[i]!)) {
        expect(Object.is(got[i], Math.fround(want)) || (Number.isNaN(want) && Number.isNaN(got[i]))).toBe(true);
        continue;
      }
      const tol = Math.max(ulps * ulp(want), abs) + k * 2 ** -24 * Math.abs(xs[i]! * want);
      worst = Math.max(worst, Math.abs(got[i]! - want) / tol);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('keeps the sign of zero and the limits: erf(-0) = -0, tanh(-0) = -0, gelu(-Inf) = -0', async () => {
    const at = async (op: string, x: number) => (await h.op(op, [h.tensor([x])]).data())[0];
    expect(Object.is(await at('erf', -0), -0)).toBe(true);
    expect(Object.is(await at('tanh', -0), -0)).toBe(true);
    expect(Object.is(await at('gelu', -Infinity), -0)).toBe(true);
    expect(await at('gelu', Infinity)).toBe(Infinity);
    expect(await at('sigmoid', -Infinity)).toBe(0);
    expect(await at('erf', -Infinity)).toBe(-1);
  });

  it.each(Object.keys(CASES))('%s gives the same values split over worker threads', async (op) => {
    const x = randomF32(5, (1 << 16) + 5, 6);
    expect(Array.from(await h2.op(op, [h2.tensor(x)]).data())).toEqual(Array.from(await h.op(op, [h.tensor(x)]).data()));
  });
});
