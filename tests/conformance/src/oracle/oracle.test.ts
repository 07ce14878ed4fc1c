import { describe, expect, it } from 'vitest';
import { evaluate } from './index.js';
import { tensor } from '../cases/data.js';
import { roundFloat16, roundTo, ulpOf } from '../numeric/float.js';

const f32 = (shape: number[], data: number[]) => tensor('float32', shape, data);
const i32 = (shape: number[], data: number[]) => tensor('int32', shape, data);
const values = (op: string, inputs: ReturnType<typeof f32>[], attrs: Record<string, unknown> = {}) => [...evaluate(op, inputs, attrs).values];

import { philox4x32 } from './random.js';

// Hand-computed expectations, from the opset docs: the oracle must agree with these, not with any plugin.
describe('the float64 oracle follows the documented rules', () => {
  it('round ties to even and keeps the sign of zero', () => {
    expect(values('round', [f32([6], [0.5, 1.5, 2.5, -0.5, -1.5, -0.4])])).toEqual([0, 2, 2, -0, -2, -0]);
    expect(Object.is(values('round', [f32([1], [-0.5])])[0], -0)).toBe(true);
  });

  it('maximum/minimum propagate NaN and order the zeros', () => {
    expect(values('maximum', [f32([3], [-0, NaN, 1]), f32([3], [0, 1, 2])]).map(String)).toEqual(['0', 'NaN', '2']);
    expect(Object.is(values('minimum', [f32([1], [-0]), f32([1], [0])])[0], -0)).toBe(true);
    expect(Object.is(values('maximum', [f32([1], [-0]), f32([1], [0])])[0], 0)).toBe(true);
  });

  it('int32 arithmetic wraps and pow follows the negative-exponent rule', () => {
    expect(values('add', [i32([1], [2 ** 31 - 1]), i32([1], [1])])).toEqual([-(2 ** 31)]);
    expect(values('mul', [i32([1], [123456789]), i32([1], [987654321])])).toEqual([-67153019]); // low 32 bits, checked with Python
    expect(values('neg', [i32([1], [-(2 ** 31)])])).toEqual([-(2 ** 31)]);
    expect(values('pow', [i32([4], [2, 1, -1, 3]), i32([4], [-1, -5, -3, 31])])).toEqual([0, 1, -1, 1264544299]); // 3^31 mod 2^32, checked with Python
  });

  it('cast truncates, saturates and maps NaN to 0; bool is x != 0', () => {
    expect(values('cast', [f32([6], [2.9, -2.9, NaN, 3e9, -3e9, -0.5])], { dtype: 'int32' }).map((v) => v + 0)).toEqual([2, -2, 0, 2 ** 31 - 1, -(2 ** 31), 0]);
    expect(values('cast', [f32([3], [NaN, 0, -0])], { dtype: 'bool' })).toEqual([1, 0, 0]);
    // Inputs are made with the same rule: int32 saturates rather than wrapping.
    expect([3e9, -3e9, -2.5, NaN].map((v) => roundTo('int32', v))).toEqual([2 ** 31 - 1, -(2 ** 31), -2, 0]);
  });

  it('argmax takes the first tie and counts NaN as the maximum', () => {
    expect(values('argmax', [f32([2, 4], [1, 3, 3, 2, 1, NaN, 5, NaN])], { axis: 1 })).toEqual([1, 1]);
    expect(values('argmin', [f32([4], [2, 1, 1, 0.5])])).toEqual([3]);
  });

  it('softmax is stable for large inputs; sum of nothing is 0 and mean of nothing is NaN', () => {
    const s = values('softmax', [f32([3], [1000, 1001, 1002])]);
    const e = [Math.exp(-2), Math.exp(-1), 1].map((v) => v / (Math.exp(-2) + Math.exp(-1) + 1));
    s.forEach((v, i) => expect(v).toBeCloseTo(e[i]!, 15));
    expect(values('sum', [f32([2, 0], [])], { axes: [1] })).toEqual([0, 0]);
    expect(values('mean', [f32([1, 0], [])], { axes: [1] }).map(String)).toEqual(['NaN']);
  });

  it('matmul, conv2d with padding and the pools give hand-computed results', () => {
    expect(values('matmul', [f32([2, 2], [1, 2, 3, 4]), f32([2], [5, 6])])).toEqual([17, 39]);
    // 3x3 ones, 2x2 ones kernel, padding 1: corners see 1 element, edges 2, inside 4.
    expect(values('conv2d', [f32([1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]), f32([1, 1, 2, 2], [1, 1, 1, 1])], { padding: 1 })).toEqual([1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1]);
    expect(values('max_pool2d', [f32([1, 1, 2, 2], [-5, -6, -7, -8])], { kernelSize: 2, padding: 1 })).toEqual([-5, -6, -7, -8]);
    expect(values('avg_pool2d', [f32([1, 1, 2, 2], [4, 4, 4, 4])], { kernelSize: 2, stride: 1, padding: 1, countIncludePad: false })).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4]);
    expect(values('avg_pool2d', [f32([1, 1, 2, 2], [4, 4, 4, 4])], { kernelSize: 2, stride: 1, padding: 1 })).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it('movement ops move elements exactly', () => {
    expect(values('transpose', [f32([2, 3], [0, 1, 2, 3, 4, 5])])).toEqual([0, 3, 1, 4, 2, 5]);
    expect(values('slice', [f32([6], [0, 1, 2, 3, 4, 5])], { starts: [-1], ends: [-100], steps: [-2] })).toEqual([5, 3, 1]);
    expect(values('pad', [f32([3], [1, 2, 3])], { pads: [2, 2], mode: 'reflect' })).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(values('gather', [f32([3], [10, 20, 30]), i32([2], [-1, 0])])).toEqual([30, 10]);
    expect(values('arange', [], { start: 5, stop: 0, step: -1.5 })).toEqual([5, 3.5, 2, 0.5]);
  });

  it('float16 rounding and ULP sizes', () => {
    expect(roundFloat16(1 + 2 ** -11)).toBe(1); // tie to even
    expect(roundFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundFloat16(65520)).toBe(Infinity);
    expect(roundFloat16(65519)).toBe(65504);
    expect(roundFloat16(2 ** -25)).toBe(0);
    expect(roundFloat16(3 * 2 ** -26)).toBe(2 ** -24);
    expect(ulpOf('float32', 1)).toBe(2 ** -23);
    expect(ulpOf('float16', 1000)).toBe(0.5);
  });

  it('erf matches published values and keeps its special values', () => {
    // erf(0.5), erf(1), erf(2) from Abramowitz & Stegun table 7.1; erf(4) = 1 - 1.541725790028002e-8.
    const got = values('erf', [tensor('float64', [6], [0.5, 1, 2, 4, -1, -0])]);
    expect(got[0]).toBeCloseTo(0.5204998778130465, 15);
    expect(got[1]).toBeCloseTo(0.8427007929497149, 15);
    expect(got[2]).toBeCloseTo(0.9953222650189527, 15);
    expect(got[3]).toBeCloseTo(1 - 1.541725790028002e-8, 15);
    expect(got[4]).toBeCloseTo(-0.8427007929497149, 15);
    expect(Object.is(got[5], -0)).toBe(true);
    expect(values('erf', [f32([3], [Infinity, -Infinity, NaN])]).map(String)).toEqual(['1', '-1', 'NaN']);
  });

  it("erf of float32 results (float64 arithmetic) stays within 1e-13 of the correctly rounded float64 series", () => {
    const xs = Array.from({ length: 2001 }, (_, i) => -7 + (14 * i) / 2000).concat([1e-30, -3e-9, 2.9999999, 3, 3.0000001, 5.9]);
    const exact = values('erf', [tensor('float64', [xs.length], xs)]);
    const near = values('erf', [f32([xs.length], xs)]);
    xs.forEach((x, i) => {
      const x32 = Math.fround(x);
      const want = x32 === x ? exact[i]! : values('erf', [tensor('float64', [1], [x32])])[0]!;
      expect(Math.abs(near[i]! - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want));
    });
    expect(values('erf', [f32([3], [Infinity, -Infinity, -0])]).map(String)).toEqual(['1', '-1', '0']);
  });

  it('mod follows the sign rules: floored (sign of b) and fmod (sign of a)', () => {
    const a = f32([6], [7, -7, 7, -7, 3, -3]);
    const b = f32([6], [3, 3, -3, -3, -Infinity, Infinity]);
    expect(values('mod', [a, b])).toEqual([1, 2, -2, -1, -Infinity, Infinity]); // Python's %
    expect(values('mod', [a, b], { fmod: true })).toEqual([1, -1, 1, -1, 3, -3]); // C's fmod
    expect(values('mod', [i32([3], [-7, 7, 5]), i32([3], [2, 0, -5])])).toEqual([1, 0, 0]);
  });

  it('topk orders NaN above +Inf and breaks ties by the lower index', () => {
    const x = f32([6], [1, NaN, Infinity, 1, -0, 0]);
    expect(values('topk', [x], { k: 6 })).toEqual([1, 2, 0, 3, 4, 5]);
    expect(values('topk', [x], { k: 6, largest: false })).toEqual([4, 5, 0, 3, 2, 1]);
  });

  it('resize picks ONNX nearest indices and bilinear values', () => {
    // 2 -> 4 with half_pixel: sources -0.25, 0.25, 0.75, 1.25 (ONNX reference).
    expect(values('resize', [f32([1, 2], [10, 20])], { sizes: [1, 4], mode: 'linear' })).toEqual([10, 12.5, 17.5, 20]);
    expect(values('resize', [f32([1, 4], [1, 2, 3, 4])], { sizes: [1, 2], nearestMode: 'round_prefer_ceil' })).toEqual([2, 4]);
    expect(values('resize', [f32([1, 4], [1, 2, 3, 4])], { sizes: [1, 2] })).toEqual([1, 3]);
    expect(values('resize', [f32([1, 2], [10, 20])], { sizes: [1, 3], mode: 'linear', coordinateTransformationMode: 'align_corners' })).toEqual([10, 15, 20]);
  });

  it('conv_transpose2d scatters each input pixel through the kernel', () => {
    // 2x2 input, 2x2 kernel of ones, stride 1: the 3x3 sums of overlapping copies (PyTorch gives the same).
    expect(values('conv_transpose2d', [f32([1, 1, 2, 2], [1, 2, 3, 4]), f32([1, 1, 2, 2], [1, 1, 1, 1])])).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    expect(evaluate('conv_transpose2d', [f32([1, 1, 3, 3], new Array(9).fill(1)), f32([1, 1, 3, 3], new Array(9).fill(1))], { stride: 2, padding: 1, outputPadding: 1 }).shape).toEqual([1, 1, 6, 6]);
  });

  it('Philox4x32-10 matches the Random123 known-answer vectors', () => {
    const hex = (ws: number[]) => ws.map((w) => w.toString(16).padStart(8, '0'));
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  it('a composite is its decomposition: layer_norm of a row is (x - mean) / sqrt(var + eps)', () => {
    const [a, b] = values('layer_norm', [tensor('float64', [2], [1, 3])], { epsilon: 0 });
    expect([a, b]).toEqual([-1, 1]);
    expect(values('clip', [i32([4], [-5, 0, 2, 9])], { min: -1, max: 3 })).toEqual([-1, 0, 2, 3]);
  });
});
