import { describe, expect, it } from 'vitest';
import { OPSET_V1, getOp } from './index.js';
import { parseAttrs } from './attrs.js';
import type { DType } from '../dtype.js';

/** Shapes `meta` gives for one call. Every op of the opset must appear here (checked below). */
const CASES: Record<string, { ins: number[][]; attrs?: Record<string, unknown>; out: number[] }[]> = {
  where: [{ ins: [[2, 1], [3], [1, 1]], out: [2, 3] }],
  cast: [{ ins: [[2, 3]], attrs: { dtype: 'int32' }, out: [2, 3] }],
  sum: [
    { ins: [[2, 3, 4]], attrs: { axes: [1] }, out: [2, 4] },
    { ins: [[2, 3, 4]], attrs: { axes: [-1, 0], keepdims: true }, out: [1, 3, 1] },
    { ins: [[2, 3]], out: [] },
    { ins: [[0, 3]], attrs: { axes: [0] }, out: [3] },
  ],
  mean: [{ ins: [[2, 3]], attrs: { axes: [1], keepdims: true }, out: [2, 1] }],
  max: [{ ins: [[2, 3]], attrs: { axes: [0] }, out: [3] }],
  min: [{ ins: [[]], out: [] }],
  prod: [{ ins: [[4]], attrs: { axes: [0] }, out: [] }],
  argmax: [
    { ins: [[2, 3]], attrs: { axis: 1 }, out: [2] },
    { ins: [[2, 3]], out: [] },
    { ins: [[2, 3]], attrs: { axis: -2, keepdims: true }, out: [1, 3] },
  ],
  argmin: [{ ins: [[2, 3]], attrs: { keepdims: true }, out: [1, 1] }],
  softmax: [{ ins: [[2, 3]], out: [2, 3] }],
  log_softmax: [{ ins: [[2, 3]], attrs: { axis: 0 }, out: [2, 3] }],
  matmul: [
    { ins: [[2, 3], [3, 4]], out: [2, 4] },
    { ins: [[3], [3]], out: [] },
    { ins: [[3], [3, 4]], out: [4] },
    { ins: [[2, 3], [3]], out: [2] },
    { ins: [[5, 1, 2, 3], [4, 3, 6]], out: [5, 4, 2, 6] },
  ],
  reshape: [
    { ins: [[2, 3]], attrs: { shape: [3, -1] }, out: [3, 2] },
    { ins: [[0, 3]], attrs: { shape: [3, 0] }, out: [3, 0] },
  ],
  transpose: [
    { ins: [[2, 3, 4]], out: [4, 3, 2] },
    { ins: [[2, 3, 4]], attrs: { perm: [1, 2, 0] }, out: [3, 4, 2] },
  ],
  slice: [
    { ins: [[10]], attrs: { starts: [1], ends: [8], steps: [3] }, out: [3] },
    { ins: [[10]], attrs: { starts: [-1], ends: [-11], steps: [-1] }, out: [10] },
    { ins: [[4, 5]], attrs: { starts: [1], ends: [100], axes: [-1] }, out: [4, 4] },
    { ins: [[4]], attrs: { starts: [3], ends: [1] }, out: [0] },
  ],
  concat: [{ ins: [[2, 3], [2, 1], [2, 0]], attrs: { axis: -1 }, out: [2, 4] }],
  expand: [
    { ins: [[3, 1]], attrs: { shape: [2, 3, 4] }, out: [2, 3, 4] },
    { ins: [[3, 1]], attrs: { shape: [-1, 5] }, out: [3, 5] },
  ],
  gather: [{ ins: [[5, 6], [2, 3]], attrs: { axis: 1 }, out: [5, 2, 3] }],
  pad: [{ ins: [[2, 3]], attrs: { pads: [1, 0, 2, 2] }, out: [3, 7] }],
  conv2d: [
    { ins: [[1, 3, 8, 8], [4, 3, 3, 3]], out: [1, 4, 6, 6] },
    { ins: [[2, 4, 7, 9], [6, 2, 3, 3], [6]], attrs: { stride: 2, padding: [1, 2], groups: 2 }, out: [2, 6, 4, 6] },
    { ins: [[1, 1, 7, 7], [1, 1, 3, 3]], attrs: { dilation: 2 }, out: [1, 1, 3, 3] },
  ],
  max_pool2d: [
    { ins: [[1, 2, 6, 6]], attrs: { kernelSize: 2 }, out: [1, 2, 3, 3] },
    { ins: [[1, 1, 5, 5]], attrs: { kernelSize: 2, ceilMode: true }, out: [1, 1, 3, 3] },
  ],
  avg_pool2d: [
    { ins: [[1, 1, 5, 5]], attrs: { kernelSize: 3, stride: [1], padding: 1 }, out: [1, 1, 5, 5] },
    { ins: [[1, 1, 5, 5]], attrs: { kernelSize: 3, stride: 2 }, out: [1, 1, 2, 2] },
    { ins: [[1, 1, 5, 7]], attrs: { kernelSize: [1, 3], stride: [1, 2] }, out: [1, 1, 5, 3] },
  ],
  full: [{ ins: [], attrs: { shape: [2, 0] }, out: [2, 0] }],
  arange: [
    { ins: [], attrs: { stop: 5 }, out: [5] },
    { ins: [], attrs: { start: 1, stop: 2, step: 0.3 }, out: [4] },
    { ins: [], attrs: { start: 5, stop: 0, step: -2 }, out: [3] },
    { ins: [], attrs: { start: 5, stop: 0 }, out: [0] },
  ],
};

function meta(name: string, ins: number[][], attrs?: Record<string, unknown>, dtype: DType = 'float32') {
  const op = getOp(name);
  return op.meta(
    ins.map((shape) => ({ shape, dtype })),
    parseAttrs(name, op.attrs, attrs),
  );
}

describe('meta of every opset v1 operator', () => {
  for (const op of OPSET_V1) {
    if (op.family === 'unary') {
      it(`${op.name} keeps the shape`, () => {
        expect(meta(op.name, [[2, 0, 3]])).toEqual([2, 0, 3]);
        expect(meta(op.name, [[]])).toEqual([]);
      });
    } else if (op.family === 'binary') {
      it(`${op.name} broadcasts`, () => {
        expect(meta(op.name, [[4, 1, 3], [2, 1]])).toEqual([4, 2, 3]);
        expect(meta(op.name, [[], [5]])).toEqual([5]);
        expect(() => meta(op.name, [[2], [3]])).toThrow(expect.objectContaining({ code: 'E_BROADCAST' }));
      });
    } else {
      it(`${op.name} gives the documented shapes`, () => {
        const cases = CASES[op.name];
        expect(cases, `no meta case for ${op.name}`).toBeDefined();
        for (const c of cases!) expect(meta(op.name, c.ins, c.attrs)).toEqual(c.out);
      });
    }
  }
});

describe('meta errors', () => {
  it.each([
    ['sum', [[2, 3]], { axes: [2] }, 'E_AXIS'],
    ['sum', [[2, 3]], { axes: [0, -2] }, 'E_AXIS'],
    ['max', [[0, 3]], { axes: [0] }, 'E_EMPTY'],
    ['argmax', [[0]], {}, 'E_EMPTY'],
    ['matmul', [[2, 3], [4, 5]], {}, 'E_SHAPE'],
    ['matmul', [[], [3]], {}, 'E_SHAPE'],
    ['reshape', [[2, 3]], { shape: [-1, -1] }, 'E_SHAPE'],
    ['reshape', [[2, 3]], { shape: [4, -1] }, 'E_SHAPE'],
    ['transpose', [[2, 3]], { perm: [0, 0] }, 'E_ATTR'],
    ['slice', [[4]], { starts: [0], ends: [4], steps: [0] }, 'E_ATTR'],
    ['slice', [[4]], { starts: [0, 1], ends: [4] }, 'E_ATTR'],
    ['concat', [[2, 3], [3, 3]], { axis: 1 }, 'E_SHAPE'],
    ['expand', [[3]], { shape: [4] }, 'E_BROADCAST'],
    ['gather', [[3]], { axis: 1 }, 'E_AXIS'],
    ['pad', [[2, 3]], { pads: [1, 1] }, 'E_ATTR'],
    ['pad', [[2, 3]], { pads: [-1, 0, 0, 0] }, 'E_ATTR'],
    ['pad', [[2, 3]], { pads: [2, 0, 0, 0], mode: 'reflect' }, 'E_ATTR'],
    ['conv2d', [[1, 3, 8, 8], [4, 2, 3, 3]], {}, 'E_SHAPE'],
    ['conv2d', [[1, 3, 8, 8], [4, 3, 3, 3]], { groups: 2 }, 'E_ATTR'],
    ['conv2d', [[1, 3, 2, 2], [4, 3, 3, 3]], {}, 'E_SHAPE'],
    ['conv2d', [[3, 8, 8], [4, 3, 3, 3]], {}, 'E_SHAPE'],
    ['conv2d', [[1, 3, 8, 8], [4, 3, 3, 3]], { stride: 0 }, 'E_ATTR'],
    ['max_pool2d', [[1, 1, 4, 4]], { kernelSize: 2, padding: 2 }, 'E_ATTR'],
    ['avg_pool2d', [[1, 1, 4, 4]], {}, 'E_ATTR'],
    ['avg_pool2d', [[1, 1, 4, 4]], { kernelSize: 2, stride: 0 }, 'E_ATTR'],
    ['max_pool2d', [[1, 1, 4, 4]], { kernelSize: 2, stride: [1, 2, 3] }, 'E_ATTR'],
    ['full', [], { shape: [-1] }, 'E_ATTR'],
    ['arange', [], { stop: 5, step: 0 }, 'E_ATTR'],
    ['arange', [], { stop: Infinity }, 'E_ATTR'],
    ['cast', [[2]], { dtype: 'int8' }, 'E_ATTR'],
    ['softmax', [[2, 3]], { axis: 2 }, 'E_AXIS'],
  ])('%s %j %j is %s', (name, ins, attrs, code) => {
    expect(() => meta(name as string, ins as number[][], attrs as Record<string, unknown>)).toThrow(expect.objectContaining({ code }));
  });
});
