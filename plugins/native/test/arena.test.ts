/**
 * The launch descriptors as a library reads them: every field of hearth_tensor and hearth_named_value
 * decoded from the arena's native memory with koffi, including 64-bit values past 2^32, negative
 * integers, and a launch that outgrows the arena mid-way (it grows and writes the launch again).
 */
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import type { KernelTensor } from '@hearth/core';
import { LaunchArena, type AttrSlot } from '../src/index.js';

function tensor(shape: number[], dtype: KernelTensor['dtype'], addr: number): KernelTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, dtype, size, storage: { byteLength: size * 4, addr, ptr: BigInt(addr) } } as unknown as KernelTensor;
}

/** One hearth_tensor read back: data pointer, shape, size, dtype code, rank. */
function decodeTensor(at: bigint) {
  const rank = koffi.decode(at, 28, 'int32_t') as number;
  const shapePtr = koffi.decode(at, 8, 'void *') as bigint;
  return {
    data: Number(koffi.decode(at, 0, 'uint64_t')),
    shape: Array.from({ length: rank }, (_, d) => Number(koffi.decode(shapePtr, d * 8, 'int64_t'))),
    size: Number(koffi.decode(at, 16, 'int64_t')),
    dtype: koffi.decode(at, 24, 'int32_t') as number,
  };
}

/** One hearth_named_value read back. */
function decodeAttr(at: bigint) {
  const name = koffi.decode(koffi.decode(at, 0, 'void *'), 'char', -1) as string;
  const kind = koffi.decode(at, 8, 'int32_t') as number;
  const count = koffi.decode(at, 12, 'int32_t') as number;
  const p = () => koffi.decode(at, 16, 'void *') as bigint;
  const value =
    kind === 0 ? null
    : kind === 1 ? Number(koffi.decode(at, 16, 'int64_t'))
    : kind === 2 ? (koffi.decode(at, 16, 'double') as number)
    : kind === 3 ? (koffi.decode(at, 16, 'int32_t') as number) === 1
    : kind === 4 ? Array.from({ length: count }, (_, i) => Number(koffi.decode(p(), i * 8, 'int64_t')))
    : kind === 5 ? (koffi.decode(p(), 'char', -1) as string)
    : Array.from({ length: count }, (_, i) => koffi.decode(p(), i * 8, 'double') as number);
  return { name, kind, count, value };
}

const SLOTS: AttrSlot[] = [
  { name: 'axis', float: false },
  { name: 'alpha', float: true },
  { name: 'keepdims', float: false },
  { name: 'pads', float: false },
  { name: 'mode', float: false },
  { name: 'scales', float: true },
  { name: 'axes', float: false },
];

describe('LaunchArena', () => {
  for (const words of [512, 8]) {
    it(`writes every field a library reads (arena of ${words} words${words < 64 ? ': grows, and rewrites on an attribute array that does not fit' : ''})`, () => {
      const arena = new LaunchArena(words);
      const big = 2 ** 40 + 12345; // an address past 32 bits
      const inputs = [tensor([3, 10, 7], 'float32', big), tensor([], 'int32', 4096), tensor([2, 0], 'bool', 0), tensor([5_000_000_000, 1], 'float32', 64)];
      const output = tensor([3, 10, 7], 'float32', big + 4096);
      const long = Array.from({ length: 40 }, (_, i) => (i % 2 ? -i : i * 2 ** 33));
      const attrs = { axis: -1, alpha: 0.25, keepdims: true, pads: long, mode: 'réflect', scales: [1.5, -2.25], axes: null };
      for (let round = 0; round < 2; round++) {
        arena.encode(inputs, output, SLOTS, attrs);
        const at = (i: number) => arena.inputs + BigInt(i * 32);
        expect(decodeTensor(at(0))).toEqual({ data: big, shape: [3, 10, 7], size: 210, dtype: 3 });
        expect(decodeTensor(at(1))).toEqual({ data: 4096, shape: [], size: 1, dtype: 1 });
        expect(decodeTensor(at(2))).toEqual({ data: 0, shape: [2, 0], size: 0, dtype: 0 });
        expect(decodeTensor(at(3))).toEqual({ data: 64, shape: [5_000_000_000, 1], size: 5_000_000_000, dtype: 3 });
        expect(arena.output).toBe(at(4));
        expect(decodeTensor(arena.output)).toEqual({ data: big + 4096, shape: [3, 10, 7], size: 210, dtype: 3 });
        const decoded = SLOTS.map((_, k) => decodeAttr(arena.attrs + BigInt(k * 24)));
        expect(decoded).toEqual([
          { name: 'axis', kind: 1, count: 0, value: -1 },
          { name: 'alpha', kind: 2, count: 0, value: 0.25 },
          { name: 'keepdims', kind: 3, count: 0, value: true },
          { name: 'pads', kind: 4, count: 40, value: long },
          { name: 'mode', kind: 5, count: Buffer.byteLength('réflect'), value: 'réflect' },
          { name: 'scales', kind: 6, count: 2, value: [1.5, -2.25] },
          { name: 'axes', kind: 0, count: 0, value: null },
        ]);
      }
      arena.dispose();
    });
  }
});
