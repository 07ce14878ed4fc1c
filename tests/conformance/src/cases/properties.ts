import fc from 'fast-check';
import { getOp, sizeOf, type DType } from '@hearth/core';
import { specials, tensor } from './data.js';
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

function values(dtype: DType, op: string): fc.Arbitrary<number> {
  if (dtype === 'bool') return fc.constantFrom(0, 1);
  if (dtype === 'int32') return op === 'pow' ? fc.integer({ min: -6, max: 6 }) : fc.oneof(fc.integer({ min: -8, max: 8 }), fc.integer());
  // Products stay in [0.5, 2] in magnitude, so no summation order can overflow or underflow where another doesn't.
  if (op === 'prod') return fc.oneof(fc.double({ min: 0.5, max: 2 }), fc.double({ min: -2, max: -0.5 }), fc.constantFrom(0, -0, 1, NaN, Infinity, -Infinity));
  const r = RANGE[op] ?? 1e4;
  const sp = specials(dtype).filter((x) => !EXCLUDE[op]?.(x) && (Math.abs(x) <= r || !Number.isFinite(x)));
  return fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: -r, max: r, noNaN: true }) },
    { weight: 2, arbitrary: fc.integer({ min: -8, max: 8 }).map((k) => k / 2) },
    { weight: 1, arbitrary: fc.constantFrom(...sp) },
  );
}

const shapeArb = (minRank = 0, maxRank = 4, minDim = 0, maxDim = 4) => fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });

function tensorArb(dtype: DType, shape: readonly number[], op: string): fc.Arbitrary<TensorInput> {
  const n = sizeOf(shape);
  return fc.array(values(dtype, op), { minLength: n, maxLength: n }).map((d) => tensor(dtype, shape, d));
}

/** A shape that broadcasts to `out`: some leading axes dropped, some axes set to 1. */
const broadcastFrom = (out: readonly number[]) =>
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

const withAttrs = (inputs: fc.Arbitrary<TensorInput[]>, attrs: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): Arb =>
  fc.tuple(inputs, attrs).map(([i, a]) => ({ inputs: i, attrs: a }));

function unary(op: string, dtype: DType): Arb {
  return withAttrs(shapeArb().chain((s) => tensorArb(dtype, s, op).map((t) => [t])));
}

function elementwise(op: string, dtypes: readonly DType[]): Arb {
  return withAttrs(
    shapeArb(0, 4, 0, 3).chain((out) => fc.tuple(...dtypes.map((d) => broadcastFrom(out).chain((s) => tensorArb(d, s, op))))),
  );
}

function axesOf(rank: number): fc.Arbitrary<number[] | null> {
  return fc.option(fc.subarray(Array.from({ length: rank }, (_, i) => i)).chain((axes) => fc.constant(axes.map((a) => (a % 2 ? a - rank : a)))), { nil: null });
}

function reduction(op: string, dtype: DType, nonEmpty: boolean): Arb {
  return shapeArb(0, 4, nonEmpty ? 1 : 0, 4).chain((s) =>
    withAttrs(tensorArb(dtype, s, op).map((t) => [t]), fc.record({ axes: axesOf(s.length), keepdims: fc.boolean() })),
  );
}

function argReduction(op: string, dtype: DType): Arb {
  // Few distinct values, so ties are common.
  const few = dtype === 'int32' ? fc.integer({ min: -2, max: 2 }) : fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant(NaN));
  return shapeArb(1, 4, 1, 4).chain((s) =>
    withAttrs(
      fc.array(few, { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((d) => [tensor(dtype, s, d)]),
      fc.record({ axis: fc.option(fc.integer({ min: -s.length, max: s.length - 1 }), { nil: null }), keepdims: fc.boolean() }),
    ),
  );
}

function matmul(dtype: DType): Arb {
  const small = (min = 0) => fc.integer({ min, max: 4 });
  return fc
    .record({ m: small(), k: small(), n: small(), batch: shapeArb(0, 2, 1, 3), va: fc.boolean(), vb: fc.boolean() })
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
    return fc
      .record({ n: i(1, 2), g: i(1, 2), cpg: i(1, 2), opg: i(1, 2), h: i(1, 6), w: i(1, 6), kh: i(1, 3), kw: i(1, 3), s: i(1, 2), p: i(0, 1), d: i(1, 2), bias: fc.boolean() })
      .filter(({ h, w, kh, kw, p, d }) => h + 2 * p >= d * (kh - 1) + 1 && w + 2 * p >= d * (kw - 1) + 1)
      .chain((r) =>
        withAttrs(
          fc.tuple(
            tensorArb(dtype, [r.n, r.g * r.cpg, r.h, r.w], op),
            tensorArb(dtype, [r.g * r.opg, r.cpg, r.kh, r.kw], op),
            ...(r.bias ? [tensorArb(dtype, [r.g * r.opg], op)] : []),
          ),
          fc.constant({ stride: r.s, padding: r.p, dilation: r.d, groups: r.g }),
        ),
      );
  }
  return fc
    .record({ n: i(1, 2), c: i(1, 2), h: i(1, 6), w: i(1, 6), k: i(1, 3), s: fc.option(i(1, 2), { nil: null }), p: i(0, 1), ceil: fc.boolean(), inc: fc.boolean() })
    .filter(({ h, w, k, p }) => 2 * p <= k && h + 2 * p >= k && w + 2 * p >= k)
    .chain((r) =>
      withAttrs(
        tensorArb(dtype, [r.n, r.c, r.h, r.w], op).map((t) => [t]),
        fc.constant({ kernelSize: r.k, stride: r.s === null ? null : [r.s], padding: r.p, ceilMode: r.ceil, ...(op === 'avg_pool2d' ? { countIncludePad: r.inc } : {}) }),
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
      return shapeArb(1, 3, 0, 4).chain((s) => withAttrs(tensorArb(dtype, s, op).map((t) => [t]), fc.record({ axis: fc.integer({ min: -s.length, max: s.length - 1 }) })));
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
