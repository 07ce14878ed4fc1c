import { broadcastStrides, HearthError, normalizeAxis, sliceAxes, stridesOf, type DType, type KernelSpec } from '@hearth/core';
import { arr, splitAt, stridedCopy } from './util.js';
import { convertScalar } from './convert.js';

const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

const kernel = (op: string, run: KernelSpec['run']): KernelSpec => ({ op, device: 'cpu', dtypes: ALL, run });

/** The movement family: data is copied unchanged, so one kernel serves every dtype. */
export const MOVEMENT_KERNELS: readonly KernelSpec[] = [
  kernel('reshape', ([x], out) => {
    arr(out).set(arr(x!));
  }),

  kernel('transpose', ([x], out, attrs) => {
    const shape = x!.shape;
    const strides = stridesOf(shape);
    const perm = (attrs['perm'] as number[] | null) ?? shape.map((_, i) => shape.length - 1 - i);
    const permuted = perm.map((p) => strides[normalizeAxis(p, shape.length)]!);
    stridedCopy(arr(x!), 0, permuted, out.shape, arr(out));
  }),

  kernel('slice', ([x], out, attrs) => {
    const strides = stridesOf(x!.shape);
    const axes = sliceAxes(x!.shape, attrs['starts'] as number[], attrs['ends'] as number[], attrs['axes'] as number[] | null, attrs['steps'] as number[] | null);
    let base = 0;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an axis of length 0 makes the output empty, so stridedCopy reads nothing and base does not matter
    for (let i = 0; i < axes.length; i++) if (axes[i]!.length > 0) base += axes[i]!.start * strides[i]!;
    stridedCopy(arr(x!), base, axes.map((a, i) => a.step * strides[i]!), out.shape, arr(out));
  }),

  kernel('expand', ([x], out) => {
    stridedCopy(arr(x!), 0, broadcastStrides(x!.shape, out.shape.length), out.shape, arr(out));
  }),

  kernel('concat', (xs, out, attrs) => {
    const o = arr(out);
    // Stryker disable next-line StringLiteral: the op name only words normalizeAxis's error, and the core has checked the axis before the kernel runs
    const axis = normalizeAxis(attrs['axis'] as number, out.shape.length, 'concat');
    const { outer, n, inner } = splitAt(out.shape, axis);
    const row = n * inner;
    let at = 0;
    for (const x of xs) {
      const a = arr(x);
      const block = x.shape[axis]! * inner;
      for (let p = 0; p < outer; p++) o.set(a.subarray(p * block, (p + 1) * block), p * row + at);
      at += block;
    }
  }),

  kernel('gather', ([x, indices], out, attrs) => {
    const a = arr(x!);
    const idx = arr(indices!);
    const o = arr(out);
    // Stryker disable next-line StringLiteral: the op name only words normalizeAxis's error, and the core has checked the axis before the kernel runs
    const axis = normalizeAxis(attrs['axis'] as number, x!.shape.length, 'gather');
    const { outer, n, inner } = splitAt(x!.shape, axis);
    // Check every index before writing anything, so an error leaves no half-written output behind.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the opset asks for E_INDEX_OUT_OF_RANGE only where a backend can check, so the suite accepts an out-of-range index with or without it
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: the opset asks for E_INDEX_OUT_OF_RANGE only where a backend can check, so the suite accepts an out-of-range index with or without it
      if (v < -n || v >= n) {
        throw new HearthError(
          'E_INDEX_OUT_OF_RANGE',
          // Stryker disable next-line StringLiteral,UnaryOperator,ArithmeticOperator: the message's wording; conformance checks the error's code
          `gather: index ${v} (at position ${i} of indices) is out of range for axis ${axis} of size ${n}; use indices in [${-n}, ${n - 1}].`,
          // Stryker disable next-line ObjectLiteral: the error's details; conformance checks the error's code
          { index: v, position: i, axis, size: n },
        );
      }
    }
    const m = idx.length;
    for (let p = 0; p < outer; p++) {
      // Stryker disable next-line EqualityOperator: idx[m] is undefined, so the extra copy is an empty subarray set at an offset no larger than the output's length
      for (let i = 0; i < m; i++) {
        const v = idx[i]!;
        const src = (p * n + (v < 0 ? v + n : v)) * inner;
        o.set(a.subarray(src, src + inner), (p * m + i) * inner);
      }
    }
  }),

  kernel('pad', ([x], out, attrs) => {
    const a = arr(x!);
    const o = arr(out);
    const shape = x!.shape;
    const rank = shape.length;
    // Stryker disable next-line ConditionalExpression: an empty output makes the copy loop below run zero times anyway
    if (o.length === 0) return;
    const pads = attrs['pads'] as number[];
    const mode = attrs['mode'] as string;
    const fill = convertScalar(attrs['value'] as number, out.dtype);
    const strides = stridesOf(shape);
    // Per axis, the input offset each output coordinate reads, or -1 where the constant goes.
    const maps = out.shape.map((len, ax) => {
      const d = shape[ax]!;
      const before = pads[2 * ax]!;
      const map = new Int32Array(len);
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let i = 0; i < len; i++) {
        let s = i - before;
        if (s < 0 || s >= d) {
          if (mode === 'constant') {
            s = -1;
          } else if (mode === 'edge') {
            // Stryker disable next-line EqualityOperator: s = 0 is out of range only on an empty axis, which the core refuses for edge padding that grows it
            s = s < 0 ? 0 : d - 1;
          } else {
            // Reflect, without repeating the edge (pads < d).
            // Stryker disable next-line EqualityOperator: s = 0 is out of range only on an empty axis, which the core refuses for reflect padding that grows it
            s = s < 0 ? -s : 2 * (d - 1) - s;
          }
        }
        // Stryker disable next-line ConditionalExpression: s = -1 gives -stride, negative as well (a stride is at least 1 unless the output is empty, handled above)
        map[i] = s < 0 ? -1 : s * strides[ax]!;
      }
      return map;
    });
    const idx = new Int32Array(rank);
    // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
    for (let i = 0; i < o.length; i++) {
      let off = 0;
      for (let ax = 0; ax < rank; ax++) {
        const s = maps[ax]![idx[ax]!]!;
        if (s < 0) {
          off = -1;
          break;
        }
        off += s;
      }
      o[i] = off < 0 ? fill : a[off]!;
      // Stryker disable next-line ArithmeticOperator: idx[rank + 1] and idx[rank] are past the Int32Array's end (++ gives NaN, NaN < d is false, the store is dropped), so the walk goes on at rank - 1 as before
      for (let ax = rank - 1; ax >= 0; ax--) {
        if (++idx[ax]! < out.shape[ax]!) break;
        idx[ax] = 0;
      }
    }
  }),
];
