import { unravel } from './nd.js';
import type { OracleFn } from './types.js';

const flat = (idx: readonly number[], shape: readonly number[]) => idx.reduce((off, v, d) => off * shape[d]! + v, 0);

/** gather_elements: out[i] = x[i with its `axis` coordinate replaced by indices[i]]. */
export const gatherElementsOracle: OracleFn = ([x, indices], attrs, _compute, out) => {
  const rank = x!.shape.length;
  const axis = (attrs['axis'] as number) < 0 ? (attrs['axis'] as number) + rank : (attrs['axis'] as number);
  const n = x!.shape[axis]!;
  const shape = [...indices!.shape];
  const values = new Float64Array(indices!.data.length);
  for (let i = 0; i < values.length; i++) {
    const idx = unravel(i, shape);
    const v = indices!.data[i]!;
    if (v < -n || v >= n) throw new Error('oracle: gather_elements index out of range');
    idx[axis] = v < 0 ? v + n : v;
    values[i] = x!.data[flat(idx, x!.shape)]!;
  }
  return { shape, dtype: out, values };
};

/** tile: out[i] = x[i mod x.shape]. */
export const tileOracle: OracleFn = ([x], attrs, _compute, out) => {
  const reps = attrs['repeats'] as number[];
  const shape = x!.shape.map((d, i) => d * reps[i]!);
  const size = shape.reduce((a, d) => a * d, 1);
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) values[i] = x!.data[flat(unravel(i, shape).map((v, d) => v % x!.shape[d]!), x!.shape)]!;
  return { shape, dtype: out, values };
};
