import { wrapInt32 } from './scalar.js';

const BITS = 128n;
const ONE = 1n << BITS;

/** atan(1/k) in fixed point (Taylor series of an integer reciprocal: every term exact but the last bits). */
function atanInv(k: bigint): bigint {
  let sum = 0n;
  let power = ONE / k;
  for (let n = 0n; power !== 0n; n++) {
    sum += (n % 2n === 0n ? 1n : -1n) * (power / (2n * n + 1n));
    power /= k * k;
  }
  return sum;
}

function isqrt(v: bigint): bigint {
  let x = 1n << (BigInt(v.toString(2).length) / 2n + 1n);
  for (;;) {
    const y = (x + v / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}

/** 2/√π in fixed point, from Machin's formula for π. */
const TWO_OVER_SQRT_PI = (() => {
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  return (2n * ONE * ONE) / isqrt(pi * ONE);
})();

/** A float64 in fixed point, exactly (its 53 bits fit above the 128 fractional bits for |x| >= 2^-75). */
function toFixed(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & ((1n << 52n) - 1n)) | (exp === 0 ? 0n : 1n << 52n);
  const shift = BigInt(Math.max(exp, 1) - 1075) + BITS;
  return shift >= 0n ? mant << shift : mant >> -shift;
}

/**
 * erf, correctly rounded: its Maclaurin series 2/√π · Σ (-1)^n x^(2n+1) / (n! (2n+1)) in 128-bit fixed
 * point (cancellation costs at most 52 of those bits, at |x| = 6), rounded once to float64. From |x| = 6
 * on erf is ±1 in float64 (1 - erf(6) ≈ 2e-17); below 2^-60 it is 2x/√π to float64 precision.
 */
export function erfRef(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  if (ax < 2 ** -60) return (x * 2) / Math.sqrt(Math.PI);
  const fx = toFixed(ax);
  const x2 = (fx * fx) >> BITS;
  let term = fx;
  let sum = fx;
  for (let n = 1n; term !== 0n; n++) {
    term = -((term * x2) >> BITS) / n;
    sum += term / (2n * n + 1n);
  }
  // One rounding: Number() of the scaled integer rounds to nearest; the power-of-two division is exact.
  return Math.sign(x) * (Number((sum * TWO_OVER_SQRT_PI) >> (BITS - 64n)) / 2 ** (Number(BITS) + 64));
}

/**
 * mod as the opset states it. Truncated (fmod): C's fmod, which JavaScript's % is for floats. Floored: the
 * sign of b (Python's %), a zero result taking b's sign; x mod ±Inf by Python's rule. int32: b = 0 gives 0.
 */
export function modRef(a: number, b: number, fmod: boolean, int: boolean): number {
  if (int) {
    if (b === 0) return 0;
    const r = Number(BigInt(a) % BigInt(b));
    return wrapInt32(BigInt(fmod || r === 0 || Math.sign(r) === Math.sign(b) ? r : r + b));
  }
  if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || b === 0) return NaN;
  if (!Number.isFinite(b)) {
    if (fmod) return a;
    return a === 0 || Math.sign(a) === Math.sign(b) ? a : b;
  }
  const r = a % b;
  if (fmod) return r;
  if (r === 0) return b < 0 ? -0 : 0;
  return Math.sign(r) === Math.sign(b) ? r : r + b;
}
