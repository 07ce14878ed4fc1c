import { stridesOf, type HostArray, type Shape } from '@hearth/core';

/**
 * A running reduction. `add` gets each element with its position in the reduced sub-space (row-major, so
 * argmax's flat index), and returns true to stop early (a NaN decides argmax). One object per kernel call.
 */
export interface Fold {
  /** Starts a new output element. */
  reset(): void;
  /** Takes the next element; true stops the walk for this output element. */
  add(v: number, j: number): boolean;
  /** The output value, given how many elements were reduced. */
  result(n: number): number;
}

interface Axes {
  dims: number[];
  strides: number[];
}

/**
 * Splits a contiguous input into kept and reduced axes, dropping size-1 axes and merging neighbours of the
 * same kind (they are contiguous in memory), so a reduction over trailing axes becomes one strided row.
 */
function plan(shape: Shape, axes: readonly number[]): { kept: Axes; red: Axes } {
  const strides = stridesOf(shape);
  const kept: Axes = { dims: [], strides: [] };
  const red: Axes = { dims: [], strides: [] };
  let lastReduced: boolean | undefined;
  for (let i = 0; i < shape.length; i++) {
    // Stryker disable next-line ConditionalExpression: dropping size-1 axes is an optimization; kept, such an axis is a loop of one step
    if (shape[i] === 1) continue;
    const reduced = axes.includes(i);
    const g = reduced ? red : kept;
    // Stryker disable next-line ConditionalExpression: merging neighbour axes of the same kind is an optimization; unmerged, the odometer walks them one by one
    if (lastReduced === reduced) {
      g.dims[g.dims.length - 1]! *= shape[i]!;
      g.strides[g.strides.length - 1] = strides[i]!;
    } else {
      g.dims.push(shape[i]!);
      g.strides.push(strides[i]!);
    }
    lastReduced = reduced;
  }
  return { kept, red };
}

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Reduces `x` (of `shape`) over the sorted, normalized `axes` into `out`, in row-major output order. */
export function reduceInto(x: HostArray, shape: Shape, axes: readonly number[], out: HostArray, fold: Fold): void {
  const { kept, red } = plan(shape, axes);
  const outSize = product(kept.dims);
  const redSize = product(red.dims);
  const rn = red.dims.length;
  const lastN = rn > 0 ? red.dims[rn - 1]! : 1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no reduced axis of size > 1 the row has one element (lastN = 1), so its stride is never applied
  const lastS = rn > 0 ? red.strides[rn - 1]! : 0;
  // Stryker disable next-line ConditionalExpression: with redSize = 0, redSize / lastN is 0 too (or NaN if lastN is 0), and r < 0 or r < NaN walks no row
  const rows = redSize === 0 ? 0 : redSize / lastN;
  const kn = kept.dims.length;
  const kIdx = new Int32Array(kn);
  const rIdx = new Int32Array(rn);
  let base = 0;
  // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
  for (let i = 0; i < outSize; i++) {
    fold.reset();
    rIdx.fill(0);
    let rowOff = base;
    let j = 0;
    rows: for (let r = 0; r < rows; r++) {
      for (let k = 0, s = rowOff; k < lastN; k++, s += lastS, j++) if (fold.add(x[s]!, j)) break rows;
      for (let ax = rn - 2; ax >= 0; ax--) {
        rIdx[ax]!++;
        rowOff += red.strides[ax]!;
        if (rIdx[ax]! < red.dims[ax]!) break;
        rowOff -= red.strides[ax]! * rIdx[ax]!;
        rIdx[ax] = 0;
      }
    }
    out[i] = fold.result(redSize);
    for (let ax = kn - 1; ax >= 0; ax--) {
      kIdx[ax]!++;
      base += kept.strides[ax]!;
      if (kIdx[ax]! < kept.dims[ax]!) break;
      base -= kept.strides[ax]! * kIdx[ax]!;
      kIdx[ax] = 0;
    }
  }
}
