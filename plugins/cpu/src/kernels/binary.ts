import { sameShape, type DType, type KernelSpec } from '@hearth/core';
import { arr, forEachBroadcast } from './util.js';
import { floorMod, fmax, fmin, intMod, ipow } from './math.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** One broadcasting elementwise kernel from a scalar function; same-shape inputs skip index arithmetic. */
export function binaryKernel(op: string, fn: (a: number, b: number) => number, dtypes: readonly DType[]): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes,
    run([a, b], out) {
      const x = arr(a!);
      const y = arr(b!);
      const o = arr(out);
      // Stryker disable next-line BlockStatement,ConditionalExpression: a fast path for same-shape inputs; the general broadcast walk gives the same result
      if (sameShape(a!.shape, b!.shape)) {
        // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
        for (let i = 0; i < o.length; i++) o[i] = fn(x[i]!, y[i]!);
        return;
      }
      forEachBroadcast(out.shape, [a!.shape, b!.shape], (i, off) => {
        o[i] = fn(x[off[0]!]!, y[off[1]!]!);
      });
    },
  };
}

/** A kernel with one function for floats and one for int32 (where wrap-around needs care). */
const split = (op: string, f: (a: number, b: number) => number, i: (a: number, b: number) => number): KernelSpec[] => [
  binaryKernel(op, f, FLOATS),
  binaryKernel(op, i, ['int32']),
];

const cmp = (op: string, fn: (a: number, b: number) => boolean) => binaryKernel(op, (a, b) => (fn(a, b) ? 1 : 0), ALL);

/** The binary family. */
export const BINARY_KERNELS: readonly KernelSpec[] = [
  ...split('add', (a, b) => a + b, (a, b) => (a + b) | 0),
  ...split('sub', (a, b) => a - b, (a, b) => (a - b) | 0),
  ...split('mul', (a, b) => a * b, Math.imul),
  binaryKernel('div', (a, b) => a / b, FLOATS),
  ...split('pow', Math.pow, ipow),
  binaryKernel('maximum', fmax, ['float32', 'float64', 'int32']),
  binaryKernel('minimum', fmin, ['float32', 'float64', 'int32']),
  cmp('eq', (a, b) => a === b),
  cmp('ne', (a, b) => a !== b),
  cmp('lt', (a, b) => a < b),
  cmp('le', (a, b) => a <= b),
  cmp('gt', (a, b) => a > b),
  cmp('ge', (a, b) => a >= b),
  cmp('logical_and', (a, b) => a !== 0 && b !== 0),
  cmp('logical_or', (a, b) => a !== 0 || b !== 0),
  modKernel(),
];

/** mod: the fmod attribute picks truncated or floored remainder; int32 and floats differ at b = 0. */
function modKernel(): KernelSpec {
  const floats = { trunc: binaryKernel('mod', (a, b) => a % b, FLOATS), floor: binaryKernel('mod', floorMod, FLOATS) };
  const ints = { trunc: binaryKernel('mod', (a, b) => intMod(a, b, true), ['int32']), floor: binaryKernel('mod', (a, b) => intMod(a, b, false), ['int32']) };
  return {
    op: 'mod',
    device: 'cpu',
    dtypes: ['float32', 'float64', 'int32'],
    run(inputs, out, attrs, ctx) {
      const family = out.dtype === 'int32' ? ints : floats;
      (attrs['fmod'] ? family.trunc : family.floor).run(inputs, out, attrs, ctx);
    },
  };
}
