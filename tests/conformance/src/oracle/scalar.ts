/** Scalar rules of the opset, written from the opset docs (never from a plugin). */

/** int32 arithmetic, exactly, through BigInt: the low 32 bits, two's complement. */
export function wrapInt32(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

/** Round half to even, keeping the sign of zero (round(-0.5) = -0). */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

/**
 * erfc(x) for the gelu reference: a Taylor series of erf for |x| < 3 and a continued fraction evaluated
 * bottom-up beyond. Relative accuracy is about 1e-13 or better, far inside every float32 bound.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    let sum = 0;
    let term = x;
    for (let n = 0; n < 200; n++) {
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-18) break;
      term *= (-x * x) / (n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * erf in float64 arithmetic for results stored in float32 or float16: the series of {@link erfc} below 3 (its
 * relative error stays near 1e-15 there, where no cancellation against 1 happens) and 1 - erfc beyond.
 * Relative error about 1e-13 or better, far inside those dtypes' bounds, and a hundred times faster than the
 * correctly rounded fixed-point series that float64 results need.
 */
export function erfNear(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const ax = Math.abs(x);
  if (ax >= 3) return Math.sign(x) * (1 - erfc(ax));
  let sum = 0;
  let term = ax;
  for (let n = 0; n < 200; n++) {
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-18 * sum) break;
    term *= (-ax * ax) / (n + 1);
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}

/** The logistic function, evaluated without cancellation on either side. */
export function logistic(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** int32 power with wrap-around, by square-and-multiply on BigInt; negative exponents follow the opset rule. */
export function int32Pow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let result = 1n;
  let base = BigInt(a);
  let e = BigInt(b);
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(32, result * base);
    base = BigInt.asIntN(32, base * base);
    e >>= 1n;
  }
  return Number(result);
}
