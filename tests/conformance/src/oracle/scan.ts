import { unravel } from './nd.js';
import { wrapInt32 } from './scalar.js';
import type { OracleFn } from './types.js';

const axisOf = (a: unknown, rank: number) => ((a as number) < 0 ? (a as number) + rank : (a as number));

/** cumsum: each element the exact sum of the ones before it (or after it, reversed), itself included unless exclusive. */
export const cumsumOracle: OracleFn = ([x], attrs, compute, out) => {
  const shape = x!.shape;
  const axis = axisOf(attrs['axis'], shape.length);
  const n = x!.data.length;
  const values = new Float64Array(n);
  const mag = new Float64Array(n);
  const terms = new Float64Array(n);
  const len = shape[axis]!;
  const stride = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  for (let i = 0; i < n; i++) {
    // Each line is walked from its first element (the one whose axis coordinate is 0).
    if (unravel(i, shape)[axis] !== 0) continue;
    const offs = Array.from({ length: len }, (_, j) => i + j * stride);
    const order = attrs['reverse'] ? offs.slice().reverse() : offs;
    // A running compensated (Neumaier) sum: as exact as summing each prefix afresh, in one pass.
    let sum = 0;
    let comp = 0;
    let plain = 0;
    let big = 0n;
    let m = 0;
    order.forEach((o, k) => {
      const v = x!.data[o]!;
      const take = () => {
        values[o] = compute === 'int32' ? wrapInt32(big) : Number.isFinite(plain) ? sum + comp : plain;
        mag[o] = m;
        terms[o] = attrs['exclusive'] ? k : k + 1;
      };
      if (attrs['exclusive']) take();
      if (compute === 'int32') big += BigInt(v);
      else {
        const t = sum + v;
        comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
        sum = t;
        plain += v;
      }
      m += Math.abs(v);
      if (!attrs['exclusive']) take();
    });
  }
  return { shape: [...shape], dtype: out, values, mag, terms };
};

/** topk's order: NaN above everything, -0 equal to +0, then the lower index. */
export const topkOracle: OracleFn = ([x], attrs, _compute, out) => {
  const shape = x!.shape;
  const axis = axisOf(attrs['axis'], shape.length);
  const k = attrs['k'] as number;
  const largest = attrs['largest'] as boolean;
  const outShape = shape.map((d, i) => (i === axis ? k : d));
  const size = outShape.reduce((a, d) => a * d, 1);
  const values = new Float64Array(size);
  const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
  for (let o = 0; o < size; o++) {
    const idx = unravel(o, outShape);
    let base = 0;
    for (let d = 0; d < shape.length; d++) base = base * shape[d]! + (d === axis ? 0 : idx[d]!);
    const stride = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const order = Array.from({ length: shape[axis]! }, (_, j) => j).sort((i, j) => {
      const a = x!.data[base + i * stride]!;
      const b = x!.data[base + j * stride]!;
      const nanA = Number.isNaN(a);
      const nanB = Number.isNaN(b);
      if (nanA !== nanB) return (nanA ? -1 : 1) * (largest ? 1 : -1);
      const diff = nanA ? 0 : rank(a) === rank(b) ? 0 : rank(a) > rank(b) ? 1 : -1;
      return (largest ? -diff : diff) || i - j;
    });
    values[o] = order[idx[axis]!]!;
  }
  return { shape: outShape, dtype: out, values };
};
