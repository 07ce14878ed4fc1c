import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthError, type DType, type Hearth } from '@hearth/core';
import { cpuHearth, leakFree, numel, randomValues, ravel, rng, t, unravel, values } from './test-util.js';

const ALL: DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Builds an output by asking, for each output multi-index, which input element (or -1: a fill) it holds. */
function gatherBy(data: number[], inShape: number[], outShape: number[], source: (idx: number[]) => number[] | null, fill = 0): number[] {
  return Array.from({ length: numel(outShape) }, (_, i) => {
    const src = source(unravel(i, outShape));
    return src === null ? fill : data[ravel(src, inShape)]!;
  });
}

/** Python's slice.indices(), then the index list. */
function pyIndices(start: number, end: number, step: number, dim: number): number[] {
  const clamp = (v: number) => (v < 0 ? Math.max(v + dim, step > 0 ? 0 : -1) : Math.min(v, step > 0 ? dim : dim - 1));
  const out: number[] = [];
  for (let i = clamp(start); step > 0 ? i < clamp(end) : i > clamp(end); i += step) out.push(i);
  return out;
}

describe('movement kernels', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('reshape keeps row-major order, for every dtype and rank 0', () =>
    leakFree(h, () => {
      for (const dtype of ALL) {
        const data = randomValues(rng(1), 6, dtype);
        const y = h.reshape(t(h, data, [2, 3], dtype), [3, -1]);
        expect(y.shape).toEqual([3, 2]);
        expect(values(y)).toEqual(data);
      }
      expect(values(h.reshape(t(h, [5], []), [1, 1]))).toEqual([5]);
      expect(h.reshape(t(h, [5], [1]), []).shape).toEqual([]);
      expect(h.reshape(t(h, [], [0, 3]), [3, 0, 2]).size).toBe(0);
    }));

  it('transpose: hand-checked, default reversal, negative perm, and random 4-D against the reference', () =>
    leakFree(h, () => {
      const x = t(h, [1, 2, 3, 4, 5, 6], [2, 3]);
      expect(values(h.transpose(x))).toEqual([1, 4, 2, 5, 3, 6]);
      expect(values(h.transpose(x, [-1, 0]))).toEqual([1, 4, 2, 5, 3, 6]);
      expect(values(h.transpose(x, [0, 1]))).toEqual([1, 2, 3, 4, 5, 6]);
      const rand = rng(2);
      const shape = [2, 3, 1, 4];
      for (const dtype of ALL) {
        const data = randomValues(rand, numel(shape), dtype);
        for (const perm of [[3, 1, 0, 2], [0, 2, 3, 1], [1, 0, 3, 2]]) {
          const y = h.transpose(t(h, data, shape, dtype), perm);
          const outShape = perm.map((p) => shape[p]!);
          expect(y.shape).toEqual(outShape);
          expect(values(y)).toEqual(gatherBy(data, shape, outShape, (idx) => shape.map((_, ax) => idx[perm.indexOf(ax)]!)));
        }
      }
      expect(h.transpose(t(h, [], [0, 2])).shape).toEqual([2, 0]);
      expect(values(h.transpose(t(h, [7], [])))).toEqual([7]);
    }));

  it('slice: steps, negative steps, negative indices and clamping (hand-checked)', () =>
    leakFree(h, () => {
      const x = t(h, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10], 'int32');
      const s = (starts: number[], ends: number[], steps?: number[]) => values(h.slice(x, { starts, ends, steps }));
      expect(s([1], [8], [3])).toEqual([1, 4, 7]);
      expect(s([-1], [-100], [-1])).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(s([8], [2], [-2])).toEqual([8, 6, 4]);
      expect(s([-100], [100])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(s([-3], [10])).toEqual([7, 8, 9]);
      expect(s([5], [2])).toEqual([]);
      expect(s([2], [5], [-1])).toEqual([]);
      const m = t(h, [1, 2, 3, 4, 5, 6], [2, 3]);
      expect(values(h.slice(m, { starts: [-1], ends: [-4], axes: [-1], steps: [-2] }))).toEqual([3, 1, 6, 4]);
    }));

  it('slice matches Python slicing on random 3-D tensors', () =>
    leakFree(h, () => {
      const rand = rng(4);
      const shape = [4, 5, 3];
      const data = randomValues(rand, numel(shape), 'float64');
      const x = t(h, data, shape, 'float64');
      const pick = () => Math.floor(rand() * 14) - 7;
      for (let trial = 0; trial < 40; trial++) {
        const starts = [pick(), pick(), pick()];
        const ends = [pick(), pick(), pick()];
        const steps = [0, 1, 2].map(() => (Math.floor(rand() * 3) + 1) * (rand() < 0.5 ? -1 : 1));
        const lists = shape.map((d, ax) => pyIndices(starts[ax]!, ends[ax]!, steps[ax]!, d));
        const outShape = lists.map((l) => l.length);
        const y = h.slice(x, { starts, ends, steps });
        expect(y.shape).toEqual(outShape);
        expect(values(y)).toEqual(gatherBy(data, shape, outShape, (idx) => idx.map((v, ax) => lists[ax]![v]!)));
      }
    }));

  it('concat joins along any axis (negative too), with empty pieces, promotion and every dtype', () =>
    leakFree(h, () => {
      const a = t(h, [1, 2, 3, 4], [2, 2]);
      const b = t(h, [5, 6], [1, 2]);
      expect(values(h.concat([a, b]))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(values(h.concat([a, t(h, [7, 8], [2, 1])], -1))).toEqual([1, 2, 7, 3, 4, 8]);
      expect(values(h.concat([t(h, [], [2, 0]), a, t(h, [], [2, 0])], 1))).toEqual([1, 2, 3, 4]);
      const p = h.concat([t(h, [1], [1], 'int32'), t(h, [0.5], [1]), t(h, [1], [1], 'bool')]);
      expect(p.dtype).toBe('float32');
      expect(values(p)).toEqual([1, 0.5, 1]);
      const rand = rng(6);
      for (const dtype of ALL) {
        for (const axis of [0, 1, 2, -1]) {
          const shapes = [1, 3, 2].map((n) => [2, 3, 4].map((d, i) => (i === (axis + 3) % 3 ? n : d)));
          const datas = shapes.map((s) => randomValues(rand, numel(s), dtype));
          const y = h.concat(datas.map((d, i) => t(h, d, shapes[i]!, dtype)), axis);
          const ax = (axis + 3) % 3;
          const outShape = shapes[0]!.map((d, i) => (i === ax ? 6 : d));
          expect(y.shape).toEqual(outShape);
          const expected = Array.from({ length: numel(outShape) }, (_, i) => {
            const idx = unravel(i, outShape);
            let k = 0;
            while (idx[ax]! >= shapes[k]![ax]!) idx[ax]! -= shapes[k++]![ax]!;
            return datas[k]![ravel(idx, shapes[k]!)]!;
          });
          expect(values(y)).toEqual(expected);
        }
      }
    }));

  it('expand broadcasts size-1 and missing axes, keeping -1 axes', () =>
    leakFree(h, () => {
      expect(values(h.expand(t(h, [1, 2, 3], [3, 1]), [3, 2]))).toEqual([1, 1, 2, 2, 3, 3]);
      expect(values(h.expand(t(h, [4], []), [2, 2]))).toEqual([4, 4, 4, 4]);
      expect(values(h.expand(t(h, [1, 2], [2]), [2, -1]))).toEqual([1, 2, 1, 2]);
      expect(h.expand(t(h, [1], [1]), [3, 0]).shape).toEqual([3, 0]);
      const rand = rng(8);
      for (const dtype of ALL) {
        const from = [3, 1, 4];
        const to = [2, 3, 5, 4];
        const data = randomValues(rand, numel(from), dtype);
        const y = h.expand(t(h, data, from, dtype), to);
        expect(values(y)).toEqual(gatherBy(data, from, to, (idx) => from.map((d, i) => (d === 1 ? 0 : idx[i + 1]!))));
      }
    }));

  it('gather takes slices at indices, negative ones from the end, with any indices shape', () =>
    leakFree(h, () => {
      const x = t(h, [1, 2, 3, 4, 5, 6], [3, 2]);
      expect(values(h.gather(x, t(h, [2, 0, -1], [3], 'int32')))).toEqual([5, 6, 1, 2, 5, 6]);
      const y = h.gather(x, t(h, [1, 0], [1, 2], 'int32'), -1);
      expect(y.shape).toEqual([3, 1, 2]);
      expect(values(y)).toEqual([2, 1, 4, 3, 6, 5]);
      const s = h.gather(x, t(h, [-2], [], 'int32'));
      expect(s.shape).toEqual([2]);
      expect(values(s)).toEqual([3, 4]);
      expect(h.gather(x, t(h, [], [0], 'int32')).shape).toEqual([0, 2]);
      const rand = rng(9);
      const shape = [3, 4, 2];
      for (const dtype of ALL) {
        const data = randomValues(rand, numel(shape), dtype);
        for (const axis of [0, 1, 2]) {
          const n = shape[axis]!;
          const ind = Array.from({ length: 5 }, () => Math.floor(rand() * 2 * n) - n);
          const g = h.gather(t(h, data, shape, dtype), t(h, ind, [5], 'int32'), axis);
          const outShape = shape.map((d, i) => (i === axis ? 5 : d));
          expect(values(g)).toEqual(gatherBy(data, shape, outShape, (idx) => idx.map((v, i) => (i === axis ? (ind[v]! + n) % n : v))));
        }
      }
    }));

  it('gather rejects an out-of-range index with E_INDEX_OUT_OF_RANGE naming the index and axis size, and leaks nothing', () =>
    leakFree(h, () => {
      const x = t(h, [1, 2, 3, 4, 5, 6], [3, 2]);
      for (const bad of [3, -4, 1000]) {
        let err: unknown;
        try {
          h.gather(x, t(h, [0, bad], [2], 'int32'));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(HearthError);
        expect((err as HearthError).code).toBe('E_INDEX_OUT_OF_RANGE');
        expect((err as HearthError).message).toContain(`index ${bad}`);
        expect((err as HearthError).message).toContain('size 3');
      }
      expect(() => h.gather(t(h, [], [0, 2]), t(h, [0], [1], 'int32'))).toThrow(expect.objectContaining({ code: 'E_INDEX_OUT_OF_RANGE' }));
    }));

  it('pad: constant, reflect and edge (hand-checked)', () =>
    leakFree(h, () => {
      const x = t(h, [1, 2, 3], [3]);
      expect(values(h.pad(x, [2, 1], { value: 9 }))).toEqual([9, 9, 1, 2, 3, 9]);
      expect(values(h.pad(x, [2, 2], { mode: 'reflect' }))).toEqual([3, 2, 1, 2, 3, 2, 1]);
      expect(values(h.pad(x, [2, 1], { mode: 'edge' }))).toEqual([1, 1, 1, 2, 3, 3]);
      expect(values(h.pad(t(h, [1, 2, 3, 4], [2, 2]), [1, 0, 0, 1]))).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
      expect(values(h.pad(t(h, [1, 2], [2], 'int32'), [1, 1], { value: -2.7 }))).toEqual([-2, 1, 2, -2]);
      expect(values(h.pad(t(h, [1], [1], 'bool'), [1, 0], { value: NaN }))).toEqual([1, 1]);
      expect(values(h.pad(t(h, [], [0]), [1, 2], { value: 5 }))).toEqual([5, 5, 5]);
      expect(values(h.pad(t(h, [4], []), []))).toEqual([4]);
      expect(values(h.pad(x, [0, 0], { value: NaN }))).toEqual([1, 2, 3]);
    }));

  it('pad matches the reference for every mode and dtype on a random 3-D tensor', () =>
    leakFree(h, () => {
      const rand = rng(10);
      const shape = [3, 4, 5];
      const pads = [2, 1, 0, 3, 4, 2];
      for (const dtype of ALL) {
        const data = randomValues(rand, numel(shape), dtype);
        for (const mode of ['constant', 'reflect', 'edge'] as const) {
          const y = h.pad(t(h, data, shape, dtype), pads, { mode, value: 1 });
          const outShape = shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
          expect(y.shape).toEqual(outShape);
          // Per axis, the input index each output position reads (-1: the constant), built piece by piece.
          const lists = shape.map((d, i) => {
            const [before, after] = [pads[2 * i]!, pads[2 * i + 1]!];
            const mid = Array.from({ length: d }, (_, k) => k);
            const range = (n: number, f: (k: number) => number) => Array.from({ length: n }, (_, k) => f(k));
            if (mode === 'constant') return [...range(before, () => -1), ...mid, ...range(after, () => -1)];
            if (mode === 'edge') return [...range(before, () => 0), ...mid, ...range(after, () => d - 1)];
            return [...range(before, (k) => before - k), ...mid, ...range(after, (k) => d - 2 - k)];
          });
          const expected = gatherBy(data, shape, outShape, (idx) => {
            const src = idx.map((v, ax) => lists[ax]![v]!);
            return src.includes(-1) ? null : src;
          }, 1);
          expect(values(y)).toEqual(expected);
        }
      }
    }));
});
