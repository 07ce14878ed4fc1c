import { reductionAxes, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import { arr } from './util.js';
import { reduceInto, type Fold } from './reduce-walk.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];

/**
 * Float sum, compensated (Neumaier) in float64: float32 sums come out correctly rounded in practice and
 * float64 sums lose far less than a plain loop. An infinite partial sum makes the compensation NaN, so it
 * is dropped then.
 */
function floatSum(mean: boolean): Fold {
  let s = 0;
  let c = 0;
  return {
    reset() {
      s = 0;
      c = 0;
    },
    add(v) {
      const t = s + v;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: which operand is larger only picks how the rounding error of s + v is recovered; a wrong pick loses at most u·|v| per term, u·Σ|x| in all, inside sum's order-free bound γ_(n+2)·Σ|x| (at a tie both picks are exact)
      c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
      s = t;
      return false;
    },
    result(n) {
      const total = Number.isFinite(s) ? s + c : s;
      return mean ? total / n : total;
    },
  };
}

/** A plain fold: `acc = step(acc, v)` from `init`. */
function simpleFold(init: number, step: (acc: number, v: number) => number): Fold {
  let acc = init;
  return {
    reset() {
      acc = init;
    },
    add(v) {
      acc = step(acc, v);
      return false;
    },
    result: () => acc,
  };
}

/** argmax/argmin: the first extreme wins on ties; the first NaN wins outright. */
function argFold(better: (v: number, best: number) => boolean): Fold {
  let best = 0;
  // Stryker disable next-line UnaryOperator: reset() sets at = -1 before every output element, so this first value is never read
  let at = -1;
  return {
    reset() {
      at = -1;
    },
    add(v, j) {
      if (v !== v) {
        at = j;
        return true;
      }
      if (at < 0 || better(v, best)) {
        best = v;
        at = j;
      }
      return false;
    },
    result: () => at,
  };
}

const axesOf = (x: KernelTensor, attrs: Readonly<Record<string, unknown>>, op: string) =>
  reductionAxes(x.shape, attrs['axes'] as number[] | null, op);

function reduceKernel(op: string, dtypes: readonly DType[], makeFold: () => Fold): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes,
    run([x], out, attrs) {
      reduceInto(arr(x!), x!.shape, axesOf(x!, attrs, op), arr(out), makeFold());
    },
  };
}

function argKernel(op: string, better: (v: number, best: number) => boolean): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes: NUMERIC,
    run([x], out, attrs) {
      const axis = attrs['axis'] as number | null;
      const axes = reductionAxes(x!.shape, axis === null ? null : [axis], op);
      reduceInto(arr(x!), x!.shape, axes, arr(out), argFold(better));
    },
  };
}

/** The reductions. int32 sum/prod wrap (| 0, Math.imul); max/min propagate NaN through Math.max/min. */
export const REDUCE_KERNELS: readonly KernelSpec[] = [
  reduceKernel('sum', FLOATS, () => floatSum(false)),
  reduceKernel('sum', ['int32'], () => simpleFold(0, (a, v) => (a + v) | 0)),
  reduceKernel('mean', FLOATS, () => floatSum(true)),
  reduceKernel('prod', FLOATS, () => simpleFold(1, (a, v) => a * v)),
  reduceKernel('prod', ['int32'], () => simpleFold(1, Math.imul)),
  reduceKernel('max', NUMERIC, () => simpleFold(-Infinity, Math.max)),
  reduceKernel('min', NUMERIC, () => simpleFold(Infinity, Math.min)),
  argKernel('argmax', (v, best) => v > best),
  argKernel('argmin', (v, best) => v < best),
];
