import fc from 'fast-check';
import { getOp, sizeOf, type DType } from '@hearth/core';
import { random, specials, tensor } from './data.js';
import { Rng } from '../numeric/rng.js';
import type { TensorInput } from './types.js';

/** One random call: inputs and attributes. */
export interface PropertyInput {
  /** The inputs. */
  readonly inputs: TensorInput[];
  /** The attributes. */
  readonly attrs: Record<string, unknown>;
}

type Arb = fc.Arbitrary<PropertyInput>;

/** Argument ranges of the random values per op (WGSL-style bounds hold on these). */
const RANGE: Record<string, number> = { exp: 100, sin: 100, cos: 100, pow: 8, softmax: 100, log_softmax: 100 };

/** Values an op's docs leave unspecified (see the reference corpus), kept out of properties too. */
const EXCLUDE: Record<string, (x: number) => boolean> = {
  pow: (x) => !Number.isFinite(x) || Number.isNaN(x),
  softmax: (x) => x === Infinity,
  log_softmax: (x) => x === Infinity,
};

const EXP_LIMITS = [0, -1, -20, -87, -87.5, -88, -100, -103, -104, -110, 80, 88, 88.7, 89, 100];

/** Values at exp's underflow and overflow, per op whose result goes through exp. */
const EXP_EDGES: Record<string, readonly number[]> = { exp: EXP_LIMITS, sigmoid: EXP_LIMITS, tanh: EXP_LIMITS, softmax: EXP_LIMITS, log_softmax: EXP_LIMITS, pow: [0.5, 2, -8, 8] };

function values(dtype: DType, op: string): fc.Arbitrary<number> {
  if (dtype === 'bool') return fc.constantFrom(0, 1);
  if (dtype === 'int32') return op === 'pow' ? fc.integer({ min: -6, max: 6 }) : fc.oneof(fc.integer({ min: -8, max: 8 }), fc.integer());
  // Products stay in [0.5, 2] in magnitude, so no summation order can overflow or underflow where another doesn't.
  if (op === 'prod') return fc.oneof(fc.double({ min: 0.5, max: 2 }), fc.double({ min: -2, max: -0.5 }), fc.constantFrom(0, -0, 1, NaN, Infinity, -Infinity));
  const r = RANGE[op] ?? 1e4;
  const sp = specials(dtype).filter((x) => !EXCLUDE[op]?.(x) && (Math.abs(x) <= r || !Number.isFinite(x)));
  // Where exp underflows to subnormals and 0 and overflows (±87…±104 in float32), for the ops built on it.
  const edges = EXP_EDGES[op]?.filter((x) => Math.abs(x) <= r);
  return fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: -r, max: r, noNaN: true }) },
    { weight: 2, arbitrary: fc.integer({ min: -8, max: 8 }).map((k) => k / 2) },
    { weight: 1, arbitrary: fc.constantFrom(...sp) },
    ...(edges?.length ? [{ weight: 2, arbitrary: fc.constantFrom(...edges) }] : []),
  );
}

const shapeArb = (minRank = 0, maxRank = 4, minDim = 0, maxDim = 4) => fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });

/** Vector widths and unroll factors of fast paths; sizes are drawn at each, one short and one past. */
const WIDTHS = [4, 8, 16, 32, 64] as const;

/**
 * A length in the regimes fast paths specialise on: tiny (0–4, empty included), any of 1–64, or one
 * short of, at, or one past a vector width or unroll factor (up to `max`).
 */
export function laneSize(max = 65): fc.Arbitrary<number> {
  const around = [...new Set(WIDTHS.flatMap((w) => [w - 1, w, w + 1]))].filter((n) => n <= max);
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(64, max) }) }, { weight: 3, arbitrary: fc.constantFrom(...around) });
}

/** A shape whose last axis is a {@link laneSize} and the others small (its size stays a few hundred). */
const laneShape = (minRank = 1, maxRank = 3, minDim = 0, max = 65) =>
  fc.tuple(shapeArb(minRank - 1, maxRank - 1, minDim, 3), laneSize(max)).map(([lead, last]) => [...lead, minDim > 0 ? Math.max(minDim, last) : last]);

/**
 * Ops drawn with same-sign values near the float32 maximum: sums (any order overflows exactly when the exact
 * sum does, since every partial sum grows one way) and ops whose result is one of their inputs or its sign.
 */
const NEAR_MAX_OPS = ['sum', 'max', 'min', 'add', 'sub', 'maximum', 'minimum', 'neg', 'abs', 'relu', 'where'];

/** Past this many elements a tensor's values come from a seeded generator, not one draw per element. */
const PER_ELEMENT = 64;

/**
 * Values of a larger tensor, by regime: uniform in the op's range, small integers (exact sums), a short
 * pattern repeated across the lanes (mixed regimes in one vector: 0 and -100 for softmax), or same-sign
 * values near the float32 maximum (a float32 accumulator overflows where the exact result is finite).
 */
function seededValues(dtype: DType, op: string, shape: readonly number[]): fc.Arbitrary<TensorInput> {
  const r = RANGE[op] ?? 1e4;
  const n = sizeOf(shape);
  const pattern = fc.array(values(dtype, op), { minLength: 1, maxLength: 5 });
  const nearMax = dtype === 'float32' && NEAR_MAX_OPS.includes(op);
  // prod: magnitudes in [0.5, 2] only (as per element), so no order overflows, or meets a 0, where another doesn't.
  if (op === 'prod') return fc.integer().map((seed) => tensor(dtype, shape, random(new Rng(seed), dtype, shape, 0.5, 2).data.map((v, i) => (i % 3 ? v : -v))));
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer().map((seed) => random(new Rng(seed), dtype, shape, dtype === 'int32' ? -8 : -r, dtype === 'int32' ? 9 : r)) },
    { weight: 2, arbitrary: fc.integer().map((seed) => random(new Rng(seed), dtype === 'bool' ? 'bool' : 'int32', shape, -8, 9)).map((t) => tensor(dtype, shape, t.data)) },
    { weight: 2, arbitrary: pattern.map((p) => tensor(dtype, shape, Array.from({ length: n }, (_, i) => p[i % p.length]!))) },
    ...(nearMax ? [{ weight: 1, arbitrary: fc.tuple(fc.integer(), fc.boolean()).map(([seed, neg]) => random(new Rng(seed), dtype, shape, neg ? -3.4e38 : 1e38, neg ? -1e38 : 3.4e38)) }] : []),
  );
}

function tensorArb(dtype: DType, shape: readonly number[], op: string): fc.Arbitrary<TensorInput> {
  const n = sizeOf(shape);
  if (n > PER_ELEMENT) return seededValues(dtype, op, shape);
  return fc.array(values(dtype, op), { minLength: n, maxLength: n }).map((d) => tensor(dtype, shape, d));
}

/** A shape that broadcasts to `out`: some leading axes dropped, some axes set to 1. */
const broadcastFrom = (out: readonly number[]) =>
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

const withAttrs = (inputs: fc.Arbitrary<TensorInput[]>, attrs: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): Arb =>
  fc.tuple(inputs, attrs).map(([i, a]) => ({ inputs: i, attrs: a }));

function unary(op: string, dtype: DType): Arb {
  return withAttrs(fc.oneof(shapeArb(), laneShape(1, 3, 0, 257)).chain((s) => tensorArb(dtype, s, op).map((t) => [t])));
}

/**
 * The broadcast patterns, each in both operand orders: which operands are full size and which repeat (a
 * row, a scalar, a column), besides any pattern at all.
 */
const PATTERNS = ['same', 'row', 'row', 'scalar', 'column', 'any'] as const;

function elementwise(op: string, dtypes: readonly DType[]): Arb {
  const shapes = (out: number[]) =>
    fc.tuple(fc.constantFrom(...PATTERNS), fc.integer({ min: 0, max: dtypes.length - 1 })).chain(([pattern, repeating]) => {
      const rank = out.length;
      const small = pattern === 'row' ? out.slice(-1) : pattern === 'scalar' ? [] : pattern === 'column' && rank > 0 ? [...out.slice(0, -1), 1] : out;
      return pattern === 'any' ? fc.tuple(...dtypes.map(() => broadcastFrom(out))) : fc.constant(dtypes.map((_, i) => (i === repeating ? small : out)));
    });
  const outShape = fc.oneof({ weight: 1, arbitrary: shapeArb(0, 4, 0, 3) }, { weight: 2, arbitrary: laneShape(2, 3, 1, 67) });
  return withAttrs(outShape.chain((out) => shapes(out).chain((ss) => fc.tuple(...dtypes.map((d, i) => tensorArb(d, ss[i]!, op))))));
}

function axesOf(rank: number): fc.Arbitrary<number[] | null> {
  return fc.option(fc.subarray(Array.from({ length: rank }, (_, i) => i)).chain((axes) => fc.constant(axes.map((a) => (a % 2 ? a - rank : a)))), { nil: null });
}

function reduction(op: string, dtype: DType, nonEmpty: boolean): Arb {
  return fc.oneof(shapeArb(0, 4, nonEmpty ? 1 : 0, 4), laneShape(1, 3, nonEmpty ? 1 : 0, 257)).chain((s) =>
    withAttrs(tensorArb(dtype, s, op).map((t) => [t]), fc.record({ axes: axesOf(s.length), keepdims: fc.boolean() })),
  );
}

function argReduction(op: string, dtype: DType): Arb {
  // Few distinct values, so ties are common.
  const few = dtype === 'int32' ? fc.integer({ min: -2, max: 2 }) : fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant(NaN));
  return fc.oneof(shapeArb(1, 4, 1, 4), laneShape(1, 3, 1, 65)).chain((s) =>
    withAttrs(
      fc.array(few, { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((d) => [tensor(dtype, s, d)]),
      fc.record({ axis: fc.option(fc.integer({ min: -s.length, max: s.length - 1 }), { nil: null }), keepdims: fc.boolean() }),
    ),
  );
}

/** Tile edges of GEMM micro-kernels (4 × 8 and kin): below, at and past each, and 0. */
const TILE = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33] as const;
/** K past one and two 256-deep slices (and 512): with full tiles, a slice handled wrongly shows. */
const DEEP_K = [255, 256, 257, 300, 511, 512, 513] as const;

function matmul(dtype: DType): Arb {
  const small = (min = 0) => fc.integer({ min, max: 4 });
  const tiled = fc
    .record({ m: fc.constantFrom(...TILE), k: fc.oneof(fc.constantFrom(...TILE), fc.constantFrom(...DEEP_K)), n: fc.constantFrom(...TILE), batch: fc.constant<number[]>([]), va: fc.constant(false), vb: fc.constant(false) })
    .filter(({ m, k, n }) => m * n * Math.max(k, 1) <= 20_000);
  // Full 4×8 tiles with K past 256: the regime a GEMM's slice handling lives in.
  const fullTiles = fc.record({ m: fc.constant(4), k: fc.constantFrom(...DEEP_K), n: fc.constantFrom(8, 9), batch: fc.constant<number[]>([]), va: fc.constant(false), vb: fc.constant(false) });
  return fc
    .oneof(fc.record({ m: small(), k: small(), n: small(), batch: shapeArb(0, 2, 1, 3), va: fc.boolean(), vb: fc.boolean() }), tiled, fullTiles)
    .chain(({ m, k, n, batch, va, vb }) =>
      fc.tuple(broadcastFrom(batch), broadcastFrom(batch)).chain(([ba, bb]) => {
        const sa = va ? [k] : [...ba, m, k];
        const sb = vb ? [k] : [...bb, k, n];
        return withAttrs(fc.tuple(tensorArb(dtype, sa, 'matmul'), tensorArb(dtype, sb, 'matmul')));
      }),
    );
}

function movement(op: string, dtype: DType): Arb {
  const x = (s: readonly number[]) => tensorArb(dtype, s, op);
  switch (op) {
    case 'reshape':
      return shapeArb(0, 4, 0, 4).chain((s) =>
        fc.tuple(x(s), fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }), fc.boolean()).map(([t, perm, hole]) => ({
          inputs: [t],
          attrs: { shape: hole && perm.length > 0 && perm.every((d) => d > 0) ? [-1, ...perm.slice(1)] : perm },
        })),
      );
    case 'transpose':
      return shapeArb(0, 5, 0, 3).chain((s) =>
        withAttrs(x(s).map((t) => [t]), fc.record({ perm: fc.option(fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }), { nil: null }) })),
      );
    case 'slice':
      return shapeArb(1, 4, 0, 5).chain((s) => {
        const per = s.map((d) => fc.tuple(fc.integer({ min: -d - 2, max: d + 2 }), fc.integer({ min: -d - 2, max: d + 2 }), fc.constantFrom(1, 2, 3, -1, -2)));
        return withAttrs(x(s).map((t) => [t]), fc.tuple(...per).map((p) => ({ starts: p.map((q) => q[0]), ends: p.map((q) => q[1]), steps: p.map((q) => q[2]) })));
      });
    case 'concat':
      return fc.tuple(shapeArb(1, 4, 0, 3), fc.integer({ min: 1, max: 3 })).chain(([s, count]) =>
        fc.integer({ min: -s.length, max: s.length - 1 }).chain((axis) =>
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: count, maxLength: count }).chain((sizes) =>
            withAttrs(fc.tuple(...sizes.map((n) => x(s.map((d, i) => (i === (axis + s.length) % s.length ? n : d))))), fc.constant({ axis })),
          ),
        ),
      );
    case 'expand':
      return shapeArb(0, 4, 0, 3).chain((to) => broadcastFrom(to).chain((from) => withAttrs(x(from).map((t) => [t]), fc.constant({ shape: to }))));
    case 'gather':
      return shapeArb(1, 3, 1, 4).chain((s) =>
        fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
          shapeArb(0, 2, 0, 3).chain((is) => {
            const n = sizeOf(is);
            const idx = fc.array(fc.integer({ min: -s[axis]!, max: s[axis]! - 1 }), { minLength: n, maxLength: n }).map((d) => tensor('int32', is, d));
            return withAttrs(fc.tuple(x(s), idx), fc.constant({ axis }));
          }),
        ),
      );
    default:
      return shapeArb(1, 3, 1, 4).chain((s) =>
        fc.constantFrom('constant', 'reflect', 'edge').chain((mode) =>
          withAttrs(
            x(s).map((t) => [t]),
            fc.tuple(...s.flatMap((d) => [0, 1].map(() => fc.integer({ min: 0, max: mode === 'reflect' ? d - 1 : 2 })))).map((pads) => ({ pads, mode, value: dtype === 'bool' ? 1 : 3 })),
          ),
        ),
      );
  }
}

function conv(op: string, dtype: DType): Arb {
  const i = (min: number, max: number) => fc.integer({ min, max });
  if (op === 'conv2d') {
    // Height and width apart (asymmetric pairs), widths up to 30 so strided and dilated outputs reach 8 and
    // more columns, and 0 input channels (the output is the bias), 0 images, 0 output channels.
    return fc
      .record({ n: i(0, 2), g: i(1, 2), cpg: i(0, 3), opg: i(0, 2), h: i(1, 6), w: fc.oneof(i(1, 6), i(8, 30)), kh: i(1, 3), kw: i(1, 3), sh: i(1, 2), sw: i(1, 3), ph: i(0, 1), pw: i(0, 2), dh: i(1, 2), dw: i(1, 3), bias: fc.boolean() })
      .filter(({ h, w, kh, kw, ph, pw, dh, dw }) => h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1)
      .filter(({ n, g, cpg, opg, h, w }) => n * g * Math.max(cpg, 1) * Math.max(opg, 1) * h * w <= 2_000)
      .chain((r) =>
        withAttrs(
          fc.tuple(
            tensorArb(dtype, [r.n, r.g * r.cpg, r.h, r.w], op),
            tensorArb(dtype, [r.g * r.opg, r.cpg, r.kh, r.kw], op),
            ...(r.bias ? [tensorArb(dtype, [r.g * r.opg], op)] : []),
          ),
          fc.constant({ stride: [r.sh, r.sw], padding: [r.ph, r.pw], dilation: [r.dh, r.dw], groups: r.g }),
        ),
      );
  }
  return fc
    .record({ n: i(0, 2), c: i(0, 2), h: i(1, 6), w: fc.oneof(i(1, 6), i(8, 30)), kh: i(1, 3), kw: i(1, 3), s: fc.option(fc.tuple(i(1, 2), i(1, 3)), { nil: null }), ph: i(0, 1), pw: i(0, 1), ceil: fc.boolean(), inc: fc.boolean() })
    .filter(({ h, w, kh, kw, ph, pw }) => 2 * ph <= kh && 2 * pw <= kw && h + 2 * ph >= kh && w + 2 * pw >= kw)
    .chain((r) =>
      withAttrs(
        tensorArb(dtype, [r.n, r.c, r.h, r.w], op).map((t) => [t]),
        fc.constant({ kernelSize: [r.kh, r.kw], stride: r.s, padding: [r.ph, r.pw], ceilMode: r.ceil, ...(op === 'avg_pool2d' ? { countIncludePad: r.inc } : {}) }),
      ),
    );
}

function creation(op: string, dtype: DType): Arb {
  if (op === 'full') {
    const value = dtype === 'int32' ? fc.integer() : values('float64', op);
    return fc.tuple(shapeArb(0, 3, 0, 3), value).map(([shape, v]) => ({ inputs: [], attrs: { shape, value: v, dtype } }));
  }
  return fc
    .record({ start: fc.integer({ min: -20, max: 20 }).map((v) => v / 2), step: fc.constantFrom(0.5, 1, 2, 3, -1, -0.25), n: fc.integer({ min: 0, max: 20 }) })
    .map(({ start, step, n }) => ({ inputs: [], attrs: { start, stop: start + n * step - step / 2, step, dtype } }));
}

/**
 * The fast-check arbitrary of an op's property test for a compute dtype. `targets` are the dtypes a cast
 * may convert into within the property's profile.
 */
export function propertyArbitrary(op: string, dtype: DType, targets: readonly DType[]): Arb {
  const v2 = opsetV2(op, dtype);
  if (v2) return v2;
  switch (getOp(op).family) {
    case 'unary':
      return unary(op, dtype);
    case 'binary':
      return elementwise(op, [dtype, dtype]);
    case 'select':
      return elementwise(op, ['bool', dtype, dtype]);
    case 'cast':
      return fc.tuple(unary(op, dtype), fc.constantFrom(...targets)).map(([p, to]) => ({ inputs: p.inputs, attrs: { dtype: to } }));
    case 'reduce':
      return op === 'argmax' || op === 'argmin' ? argReduction(op, dtype) : reduction(op, dtype, op === 'max' || op === 'min');
    case 'softmax':
      // Rows of lane sizes (16 and more), along the last axis half the time, values at exp's limits.
      return fc.oneof(shapeArb(1, 3, 0, 4), laneShape(1, 3, 0, 67)).chain((s) =>
        withAttrs(tensorArb(dtype, s, op).map((t) => [t]), fc.record({ axis: fc.oneof(fc.constant(-1), fc.integer({ min: -s.length, max: s.length - 1 })) })),
      );
    case 'matmul':
      return matmul(dtype);
    case 'conv':
      return conv(op, dtype);
    case 'movement':
      return movement(op, dtype);
    case 'creation':
      return creation(op, dtype);
    default:
      throw new Error(`conformance: no property arbitrary for ${op}'s family "${getOp(op).family}"`);
  }
}

const int = (min: number, max: number) => fc.integer({ min, max });
const gridArb = (dtype: DType, shape: readonly number[]) => {
  const n = sizeOf(shape);
  return fc.array(int(-8, 8).map((k) => k / 2), { minLength: n, maxLength: n }).map((d) => tensor(dtype, shape, d));
};
const one = (dtype: DType, op: string, shape: fc.Arbitrary<number[]>) => shape.chain((s) => tensorArb(dtype, s, op).map((t) => [t]));
const CTMS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

/** Arbitraries of the operators opset v2 adds (undefined for the others). */
function opsetV2(op: string, dtype: DType): Arb | undefined {
  const schema = getOp(op);
  switch (op) {
    case 'mod':
      return fc.tuple(elementwise(op, [dtype, dtype]), fc.boolean()).map(([p, fmod]) => ({ ...p, attrs: { fmod } }));
    case 'cumsum':
      return shapeArb(1, 3, 0, 5).chain((s) => withAttrs(one(dtype, op, fc.constant(s)), fc.record({ axis: int(-s.length, s.length - 1), exclusive: fc.boolean(), reverse: fc.boolean() })));
    case 'topk':
      return shapeArb(1, 3, 0, 5).chain((s) =>
        int(0, s.length - 1).chain((axis) => withAttrs(tensorArb(dtype, s, 'argmax').map((t) => [t]), fc.record({ axis: fc.constant(axis), k: int(0, s[axis]!), largest: fc.boolean() }))),
      );
    case 'gather_elements':
      return shapeArb(1, 3, 1, 4).chain((s) =>
        int(0, s.length - 1).chain((axis) =>
          fc.tuple(...s.map((d, i) => (i === axis ? int(0, 5) : int(0, d)))).chain((is) => {
            const n = is.reduce((a, d) => a * d, 1);
            const idx = fc.array(int(-s[axis]!, s[axis]! - 1), { minLength: n, maxLength: n }).map((d) => tensor('int32', is, d));
            return withAttrs(fc.tuple(tensorArb(dtype, s, op), idx), fc.constant({ axis }));
          }),
        ),
      );
    case 'tile':
      return shapeArb(0, 3, 0, 3).chain((s) => withAttrs(one(dtype, op, fc.constant(s)), fc.tuple(...s.map(() => int(0, 3))).map((repeats) => ({ repeats }))));
    case 'resize':
      return fc
        .record({ lead: shapeArb(0, 2, 1, 2), h: int(1, 5), w: int(1, 5), oh: int(1, 9), ow: int(1, 9), mode: fc.constantFrom('nearest', 'linear'), ctm: fc.constantFrom(...CTMS), nm: fc.constantFrom(...NEAREST), scaled: fc.boolean() })
        .chain((r) =>
          withAttrs(
            tensorArb(dtype, [...r.lead, r.h, r.w], op).map((t) => [t]),
            fc.constant({ sizes: [r.oh, r.ow], scales: r.scaled ? [r.oh / r.h + 0.25, r.ow / r.w + 0.25] : null, mode: r.mode, coordinateTransformationMode: r.ctm, nearestMode: r.nm }),
          ),
        );
    case 'conv_transpose2d':
      return fc
        .record({ n: int(1, 2), g: int(1, 2), cpg: int(1, 2), opg: int(1, 2), h: int(1, 4), w: int(1, 4), kh: int(1, 3), kw: int(1, 3), s: int(1, 3), p: int(0, 1), d: int(1, 2), op: int(0, 2), bias: fc.boolean() })
        .filter((r) => r.op < Math.max(r.s, r.d) && (r.h - 1) * r.s - 2 * r.p + r.d * (r.kh - 1) + r.op + 1 > 0 && (r.w - 1) * r.s - 2 * r.p + r.d * (r.kw - 1) + r.op + 1 > 0)
        .chain((r) =>
          withAttrs(
            fc.tuple(
              tensorArb(dtype, [r.n, r.g * r.cpg, r.h, r.w], op),
              tensorArb(dtype, [r.g * r.cpg, r.opg, r.kh, r.kw], op),
              ...(r.bias ? [tensorArb(dtype, [r.g * r.opg], op)] : []),
            ),
            fc.constant({ stride: r.s, padding: r.p, outputPadding: r.op, dilation: r.d, groups: r.g }),
          ),
        );
    case 'random_uniform':
      return fc.record({ shape: shapeArb(0, 3, 0, 5), seed: fc.integer({ min: 0, max: 2 ** 53 - 1 }), low: int(-4, 0), span: int(0, 8) }).map((r) => ({ inputs: [], attrs: { shape: r.shape, seed: r.seed, low: r.low, high: r.low + r.span, dtype } }));
    case 'random_normal':
      return fc.record({ shape: shapeArb(0, 3, 0, 5), seed: fc.integer({ min: 0, max: 2 ** 53 - 1 }), mean: int(-4, 4), std: int(0, 3) }).map((r) => ({ inputs: [], attrs: { ...r, dtype } }));
  }
  switch (schema.family) {
    case 'activation':
      return unary(op, dtype);
    case 'layout':
      return op === 'flatten'
        ? shapeArb(0, 4, 0, 3).chain((s) => withAttrs(one(dtype, op, fc.constant(s)), fc.record({ axis: int(-s.length, s.length) }).filter(({ axis }) => s.length > 0 || axis === 0)))
        : shapeArb(0, 4, 1, 2).chain((s) => {
            const ones = s.flatMap((d, i) => (d === 1 ? [i] : []));
            const inserted = int(0, 2).chain((k) => fc.shuffledSubarray(Array.from({ length: s.length + k }, (_, i) => i - (i % 2) * (s.length + k)), { minLength: k, maxLength: k }));
            const axes = op === 'squeeze' ? fc.option(fc.subarray(ones), { nil: null }) : inserted;
            return withAttrs(one(dtype, op, fc.constant(s)), axes.map((a) => ({ axes: a })));
          });
    case 'normalization':
      // Values on a grid of halves: a normalization of near-equal large values cancels beyond any fixed bound.
      return fc.record({ n: int(1, 2), c: int(1, 4), spatial: shapeArb(1, 2, 1, 4) }).chain((r) => {
        const x = gridArb(dtype, [r.n, r.c, ...r.spatial]);
        const p = (name: string) => gridArb(dtype, [r.c]).map((t) => (name === 'var' ? { ...t, data: t.data.map((v) => Math.abs(v) + 0.5) } : t));
        if (op === 'layer_norm') return withAttrs(x.map((t) => [t]), fc.record({ axis: int(-2, 1) }));
        if (op === 'batch_norm') return withAttrs(fc.tuple(x, p('s'), p('b'), p('m'), p('var')));
        if (op === 'group_norm') return withAttrs(fc.tuple(x, p('s'), p('b')), fc.constantFrom(...[1, 2, 4].filter((g) => r.c % g === 0)).map((numGroups) => ({ numGroups })));
        return withAttrs(fc.tuple(x, p('s'), p('b')));
      });
    case 'linear':
      return fc.record({ m: int(1, 4), k: int(0, 4), n: int(1, 4), ta: fc.boolean(), tb: fc.boolean(), c: fc.boolean() }).chain((r) =>
        withAttrs(
          // Grid values keep every product and sum exact in float16 too, so only the bound's own roundings count.
          fc.tuple(gridArb(dtype, r.ta ? [r.k, r.m] : [r.m, r.k]), gridArb(dtype, r.tb ? [r.n, r.k] : [r.k, r.n]), ...(r.c ? [gridArb(dtype, [r.n])] : [])),
          fc.record({ transA: fc.constant(r.ta), transB: fc.constant(r.tb), alpha: fc.constantFrom(1, 0.5, -2), beta: fc.constantFrom(1, 0, 3) }),
        ),
      );
  }
  if (op === 'clip') return withAttrs(one(dtype, op, shapeArb(0, 3, 0, 4)), fc.record({ min: fc.option(int(-3, 3), { nil: null }), max: fc.option(int(-3, 3), { nil: null }) }));
  if (op === 'global_avg_pool2d' || op === 'global_max_pool2d') return withAttrs(one(dtype, op, fc.tuple(int(1, 2), int(1, 3), int(1, 4), int(1, 4)).map((t) => [...t])));
  return undefined;
}
