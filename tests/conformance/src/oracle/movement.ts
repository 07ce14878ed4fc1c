import { sizeOf, stridesOf, type DType } from '@hearth/core';
import { broadcastOffset, unravel } from './nd.js';
import { roundTo } from '../numeric/float.js';
import type { Expected, OracleFn, OracleTensor } from './types.js';

const norm = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** Builds an output by asking, per output multi-index, which input element (or constant) it holds. */
function gatherBy(shape: readonly number[], dtype: DType, at: (idx: number[]) => number): Expected {
  const n = sizeOf(shape);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = at(unravel(i, shape));
  return { shape: shape.slice(), dtype, values };
}

const read = (x: OracleTensor, idx: readonly number[]) => {
  const s = stridesOf(x.shape);
  return x.data[idx.reduce((o, v, i) => o + v * s[i]!, 0)]!;
};

/** Python slicing of one axis: first index, step and count. */
function sliceAxis(dim: number, start: number, end: number, step: number): { start: number; step: number; n: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
  if (step > 0) {
    const s = clamp(start, 0, dim);
    return { start: s, step, n: Math.max(0, Math.ceil((clamp(end, 0, dim) - s) / step)) };
  }
  const s = clamp(start, -1, dim - 1);
  return { start: s, step, n: Math.max(0, Math.ceil((s - clamp(end, -1, dim - 1)) / -step)) };
}

/** References of the movement ops: all exact. */
export const movementOracles: Record<string, OracleFn> = {
  reshape([x], attrs, _c, out) {
    const to = attrs['shape'] as number[];
    const known = to.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const shape = to.map((d) => (d === -1 ? x!.data.length / known : d));
    return { shape, dtype: out, values: Float64Array.from(x!.data) };
  },
  transpose([x], attrs, _c, out) {
    const rank = x!.shape.length;
    const perm = ((attrs['perm'] as number[] | null) ?? x!.shape.map((_, i) => rank - 1 - i)).map((p) => norm(p, rank));
    const shape = perm.map((p) => x!.shape[p]!);
    return gatherBy(shape, out, (idx) => {
      const src = new Array<number>(rank);
      perm.forEach((p, i) => (src[p] = idx[i]!));
      return read(x!, src);
    });
  },
  slice([x], attrs, _c, out) {
    const rank = x!.shape.length;
    const starts = attrs['starts'] as number[];
    const axes = ((attrs['axes'] as number[] | null) ?? starts.map((_, i) => i)).map((a) => norm(a, rank));
    const steps = (attrs['steps'] as number[] | null) ?? starts.map(() => 1);
    const per = x!.shape.map((d) => ({ start: 0, step: 1, n: d }));
    axes.forEach((a, i) => (per[a] = sliceAxis(x!.shape[a]!, starts[i]!, (attrs['ends'] as number[])[i]!, steps[i]!)));
    return gatherBy(per.map((p) => p.n), out, (idx) => read(x!, idx.map((v, a) => per[a]!.start + v * per[a]!.step)));
  },
  concat(xs, attrs, _c, out) {
    const rank = xs[0]!.shape.length;
    const axis = norm(attrs['axis'] as number, rank);
    const shape = xs[0]!.shape.slice();
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    return gatherBy(shape, out, (idx) => {
      let k = 0;
      let at = idx[axis]!;
      while (at >= xs[k]!.shape[axis]!) at -= xs[k++]!.shape[axis]!;
      const src = idx.slice();
      src[axis] = at;
      return read(xs[k]!, src);
    });
  },
  expand([x], attrs, _c, out) {
    const to = attrs['shape'] as number[];
    const shape = to.map((d, i) => (d === -1 ? x!.shape[i - (to.length - x!.shape.length)]! : d));
    return gatherBy(shape, out, (idx) => x!.data[broadcastOffset(idx, x!.shape)]!);
  },
  gather([x, indices], attrs, _c, out) {
    const rank = x!.shape.length;
    const axis = norm(attrs['axis'] as number, rank);
    const ir = indices!.shape.length;
    const shape = [...x!.shape.slice(0, axis), ...indices!.shape, ...x!.shape.slice(axis + 1)];
    return gatherBy(shape, out, (idx) => {
      const which = indices!.data[idx.slice(axis, axis + ir).reduce((o, v, i) => o * indices!.shape[i]! + v, 0)]!;
      const dim = x!.shape[axis]!;
      return read(x!, [...idx.slice(0, axis), which < 0 ? which + dim : which, ...idx.slice(axis + ir)]);
    });
  },
  pad([x], attrs, _c, out) {
    const pads = attrs['pads'] as number[];
    const mode = attrs['mode'] as string;
    const value = roundTo(out, attrs['value'] as number);
    const shape = x!.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
    return gatherBy(shape, out, (idx) => {
      const src: number[] = [];
      for (let a = 0; a < idx.length; a++) {
        const d = x!.shape[a]!;
        let s = idx[a]! - pads[2 * a]!;
        if (s < 0 || s >= d) {
          if (mode === 'constant') return value;
          s = mode === 'edge' ? Math.min(Math.max(s, 0), d - 1) : s < 0 ? -s : 2 * (d - 1) - s;
        }
        src.push(s);
      }
      return read(x!, src);
    });
  },
};

/** References of the creation ops: values computed in float64, then converted as cast does. */
export const creationOracles: Record<string, OracleFn> = {
  full(_ins, attrs, _c, out) {
    const shape = attrs['shape'] as number[];
    return { shape: shape.slice(), dtype: out, values: new Float64Array(sizeOf(shape)).fill(roundTo(out, attrs['value'] as number)) };
  },
  arange(_ins, attrs, _c, out) {
    const [start, stop, step] = [attrs['start'], attrs['stop'], attrs['step']] as number[];
    const n = Math.max(0, Math.ceil((stop! - start!) / step!));
    return { shape: [n], dtype: out, values: Float64Array.from({ length: n }, (_, i) => roundTo(out, start! + i * step!)) };
  },
};
