import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { randomF32, wasmHearth } from '../test-util.js';

// reshape (a memmove), and transpose, slice and expand through the wasm strided copy, against index arithmetic written here:
// contiguous and gathered last axes, reversed and stepped slices, broadcasts, and a size that uses threads.

let hs: Hearth[];
beforeAll(async () => {
  hs = [await wasmHearth(1), await wasmHearth(2)];
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

/** The row-major index of `idx` in `shape`. */
const flat = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, v, i) => acc * shape[i]! + v, 0);

/** Every index of `shape`, in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const idx: number[] = [];
    for (let ax = shape.length - 1, rest = i; ax >= 0; ax--) {
      idx[ax] = rest % shape[ax]!;
      rest = Math.floor(rest / shape[ax]!);
    }
    yield idx;
  }
}

describe.each([1, 2])('wasm strided copies on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it.each([
    [[4, 64, 2, 8], [0, 2, 1, 3]],
    [[4, 2, 64, 8], [0, 1, 3, 2]],
    [[3, 5], [1, 0]],
    [[2, 3, 4, 5, 6], [4, 0, 3, 1, 2]],
    [[64, 64, 65], [2, 1, 0]],
    [[3, 4, 100], [1, 0, 2]], // whole rows long enough for memory.copy
    [[6, 7, 13], [1, 0, 2]], // short whole rows: 8 lanes, 4 lanes, then one by one
  ])('transpose %j by %j', async (shape, perm) => {
    const x = randomF32(shape.length, shape.reduce((a, b) => a * b, 1));
    const y = h().transpose(h().tensor(x, { shape }), perm);
    const want = Array.from(indices(y.shape), (o) => x[flat(shape.map((_, ax) => o[perm.indexOf(ax)]!), shape)]!);
    expect(Array.from(await y.data())).toEqual(want);
  });

  it('slice with starts, reversed and stepped axes', async () => {
    const shape = [6, 7, 9];
    const x = randomF32(3, 6 * 7 * 9);
    const y = h().slice(h().tensor(x, { shape }), { starts: [1, 6, 0], ends: [5, 0, 9], axes: [0, 1, 2], steps: [2, -2, 3] });
    expect(y.shape).toEqual([2, 3, 3]);
    const want = Array.from(indices(y.shape), ([i, j, k]) => x[flat([1 + 2 * i!, 6 - 2 * j!, 3 * k!], shape)]!);
    expect(Array.from(await y.data())).toEqual(want);
  });

  it('reshape copies the values, also after the memory has grown', async () => {
    const x = randomF32(11, 4099);
    const X = h().tensor(x, { shape: [4099] });
    expect(Array.from(await h().reshape(X, [1, 4099]).data())).toEqual(Array.from(x));
    const big = h().zeros([1 << 22]); // 16 MiB: the memory grows
    expect(Array.from(await h().reshape(X, [4099, 1]).data())).toEqual(Array.from(x));
    big.dispose();
  });

  it('expand of a column, a row and a scalar', async () => {
    for (const [from, to] of [[[3, 1], [2, 3, 5]], [[1, 5], [4, 5]], [[], [3, 2]], [[1, 300, 1], [4, 300, 300]]] as const) {
      const x = randomF32(7, from.reduce((a, b) => a * b, 1));
      const y = h().expand(h().tensor(x, { shape: [...from] }), [...to]);
      const want = Array.from(indices(to), (o) => x[flat(from.map((d, i) => (d === 1 ? 0 : o[o.length - from.length + i]!)), from)]!);
      expect(Array.from(await y.data())).toEqual(want);
    }
  });
});
