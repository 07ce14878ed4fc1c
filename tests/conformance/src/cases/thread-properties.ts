import fc from 'fast-check';
import { getOp, type DType } from '@hearth/core';
import { random, randomInts, tensor } from './data.js';
import { Rng } from '../numeric/rng.js';
import type { PropertyInput } from './properties.js';
import type { TensorInput } from './types.js';

// The thread-split regime of the `large` tier's `property-threads` draws: work past the sizes from which
// fast backends split it over threads (elementwise 2^18 elements, reductions 300,000, matmul and conv2d
// 2^20 multiply-adds), shapes around vector widths, values from a seed (uniform, or small integers whose
// sums are exact, so a chunk a thread never adds fails a tight bound).

type Arb = fc.Arbitrary<PropertyInput>;

const ELEMENTWISE = 1 << 18;
const REDUCTION = 300_000;

/** A row length around a vector width or unroll factor. */
const lane = fc.constantFrom(15, 16, 17, 31, 33, 63, 64, 65);

/** Values of a large tensor from a seed: uniform in [-r, r], or integers in [-8, 8]. */
function seeded(dtype: DType, shape: readonly number[], r: number, lo = -r): fc.Arbitrary<TensorInput> {
  return fc.tuple(fc.integer(), fc.boolean()).map(([seed, ints]) =>
    ints || dtype !== 'float32' ? randomInts(new Rng(seed), dtype, shape, Math.max(-8, Math.ceil(lo)), 8) : random(new Rng(seed), dtype, shape, lo, r),
  );
}

const call = (inputs: fc.Arbitrary<TensorInput[]>, attrs: fc.Arbitrary<Record<string, unknown>> = fc.constant({})): Arb =>
  fc.tuple(inputs, attrs).map(([i, a]) => ({ inputs: i, attrs: a }));

/** [rows, lane] with rows · lane just past `min`. */
const rowsOf = (min: number) => fc.tuple(lane, fc.integer({ min: 0, max: 40 })).map(([w, extra]) => [Math.ceil(min / w) + extra, w]);

/** Inputs of an elementwise op past the split, with a row or scalar repeating on either side. */
function elementwise(op: string, dtypes: readonly DType[], range: number): Arb {
  return rowsOf(ELEMENTWISE).chain((out) =>
    fc.tuple(fc.constantFrom('same', 'row', 'scalar'), fc.integer({ min: 0, max: dtypes.length - 1 })).chain(([pattern, rep]) => {
      const small = pattern === 'row' ? out.slice(1) : pattern === 'scalar' ? [] : out;
      const lo = op === 'log' || op === 'sqrt' || op === 'rsqrt' || op === 'pow' ? 0.01 : -range;
      return call(fc.tuple(...dtypes.map((d, i) => (d === 'bool' ? fc.integer().map((s) => random(new Rng(s), 'bool', i === rep ? small : out)) : seeded(d, i === rep ? small : out, range, lo)))));
    }),
  );
}

/** The thread-split arbitrary of an op, or undefined where the op's family has none (movement, creation). */
export function threadArbitrary(op: string, dtype: DType): Arb | undefined {
  const family = getOp(op).family;
  switch (family) {
    case 'unary':
    case 'cast':
      return elementwise(op, [dtype], op === 'exp' ? 80 : 100).map((p) => (family === 'cast' ? { ...p, attrs: { dtype: 'int32' } } : p));
    case 'binary':
      return elementwise(op, [dtype, dtype], op === 'pow' ? 4 : 100);
    case 'select':
      return elementwise(op, ['bool', dtype, dtype], 100);
    case 'reduce': {
      const arg = op === 'argmax' || op === 'argmin';
      return fc.constantFrom(1, 2, 5, 7).chain((rows) => {
        const shape = [rows, Math.ceil(REDUCTION / rows)];
        // prod of ±1 (exact in any order); others small integers or uniform values.
        const x = op === 'prod' ? fc.integer().map((s) => tensor(dtype, shape, randomInts(new Rng(s), dtype, shape, 0, 1).data.map((v) => (v ? 1 : -1)))) : seeded(dtype, shape, 100);
        return call(x.map((t) => [t]), arg ? fc.record({ axis: fc.constantFrom(-1, null), keepdims: fc.boolean() }) : fc.record({ axes: fc.constantFrom([-1], null), keepdims: fc.boolean() }));
      });
    }
    case 'softmax':
      return fc.constantFrom(1, 17, 64).chain((rows) => call(seeded(dtype, [rows, Math.ceil(ELEMENTWISE / rows) + 3], 100).map((t) => [t]), fc.constant({ axis: -1 })));
    case 'matmul':
      return fc
        .record({ m: fc.constantFrom(64, 68), k: fc.constantFrom(256, 257, 300), n: fc.constantFrom(64, 65) })
        .chain(({ m, k, n }) => call(fc.tuple(seeded(dtype, [m, k], 3), seeded(dtype, [k, n], 3))));
    case 'conv':
      if (op === 'conv2d') {
        return fc
          .record({ h: fc.constantFrom(34, 35), w: fc.constantFrom(34, 35), o: fc.constantFrom(32, 33), p: fc.constantFrom(0, 1), d: fc.constantFrom(1, 2), bias: fc.boolean() })
          .chain((r) =>
            call(
              fc.tuple(seeded(dtype, [1, 8, r.h, r.w], 3), seeded(dtype, [r.o, 8, 3, 3], 3), ...(r.bias ? [seeded(dtype, [r.o], 3)] : [])),
              fc.constant({ padding: [r.p, r.p], dilation: [r.d, 1] }),
            ),
          );
      }
      if (op === 'max_pool2d' || op === 'avg_pool2d') {
        return fc
          .record({ k: fc.constantFrom(2, 3), s: fc.constantFrom(1, 2) })
          .chain((r) => call(seeded(dtype, [1, 16, 130, 131], 100).map((t) => [t]), fc.constant({ kernelSize: [r.k, r.k], stride: [r.s, r.s] })));
      }
      return undefined; // conv_transpose2d and the global pools (opset v2) have no thread regime yet
    default:
      return undefined;
  }
}
