import { OPSET_V2_ADDED, type CompositeBound, type DType } from '@hearth/core';

/**
 * Accuracy classes, per op and per dtype (PyTorch OpInfo's per-dtype tolerances, the WebGPU CTS's
 * accuracy contracts). Integer and bool results are always exact; these bounds are for float results.
 *
 * - `exact`: bit-equal to the reference rounded to the dtype, sign of zero included.
 * - `correctly-rounded`: within 0.5 ULP of the exact result.
 * - `ulp`: within N ULP of the exact result (N may grow with the argument, as for exp on GPUs).
 * - `absolute`: within an absolute error that the inputs bound (γ_n · Σ|terms| for sums and dot products).
 * - `inherited`: the bound of the formula the op is defined by (softmax from exp, sum and division).
 */
export type AccuracyClass = 'exact' | 'correctly-rounded' | 'ulp' | 'absolute' | 'inherited';

/**
 * The allowed error of one element: max(ulp · ULP(expected), abs) + k(n) · u · mag, where u is the dtype's
 * unit roundoff and `mag`, `n` come from the oracle (Σ|terms| and the term count for a sum, for example).
 * k(n) · u stands for γ_k(n) in the contracts' words (γ_m ≈ m·u, Higham's bound for m roundings).
 */
export interface Bound {
  /** ULPs of the expected value. */
  readonly ulp: number;
  /** An absolute floor (for results near zero, where ULPs mean little). */
  readonly abs: number;
  /** The factor of u · mag, from the term count n. */
  readonly k: (n: number) => number;
  /** Whether the sign of a zero result is part of the contract. */
  readonly zeroSign: boolean;
}

/** An op's accuracy contract: its class, the words that state it, and its bound per float dtype. */
export interface Accuracy {
  /** The class. */
  readonly class: AccuracyClass;
  /** The contract in words, as the README and reports show it. */
  readonly text: string;
  /** The bound for a float dtype. */
  bound(dtype: DType): Bound;
}

type Floats = Partial<Record<'float16' | 'float32' | 'float64', Partial<Bound>>>;

const EXACT: Bound = { ulp: 0, abs: 0, k: () => 0, zeroSign: true };

function acc(cls: AccuracyClass, text: string, per: Floats = {}, zeroSign = cls === 'exact' || cls === 'correctly-rounded'): Accuracy {
  return {
    class: cls,
    text,
    bound(dtype) {
      if (cls === 'exact' || dtype === 'int32' || dtype === 'bool') return { ...EXACT, zeroSign: EXACT.zeroSign && zeroSign };
      const b = per[dtype as keyof Floats] ?? {};
      return { ulp: b.ulp ?? (cls === 'correctly-rounded' ? 0.5 : 0), abs: b.abs ?? 0, k: b.k ?? (() => 0), zeroSign: b.zeroSign ?? zeroSign };
    },
  };
}

const exact = (text = 'Exact.', zeroSign = true) => acc('exact', text, {}, zeroSign);
const cr = acc('correctly-rounded', 'Correctly rounded (0.5 ULP).');
/** A transcendental: N ULP or an absolute floor near zero, per dtype. */
const ulps = (text: string, f32: Partial<Bound>, f16: Partial<Bound>, f64: Partial<Bound>) => acc('ulp', text, { float32: f32, float16: f16, float64: f64 });
const K = (c: number, perTerm = 0) => (n: number) => c + perTerm * n;

/** The accuracy contract of every operator of the opset (composites' from their records' bounds). */
export const ACCURACY: Readonly<Record<string, Accuracy>> = {
  neg: exact(),
  abs: exact(),
  sign: exact(),
  relu: exact(),
  floor: exact(),
  ceil: exact(),
  round: exact('Exact; ties to even, sign of zero kept.'),
  exp: ulps('3 + 2|x| ULP (float32, as WGSL), 2 ULP + |x| ULP (float64).', { ulp: 3, k: K(4) }, { ulp: 3, k: K(4) }, { ulp: 2, k: K(2) }),
  log: ulps('3 ULP, or absolute 2^-21 (float32) / 2^-7 (float16) near log(1) = 0; 2 ULP in float64.', { ulp: 3, abs: 2 ** -21 }, { ulp: 3, abs: 2 ** -7 }, { ulp: 2, abs: 2 ** -50 }),
  sqrt: acc('ulp', '3 ULP (float32/float16, WGSL inherits it from inverseSqrt); correctly rounded in float64; sqrt(-0) = -0.', { float32: { ulp: 3 }, float16: { ulp: 3 }, float64: { ulp: 0.5 } }, true),
  rsqrt: ulps('2 ULP.', { ulp: 2 }, { ulp: 2 }, { ulp: 2 }),
  reciprocal: acc('ulp', '2.5 ULP (float32/float16, as WGSL division); correctly rounded in float64.', { float32: { ulp: 2.5 }, float16: { ulp: 2.5 }, float64: { ulp: 0.5 } }, true),
  sin: ulps('Absolute 2^-11 (float32, as WGSL on [-π, π]) or 4 ULP; 2 ULP or 2^-50 in float64.', { ulp: 4, abs: 2 ** -11 }, { ulp: 4, abs: 2 ** -7 }, { ulp: 2, abs: 2 ** -50 }),
  cos: ulps('Absolute 2^-11 (float32, as WGSL on [-π, π]) or 4 ULP; 2 ULP or 2^-50 in float64.', { ulp: 4, abs: 2 ** -11 }, { ulp: 4, abs: 2 ** -7 }, { ulp: 2, abs: 2 ** -50 }),
  tanh: acc('inherited', 'Inherited from (e^x - e^-x)/(e^x + e^-x): 8 ULP or absolute 2^-26 (float32: tanh(1e-10) must not come back 0).', { float32: { ulp: 8, abs: 2 ** -26 }, float16: { ulp: 4, abs: 2 ** -9 }, float64: { ulp: 4, abs: 2 ** -50 } }),
  sigmoid: acc('inherited', 'Inherited from 1/(1 + e^-x): 8 ULP + exp\'s 2|x| ULP for x < 0, or absolute 2^-126 (float32: only a result below the normal range may flush to 0).', { float32: { ulp: 8, abs: 2 ** -126, k: K(4) }, float16: { ulp: 4, abs: 2 ** -9, k: K(4) }, float64: { ulp: 4, abs: 2 ** -50, k: K(2) } }),
  gelu: acc('inherited', 'Inherited from x·Φ(x) with an erf accurate to 1e-7: 16 ULP or absolute 2^-24 (float32); 64 ULP or 2^-40 in float64.', {
    float32: { ulp: 16, abs: 2 ** -24 },
    float16: { ulp: 4, abs: 2 ** -8 },
    float64: { ulp: 64, abs: 2 ** -40 },
  }),
  add: cr,
  sub: cr,
  mul: cr,
  div: acc('ulp', '2.5 ULP (float32/float16, as WGSL); correctly rounded in float64.', { float32: { ulp: 2.5 }, float16: { ulp: 2.5 }, float64: { ulp: 0.5 } }, true),
  pow: ulps('Inherited from exp2(b·log2(a)): 16 ULP + 2|b·ln a| ULP (float32); 2 ULP + |b·ln a| ULP in float64.', { ulp: 16, k: K(4) }, { ulp: 4, k: K(4) }, { ulp: 2, k: K(2) }),
  maximum: exact('Exact; NaN propagates; maximum(-0, +0) = +0.'),
  minimum: exact('Exact; NaN propagates; minimum(-0, +0) = -0.'),
  eq: exact(),
  ne: exact(),
  lt: exact(),
  le: exact(),
  gt: exact(),
  ge: exact(),
  logical_and: exact(),
  logical_or: exact(),
  where: exact(),
  cast: exact('Exact: the documented conversion rules.'),
  sum: acc('absolute', 'Absolute error γ_(n+2)·Σ|x| + 0.5 ULP, for any summation order (n terms).', { float32: { ulp: 0.5, k: K(2, 1) }, float16: { ulp: 0.5, k: K(2, 1) }, float64: { ulp: 0.5, k: K(2, 1) } }),
  mean: acc('inherited', 'Inherited from sum / n: γ_(n+4)·Σ|x|/n + 2.5 ULP (1 ULP in float64).', { float32: { ulp: 2.5, k: K(4, 1) }, float16: { ulp: 2.5, k: K(4, 1) }, float64: { ulp: 1, k: K(4, 1) } }),
  max: exact('Exact; NaN propagates (the sign of a zero maximum is not specified).', false),
  min: exact('Exact; NaN propagates (the sign of a zero minimum is not specified).', false),
  prod: acc('ulp', 'Relative error γ_(2n+2) + 0.5 ULP (n factors).', { float32: { ulp: 0.5, k: K(2, 2) }, float16: { ulp: 0.5, k: K(2, 2) }, float64: { ulp: 0.5, k: K(2, 2) } }),
  argmax: exact('Exact; the first index on ties; NaN is the maximum.'),
  argmin: exact('Exact; the first index on ties; NaN is the minimum.'),
  softmax: acc('inherited', 'Inherited from exp, sum and division: 8 ULP + (2n + 8)·u·y·(1 + |x - max|).', {
    float32: { ulp: 8, k: K(8, 2) },
    float16: { ulp: 4, k: K(8, 2) },
    float64: { ulp: 4, k: K(8, 2) },
  }),
  log_softmax: acc('inherited', 'Inherited from (x - max) - log Σ e^(x - max): 8 ULP + (2n + 8)·u·(|x - max| + |log Σ| + 1).', {
    float32: { ulp: 8, k: K(8, 2) },
    float16: { ulp: 4, k: K(8, 2) },
    float64: { ulp: 4, k: K(8, 2) },
  }),
  matmul: acc('absolute', 'Absolute error γ_(k+3)·Σ|a·b| + 0.5 ULP (k the inner size), for any order.', { float32: { ulp: 0.5, k: K(2, 1) }, float16: { ulp: 0.5, k: K(2, 1) }, float64: { ulp: 0.5, k: K(2, 1) } }),
  reshape: exact(),
  transpose: exact(),
  slice: exact(),
  concat: exact(),
  expand: exact(),
  gather: exact(),
  pad: exact(),
  conv2d: acc('absolute', 'Absolute error γ_(n+4)·Σ|x·w| + 0.5 ULP (n the window size times channels per group; the bias counts in Σ).', {
    float32: { ulp: 0.5, k: K(2, 1) },
    float16: { ulp: 0.5, k: K(2, 1) },
    float64: { ulp: 0.5, k: K(2, 1) },
  }),
  max_pool2d: exact('Exact; padding never wins; NaN propagates.', false),
  avg_pool2d: acc('inherited', 'Inherited from sum / divisor: γ_(n+6)·Σ|x|/divisor + 2.5 ULP (1 ULP in float64; n the elements in the window).', { float32: { ulp: 2.5, k: K(4, 1) }, float16: { ulp: 2.5, k: K(4, 1) }, float64: { ulp: 1, k: K(4, 1) } }),
  full: exact(),
  arange: exact('Exact: start + i·step in float64, then converted.'),
  // Opset v2 primitives.
  erf: ulps('4 ULP, or absolute 2^-22 (float32: a polynomial approximation such as A&S 7.1.26 qualifies) / 2^-10 (float16); 4 ULP or 2^-50 in float64; erf(±0) = ±0.', { ulp: 4, abs: 2 ** -22 }, { ulp: 2, abs: 2 ** -10 }, { ulp: 4, abs: 2 ** -50 }),
  mod: cr,
  cumsum: acc('absolute', 'Absolute error γ_(n+1)·Σ|x| + 0.5 ULP over the n terms summed in order (sequential along the axis).', { float32: { ulp: 0.5, k: K(1, 1) }, float16: { ulp: 0.5, k: K(1, 1) }, float64: { ulp: 0.5, k: K(1, 1) } }),
  topk: exact('Exact indices: order by value, ties to the lower index, NaN above +Inf.'),
  gather_elements: exact(),
  tile: exact(),
  resize: acc('absolute', 'nearest: exact. linear: 4 ULP + γ_6·Σ|taps| (two interpolation steps of two products each).', { float32: { ulp: 4, k: K(6) }, float16: { ulp: 2, k: K(6) }, float64: { ulp: 4, k: K(6) } }),
  conv_transpose2d: acc('absolute', 'Absolute error γ_(n+4)·Σ|x·w| + 0.5 ULP (n the taps reaching the output pixel; the bias counts in Σ).', {
    float32: { ulp: 0.5, k: K(2, 1) },
    float16: { ulp: 0.5, k: K(2, 1) },
    float64: { ulp: 0.5, k: K(2, 1) },
  }),
  random_uniform: acc('ulp', 'The generator\'s words are exact; the value low + (high - low)·u within 1 ULP (float64 then rounded, or two float32 roundings).', { float32: { ulp: 1 }, float16: { ulp: 1 }, float64: { ulp: 0.5 } }, true),
  random_normal: acc('inherited', 'Box-Muller in float64 then rounded: 0.5 ULP; a float32 ln/sqrt/cos/sin path within 2 ULP + 64·u·std·(r + 1) (r = √(-2 ln u1)).', { float32: { ulp: 2, k: K(64) }, float16: { ulp: 2, k: K(16) }, float64: { ulp: 4, k: K(8) } }),
  ...Object.fromEntries(OPSET_V2_ADDED.filter((o) => o.bound).map((o) => [o.name, compositeAccuracy(o.bound!)])),
};

/**
 * A composite's contract, from its record's bound: `ulp` ULPs of the result, or `abs` epsilons of the
 * output's scale (the oracle gives the scale as each element's magnitude); exact when both are 0.
 */
function compositeAccuracy(b: CompositeBound): Accuracy {
  const from = b.inherits;
  if (from !== undefined) return { class: 'inherited', text: `${b.text} (Inherited from ${from}.)`, bound: (dtype) => ACCURACY[from]!.bound(dtype) };
  if (b.ulp === 0 && b.abs === 0) return exact(b.text, false);
  const per = { ulp: b.ulp, k: K(2 * b.abs) };
  return acc('inherited', `${b.text} (Checked against the decomposition evaluated in float64.)`, { float32: per, float16: per, float64: per });
}
