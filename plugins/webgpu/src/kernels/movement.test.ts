import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { gpuRuntime, tensor, values } from '../../test/gpu-runtime.js';

// Movement and creation are exact: every element must equal the one the index arithmetic names.

let hearth: Hearth;
beforeAll(async () => ({ hearth } = await gpuRuntime()));
afterAll(() => hearth.dispose());

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('movement', () => {
  const x = () => tensor(hearth, iota(24), [2, 3, 4]);

  it('reshape keeps row-major order', async () => {
    const r = hearth.op('reshape', [x()], { shape: [4, -1] });
    expect(r.shape).toEqual([4, 6]);
    expect(await values(r)).toEqual(iota(24));
  });

  it('transpose permutes axes (and reverses them by default)', async () => {
    const t = await values(hearth.op('transpose', [x()], { perm: [2, 0, 1] }));
    expect(t).toEqual(iota(24).map((i) => {
      const [c, a, b] = [Math.floor(i / 6), Math.floor(i / 3) % 2, i % 3];
      return a * 12 + b * 4 + c;
    }));
    const r = hearth.op('transpose', [x()]);
    expect(r.shape).toEqual([4, 3, 2]);
    expect((await values(r)).slice(0, 4)).toEqual([0, 12, 4, 16]);
  });

  it('slice takes Python slices, negative steps included', async () => {
    const s = hearth.op('slice', [x()], { starts: [-1, 2], ends: [-3, -10], axes: [2, 1], steps: [-2, -1] });
    expect(s.shape).toEqual([2, 3, 1]);
    expect(await values(s)).toEqual([11, 7, 3, 23, 19, 15]);
    const two = hearth.op('slice', [x()], { starts: [3], ends: [-5], axes: [2], steps: [-2] });
    expect(await values(two)).toEqual([3, 1, 7, 5, 11, 9, 15, 13, 19, 17, 23, 21]);
  });

  it('expand broadcasts with stride 0 and concat joins along an axis', async () => {
    const e = hearth.op('expand', [tensor(hearth, [1, 2, 3], [3, 1])], { shape: [2, 3, 2] });
    expect(await values(e)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    const c = hearth.op('concat', [tensor(hearth, [1, 2, 3, 4], [2, 2]), tensor(hearth, [5, 6], [2, 1])], { axis: -1 });
    expect(await values(c)).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it.each([
    ['constant', [9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9, 9, 9, 9, 9]],
    ['reflect', [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2]],
    ['edge', [1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6]],
  ])('pad in %s mode', async (mode, want) => {
    const p = hearth.op('pad', [tensor(hearth, [1, 2, 3, 4, 5, 6], [2, 3])], { pads: [1, 1, 1, 1], mode, value: 9 });
    expect(p.shape).toEqual([4, 5]);
    expect(await values(p)).toEqual(want);
  });

  it('gather takes slices at int32 indices, negative ones from the end', async () => {
    const g = hearth.op('gather', [x(), tensor(hearth, [2, -3, 0], [3], 'int32')], { axis: 1 });
    expect(g.shape).toEqual([2, 3, 4]);
    expect(await values(g)).toEqual([8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15, 12, 13, 14, 15]);
  });

  it('moves bool and int32 data unchanged', async () => {
    const b = hearth.op('transpose', [tensor(hearth, [1, 0, 0, 1, 1, 0], [2, 3], 'bool')]);
    expect(b.dtype).toBe('bool');
    expect(await values(b)).toEqual([1, 1, 0, 1, 0, 0]);
    const i = hearth.op('slice', [tensor(hearth, [-2147483648, 5, 2147483647], [3], 'int32')], { starts: [2], ends: [-4], steps: [-2] });
    expect(await values(i)).toEqual([2147483647, -2147483648]);
  });
});

describe('creation', () => {
  it('full converts its value as cast does', async () => {
    expect(await values(hearth.op('full', [], { shape: [2, 2], value: 2.5 }))).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(await values(hearth.op('full', [], { shape: [3], value: -7, dtype: 'int32' }))).toEqual([-7, -7, -7]); // a fractional int32 value is E_ARG, as in tensor()
    expect(await values(hearth.op('full', [], { shape: [2], value: NaN, dtype: 'bool' }))).toEqual([1, 1]);
    expect(await values(hearth.op('full', [], { shape: [0] }))).toEqual([]);
  });

  it('arange computes start + i·step in float64, then converts', async () => {
    expect(await values(hearth.op('arange', [], { start: 1, stop: 2, step: 0.25 }))).toEqual([1, 1.25, 1.5, 1.75]);
    const big = await values(hearth.op('arange', [], { start: 16777216, stop: 16777226, dtype: 'int32' }));
    expect(big).toEqual(iota(10).map((i) => 16777216 + i));
    const f = await values(hearth.op('arange', [], { start: 0.1, stop: 1e5, step: 0.3 }));
    expect(f[300000]).toBe(Math.fround(0.1 + 300000 * 0.3));
  });
});
