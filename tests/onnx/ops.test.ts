/**
 * ONNX ops one by one, each in the spelling of a given opset, against onnxruntime-node: the attribute and
 * input conventions that changed across opsets 7 to 21 (Softmax's axis, Reduce* axes, Slice, Pad, Clip,
 * Squeeze/Unsqueeze, Split), window attributes (auto_pad, uneven pads, ceil_mode, count_include_pad), and the
 * decompositions. The models are written with ONNX's protobuf classes, not by the code under test.
 * Tolerance: 1e-5 + 1e-4 |ort| (one or two float32 ops); integer outputs exactly.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { loadOnnx } from '@hearth/onnx';
import { hasOp, seeded, worst } from './reference.js';

const { onnx } = onnxProto;
type Attr = number | string | readonly number[] | readonly string[] | { floats: readonly number[] };

function attribute(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) && !name.match(/alpha|beta|epsilon|gamma|min|max|value|lambd|bias/) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if ('floats' in v) return { name, type: 6, floats: [...v.floats] };
  if (v.some((e) => typeof e === 'string')) return { name, type: 8, strings: v.map((e) => new TextEncoder().encode(String(e))) };
  return { name, type: 7, ints: [...(v as readonly number[])] };
}

interface Case {
  op: string;
  opset: number;
  /** Float inputs by name and shape, fed at run time. */
  inputs: Record<string, number[]>;
  /** Constant inputs: int64 lists or float lists with a shape. */
  consts?: Record<string, readonly number[] | { f: readonly number[]; dims: number[] } | { bool: readonly number[]; dims: number[] } | { i64: readonly number[]; dims: number[] } | { u8: readonly number[]; dims: number[] } | { i8: readonly number[]; dims: number[] }>;
  /** The node's inputs in order ('' for an omitted one); the input names by default. */
  args?: string[];
  attrs?: Record<string, Attr>;
  outputs?: number;
  /** Integer output (compared exactly), as its ONNX element type (7 int64, 6 int32, 2 uint8, 3 int8). */
  int?: 2 | 3 | 6 | 7;
  /** The element type of each output, where they differ (TopK: float values, int64 indices). */
  outTypes?: number[];
  /** The opset v2 op the mapping needs (the case is skipped on a core without it). */
  needs?: string;
  /** Fixed data for some inputs (ties, special values); the others are seeded. */
  data?: Record<string, readonly number[]>;
}

function build(c: Case): Uint8Array {
  const names = Object.keys(c.inputs);
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `y${i}`);
  const initializer = Object.entries(c.consts ?? {}).map(([name, v]) =>
    Array.isArray(v) ? { name, dataType: 7, dims: [v.length], int64Data: v as number[] }
    : 'bool' in v ? { name, dataType: 9, dims: v.dims, int32Data: [...v.bool] }
    : 'i64' in v ? { name, dataType: 7, dims: v.dims, int64Data: [...v.i64] }
    // uint8 and int8 widened in int32_data, as ONNX stores them outside raw_data.
    : 'u8' in v ? { name, dataType: 2, dims: v.dims, int32Data: [...v.u8] }
    : 'i8' in v ? { name, dataType: 3, dims: v.dims, int32Data: [...v.i8] }
    : { name, dataType: 1, dims: (v as { dims: number[] }).dims, floatData: [...(v as { f: number[] }).f] },
  );
  const info = (name: string, dims?: number[], elemType = 1) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: c.opset }],
    graph: {
      name: c.op,
      node: [{ name: 'n', opType: c.op, input: c.args ?? [...names, ...Object.keys(c.consts ?? {})], output: outs, attribute: Object.entries(c.attrs ?? {}).map(([k, v]) => attribute(k, v)) }],
      input: names.map((n) => info(n, c.inputs[n])),
      initializer,
      output: outs.map((o, i) => info(o, undefined, c.outTypes?.[i] ?? c.int ?? 1)),
    },
  }).finish();
}

const X = { x: [2, 3, 4] };
const IMG = { x: [1, 4, 7, 7] };
const CASES: Case[] = [
  { op: 'Softmax', opset: 11, inputs: X },
  { op: 'Softmax', opset: 11, inputs: X, attrs: { axis: 2 } },
  { op: 'Softmax', opset: 13, inputs: X },
  { op: 'Softmax', opset: 13, inputs: X, attrs: { axis: 0 } },
  { op: 'LogSoftmax', opset: 9, inputs: X, attrs: { axis: 0 } },
  { op: 'ReduceSum', opset: 11, inputs: X, attrs: { axes: [0, 2], keepdims: 0 } },
  { op: 'ReduceSum', opset: 13, inputs: X, consts: { axes: [-1] } },
  { op: 'ReduceSum', opset: 13, inputs: X, attrs: { noop_with_empty_axes: 1 } },
  { op: 'ReduceSum', opset: 13, inputs: X },
  { op: 'ReduceMean', opset: 18, inputs: X, consts: { axes: [1, -1] }, attrs: { keepdims: 0 } },
  { op: 'ReduceMean', opset: 13, inputs: X, attrs: { axes: [1] } },
  { op: 'ReduceMax', opset: 18, inputs: X, consts: { axes: [2] } },
  { op: 'ReduceMin', opset: 11, inputs: X, attrs: { axes: [0] } },
  { op: 'ReduceProd', opset: 13, inputs: X, attrs: { axes: [2] } },
  { op: 'ReduceL1', opset: 13, inputs: X, attrs: { axes: [2] } },
  { op: 'ReduceL2', opset: 18, inputs: X, consts: { axes: [1] } },
  { op: 'ReduceSumSquare', opset: 13, inputs: X, attrs: { axes: [1], keepdims: 0 } },
  { op: 'ReduceLogSumExp', opset: 13, inputs: X, attrs: { axes: [2], keepdims: 0 } },
  { op: 'ArgMax', opset: 13, inputs: X, attrs: { axis: 1, keepdims: 0 }, int: 7 },
  { op: 'ArgMin', opset: 11, inputs: X, attrs: { axis: -1 }, int: 7 },
  { op: 'Slice', opset: 9, inputs: X, attrs: { starts: [1, 0], ends: [1000, -1], axes: [1, 2] } },
  { op: 'Slice', opset: 13, inputs: X, consts: { starts: [-1], ends: [-1000], axes: [2], steps: [-2] } },
  { op: 'Slice', opset: 10, inputs: X, consts: { starts: [0, 1], ends: [1, 9223372036854775807] } },
  { op: 'Pad', opset: 9, inputs: X, attrs: { pads: [0, 1, 2, 0, 0, 1], mode: 'constant', value: 1.5 } },
  { op: 'Pad', opset: 11, inputs: X, consts: { pads: [0, 0, 2, 0, 0, 1] }, attrs: { mode: 'reflect' } },
  { op: 'Pad', opset: 13, inputs: X, consts: { pads: [0, 1, 1, 0, 2, 0] }, attrs: { mode: 'edge' } },
  { op: 'Pad', opset: 18, inputs: X, args: ['x', 'pads', '', 'axes'], consts: { pads: [1, 2], axes: [-1] } },
  { op: 'Clip', opset: 9, inputs: X, attrs: { min: -0.3, max: 0.4 } },
  { op: 'Clip', opset: 13, inputs: X, args: ['x', '', 'hi'], consts: { hi: { f: [0.2], dims: [] } } },
  { op: 'Clip', opset: 12, inputs: X, args: ['x', 'lo'], consts: { lo: { f: [-0.1], dims: [] } } },
  { op: 'Squeeze', opset: 11, inputs: { x: [2, 1, 3, 1] } },
  { op: 'Squeeze', opset: 13, inputs: { x: [2, 1, 3, 1] }, consts: { axes: [-1] } },
  { op: 'Unsqueeze', opset: 11, inputs: X, attrs: { axes: [0, 4] } },
  { op: 'Unsqueeze', opset: 13, inputs: X, consts: { axes: [-1, 1] } },
  { op: 'Split', opset: 11, inputs: X, attrs: { axis: 2 }, outputs: 2 },
  { op: 'Split', opset: 13, inputs: X, consts: { split: [1, 2] }, attrs: { axis: 1 }, outputs: 2 },
  { op: 'Split', opset: 18, inputs: { x: [7, 2] }, attrs: { num_outputs: 3 }, outputs: 3 },
  { op: 'Flatten', opset: 13, inputs: X, attrs: { axis: 0 } },
  { op: 'Flatten', opset: 11, inputs: X, attrs: { axis: -1 } },
  { op: 'Transpose', opset: 13, inputs: X },
  { op: 'Tile', opset: 13, inputs: X, consts: { repeats: [2, 1, 3] } },
  { op: 'Expand', opset: 13, inputs: { x: [3, 1] }, consts: { shape: [2, 1, 4] } },
  { op: 'Gather', opset: 13, inputs: X, consts: { idx: [2, -1, 0] }, attrs: { axis: 1 } },
  { op: 'Concat', opset: 13, inputs: { a: [2, 3], b: [2, 1] }, attrs: { axis: -1 } },
  { op: 'Reshape', opset: 14, inputs: X, consts: { shape: [0, -1] } },
  { op: 'Gemm', opset: 13, inputs: { a: [3, 5], b: [4, 3], c: [4] }, attrs: { transA: 1, transB: 1, alpha: 0.5, beta: 2 } },
  { op: 'Gemm', opset: 11, inputs: { a: [5, 3], b: [3, 4] } },
  { op: 'MatMul', opset: 13, inputs: { a: [2, 1, 3, 5], b: [4, 5, 2] } },
  { op: 'Max', opset: 13, inputs: { a: [3, 1], b: [4], c: [1, 4] } },
  { op: 'Mean', opset: 13, inputs: { a: [3, 1], b: [4] } },
  { op: 'Sum', opset: 8, inputs: { a: [3, 4] } },
  { op: 'Where', opset: 13, inputs: { a: [3, 4], b: [4] }, args: ['c', 'a', 'b'], consts: { c: { bool: [1, 0, 0, 1], dims: [4] } } },
  { op: 'Pow', opset: 13, inputs: { a: [3, 4] }, consts: { e: { f: [2], dims: [] } } },
  // The output keeps the base's type: an int64 base to a float exponent is int64, truncated toward zero.
  { op: 'Pow', opset: 13, inputs: { e: [2, 3] }, args: ['b', 'e'], consts: { b: { i64: [2, 3, 5, 7, 10, 1], dims: [2, 3] } }, int: 7 },
  { op: 'Erf', opset: 13, inputs: X },
  // select_last_index: the last of tied values (Hearth's own argmax takes the first).
  ...(['ArgMax', 'ArgMin'] as const).flatMap((op) =>
    [0, 1].map((axis): Case => ({ op, opset: 13, inputs: { x: [3, 4] }, data: { x: [1, 5, 5, 0, 5, 0, 1, 0, 5, 0, 5, 0] }, attrs: { axis, keepdims: axis, select_last_index: 1 }, int: 7 })),
  ),
  // The optional Mean and InvStdDev outputs, and Dropout's mask (all true for inference).
  { op: 'LayerNormalization', opset: 17, inputs: { x: [2, 3, 4], s: [3, 4], b: [3, 4] }, attrs: { axis: 1, epsilon: 0.001 }, outputs: 3 },
  { op: 'LayerNormalization', opset: 17, inputs: { x: [2, 3, 4], s: [4] }, outputs: 3 },
  { op: 'Dropout', opset: 13, inputs: X, outputs: 2, outTypes: [1, 9] },
  // Compositions of Hearth ops: classification, activations, trigonometry.
  { op: 'IsNaN', opset: 13, inputs: { x: [5] }, data: { x: [1, NaN, -Infinity, 0, Infinity] }, outTypes: [9] },
  { op: 'IsInf', opset: 10, inputs: { x: [5] }, data: { x: [1, NaN, -Infinity, 0, Infinity] }, outTypes: [9] },
  { op: 'IsInf', opset: 10, inputs: { x: [5] }, data: { x: [1, NaN, -Infinity, 0, Infinity] }, attrs: { detect_positive: 0 }, outTypes: [9] },
  { op: 'Celu', opset: 12, inputs: X, attrs: { alpha: 2 } },
  { op: 'Shrink', opset: 9, inputs: X, attrs: { lambd: 0.3, bias: 0.1 } },
  { op: 'Sinh', opset: 9, inputs: X },
  { op: 'Cosh', opset: 9, inputs: X },
  { op: 'Tan', opset: 7, inputs: { x: [5] }, data: { x: [-1, -0.5, 0, 0.3, 1.2] } },
  { op: 'Atan', opset: 7, inputs: { x: [9] }, data: { x: [-Infinity, -1e4, -3, -1, -0.2, 0, 0.7, 1.5, 250] } },
  { op: 'Asin', opset: 7, inputs: { x: [7] }, data: { x: [-1, -0.9, -0.3, 0, 0.01, 0.6, 1] } },
  { op: 'Acos', opset: 7, inputs: { x: [7] }, data: { x: [-1, -0.9, -0.3, 0, 0.01, 0.6, 0.999] } },
  { op: 'Asinh', opset: 9, inputs: X },
  { op: 'Acosh', opset: 9, inputs: { x: [5] }, data: { x: [1, 1.01, 2, 10, 1e3] } },
  { op: 'Atanh', opset: 9, inputs: { x: [5] }, data: { x: [-0.99, -0.5, 0, 0.2, 0.9] } },
  // Masks and one-hots from index grids.
  { op: 'Trilu', opset: 14, inputs: { x: [2, 3, 4] } },
  { op: 'Trilu', opset: 14, inputs: X, consts: { k: { i64: [-1], dims: [] } }, attrs: { upper: 0 } },
  { op: 'EyeLike', opset: 9, inputs: { x: [3, 4] }, attrs: { k: 1 } },
  { op: 'OneHot', opset: 11, inputs: { i: [2, 3] }, data: { i: [0, 2, -1, 1, 3, 2] }, consts: { depth: { f: [3], dims: [] }, values: { f: [-1, 5], dims: [2] } }, attrs: { axis: 1 } },
  { op: 'Hardmax', opset: 11, inputs: { x: [2, 2, 3] }, data: { x: [1, 3, 3, 0, 2, 1, 5, 5, 5, 5, 5, 5] } },
  { op: 'Hardmax', opset: 13, inputs: { x: [2, 2, 3] }, data: { x: [1, 3, 3, 0, 2, 1, 5, 5, 5, 5, 5, 5] }, attrs: { axis: 0 } },
  { op: 'BatchNormalization', opset: 15, inputs: { x: [2, 3, 4], s: [3], b: [3], m: [3] }, args: ['x', 's', 'b', 'm', 'v'], consts: { v: { f: [0.5, 1, 2], dims: [3] } }, attrs: { training_mode: 1, momentum: 0.8 }, outputs: 3 },
  { op: 'MeanVarianceNormalization', opset: 13, inputs: IMG },
  { op: 'LRN', opset: 13, inputs: IMG, attrs: { size: 3, alpha: 0.001, beta: 0.6, bias: 1.5 } },
  { op: 'LRN', opset: 13, inputs: { x: [2, 6, 3, 2] }, attrs: { size: 5, alpha: 0.5 } },
  { op: 'DepthToSpace', opset: 13, inputs: { x: [1, 8, 2, 3] }, attrs: { blocksize: 2 } },
  { op: 'DepthToSpace', opset: 13, inputs: { x: [1, 8, 2, 3] }, attrs: { blocksize: 2, mode: 'CRD' } },
  { op: 'SpaceToDepth', opset: 13, inputs: { x: [1, 2, 4, 6] }, attrs: { blocksize: 2 } },
  { op: 'GatherND', opset: 13, inputs: { x: [2, 3, 4] }, consts: { i: { i64: [1, 2, 0, -1, 1, 0], dims: [3, 2] } } },
  { op: 'GatherND', opset: 13, inputs: { x: [2, 3, 4] }, consts: { i: { i64: [2, -1, 0, 1], dims: [2, 2, 1] } }, attrs: { batch_dims: 1 } },
  { op: 'GatherND', opset: 13, inputs: { x: [2, 3, 4] }, consts: { i: { i64: [1, 0, 2, 0, 2, 3, 1, 1], dims: [2, 2, 2] } }, attrs: { batch_dims: 1 } },
  // Scatters: rows written by a one-hot matmul, or reduced side by side (mul, max, min); negative indices.
  { op: 'ScatterND', opset: 13, inputs: { x: [4, 3, 2], u: [2, 3, 2] }, args: ['x', 'i', 'u'], consts: { i: { i64: [2, -1], dims: [2, 1] } } },
  ...(['add', 'mul', 'max', 'min'] as const).map((reduction): Case => ({ op: 'ScatterND', opset: 18, inputs: { x: [4, 3], u: [3] }, args: ['x', 'i', 'u'], consts: { i: { i64: [1, 2, 3, 0, 1, 2], dims: [3, 2] } }, attrs: { reduction } })),
  { op: 'ScatterElements', opset: 13, inputs: { x: [3, 4], u: [2, 3] }, args: ['x', 'i', 'u'], consts: { i: { i64: [3, 0, -2, 1, 2, 0], dims: [2, 3] } }, attrs: { axis: 1 } },
  ...(['add', 'mul', 'max', 'min'] as const).map((reduction): Case => ({ op: 'ScatterElements', opset: 18, inputs: { x: [3, 4], u: [2, 3] }, args: ['x', 'i', 'u'], consts: { i: { i64: [2, 0, 2, 2, 1, 0], dims: [2, 3] } }, attrs: { axis: 0, reduction } })),
  // Einsum: diagonals, sums, batched contractions by matmul, three operands, the implicit output, ellipses.
  ...(
    [
      ['bij,bjk->bik', [2, 3, 4], [2, 4, 5]],
      ['bhqd,bhkd->bhqk', [1, 2, 3, 4], [1, 2, 5, 4]],
      ['...ii->...i', [2, 3, 3]],
      ['ii', [3, 3]],
      ['ij->', [3, 4]],
      ['i,j->ij', [3], [4]],
      ['ij,jk', [3, 4], [4, 2]],
      ['ij,jk,kl->li', [2, 3], [3, 4], [4, 2]],
      ['...ij,...jk->...ik', [2, 1, 3, 4], [1, 5, 4, 2]],
      ['bij,bkj->bk', [2, 3, 4], [2, 5, 4]],
    ] as const
  ).map(([equation, ...shapes]): Case => ({ op: 'Einsum', opset: 12, inputs: Object.fromEntries(shapes.map((sh, i) => [`x${i}`, [...sh]])), attrs: { equation } })),
  { op: 'CastLike', opset: 15, inputs: X, consts: { like: { i64: [0], dims: [1] } }, int: 7 },
  // The losses, NegativeLogLikelihoodLoss with class weights and an ignored index, and SoftmaxCrossEntropyLoss.
  { op: 'NegativeLogLikelihoodLoss', opset: 13, inputs: { x: [3, 4, 2], w: [4] }, args: ['x', 't', 'w'], consts: { t: { i64: [0, 3, 1, 1, 2, 0], dims: [3, 2] } }, attrs: { ignore_index: 1 }, needs: 'gather_elements' },
  { op: 'NegativeLogLikelihoodLoss', opset: 13, inputs: { x: [3, 4] }, consts: { t: { i64: [3, 0, 2], dims: [3] } }, attrs: { reduction: 'sum' }, needs: 'gather_elements' },
  { op: 'SoftmaxCrossEntropyLoss', opset: 13, inputs: { x: [3, 4] }, consts: { t: { i64: [2, 0, 3], dims: [3] } }, attrs: { reduction: 'none' }, outputs: 2, needs: 'gather_elements' },
  { op: 'SoftmaxCrossEntropyLoss', opset: 13, inputs: { x: [2, 4, 3], w: [4] }, args: ['x', 't', 'w'], consts: { t: { i64: [2, 0, 3, 1, 1, 0], dims: [2, 3] } }, needs: 'gather_elements' },
  { op: 'Gelu', opset: 20, inputs: X },
  { op: 'Gelu', opset: 20, inputs: X, attrs: { approximate: 'tanh' } },
  { op: 'Elu', opset: 13, inputs: X, attrs: { alpha: 0.7 } },
  { op: 'Selu', opset: 13, inputs: X },
  { op: 'LeakyRelu', opset: 16, inputs: X },
  { op: 'HardSigmoid', opset: 13, inputs: X, attrs: { alpha: 0.3, beta: 0.4 } },
  { op: 'HardSwish', opset: 14, inputs: X },
  { op: 'Softplus', opset: 13, inputs: X },
  { op: 'Softsign', opset: 13, inputs: X },
  { op: 'Mish', opset: 18, inputs: X },
  { op: 'ThresholdedRelu', opset: 13, inputs: X, attrs: { alpha: 0.2 } },
  { op: 'PRelu', opset: 16, inputs: IMG, consts: { slope: { f: [0.1, -0.2, 0.3, 0.5], dims: [4, 1, 1] } } },
  { op: 'Conv', opset: 11, inputs: { x: [1, 4, 7, 7], w: [6, 2, 3, 3] }, attrs: { group: 2, strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { op: 'Conv', opset: 11, inputs: { x: [1, 4, 7, 7], w: [6, 2, 3, 3] }, attrs: { group: 2, strides: [2, 1], auto_pad: 'SAME_LOWER' } },
  { op: 'Conv', opset: 13, inputs: { x: [1, 4, 7, 7], w: [2, 4, 3, 2], b: [2] }, attrs: { pads: [1, 0, 2, 1], dilations: [2, 1] } },
  { op: 'Conv', opset: 13, inputs: { x: [2, 3, 9], w: [4, 3, 3] }, attrs: { pads: [1, 1], strides: [2] } },
  { op: 'MaxPool', opset: 12, inputs: IMG, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { op: 'MaxPool', opset: 12, inputs: IMG, attrs: { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' } },
  { op: 'MaxPool', opset: 12, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [0, 0, 1, 2] } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1, strides: [2, 2] } },
  { op: 'AveragePool', opset: 19, inputs: { x: [1, 2, 8] }, attrs: { kernel_shape: [2] } },
  // Pads beyond half the kernel, and uneven pads left out of the divisor: padded explicitly before the pool.
  { op: 'MaxPool', opset: 12, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [2, 2, 2, 2] } },
  { op: 'MaxPool', opset: 12, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [2, 0, 1, 2], strides: [2, 2] } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [2, 2, 2, 2] } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [3, 3], pads: [2, 1, 2, 2], count_include_pad: 1 } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' } },
  { op: 'AveragePool', opset: 11, inputs: IMG, attrs: { kernel_shape: [3, 2], auto_pad: 'SAME_LOWER', strides: [2, 1] } },
  { op: 'AveragePool', opset: 19, inputs: { x: [1, 2, 8] }, attrs: { kernel_shape: [3], pads: [2, 1] } },
  // 3-D, as a 2-D pool over H and W, then one over D.
  { op: 'MaxPool', opset: 12, inputs: { x: [1, 2, 5, 6, 7] }, attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [1, 0, 1, 0, 1, 1] } },
  { op: 'MaxPool', opset: 12, inputs: { x: [2, 1, 4, 5, 5] }, attrs: { kernel_shape: [3, 3, 3], strides: [2, 2, 2], ceil_mode: 1 } },
  { op: 'AveragePool', opset: 11, inputs: { x: [1, 2, 5, 6, 7] }, attrs: { kernel_shape: [3, 2, 3], pads: [1, 1, 0, 1, 0, 2] } },
  { op: 'AveragePool', opset: 11, inputs: { x: [1, 2, 5, 6, 7] }, attrs: { kernel_shape: [3, 2, 3], pads: [1, 1, 0, 1, 0, 2], count_include_pad: 1 } },
  { op: 'AveragePool', opset: 11, inputs: { x: [1, 2, 5, 6, 7] }, attrs: { kernel_shape: [2, 2, 3], strides: [2, 1, 2], auto_pad: 'SAME_UPPER' } },
  { op: 'GlobalMaxPool', opset: 13, inputs: IMG },
  { op: 'GlobalAveragePool', opset: 13, inputs: IMG },
  { op: 'BatchNormalization', opset: 9, inputs: IMG, consts: { s: { f: [1, 2, 0.5, 1], dims: [4] }, b: { f: [0, 0.1, 0.2, 0.3], dims: [4] }, m: { f: [0.1, 0, -0.1, 0.2], dims: [4] }, v: { f: [1, 0.5, 2, 0.9], dims: [4] } } },
  { op: 'InstanceNormalization', opset: 13, inputs: IMG, consts: { s: { f: [1, 2, 0.5, 1], dims: [4] }, b: { f: [0, 0.1, 0.2, 0.3], dims: [4] } } },
  { op: 'LayerNormalization', opset: 17, inputs: X, consts: { g: { f: Array.from({ length: 12 }, (_, i) => 1 + i / 10), dims: [3, 4] } }, attrs: { axis: -2, epsilon: 0.001 } },
  { op: 'Cast', opset: 13, inputs: X, attrs: { to: 6 }, int: 6 },
  // Opset v2's primitives.
  { op: 'Mod', opset: 13, inputs: { a: [3, 4], b: [4] }, attrs: { fmod: 1 }, needs: 'mod' },
  { op: 'CumSum', opset: 14, inputs: X, consts: { axis: { i64: [1], dims: [] } }, needs: 'cumsum' },
  { op: 'CumSum', opset: 14, inputs: X, consts: { axis: { i64: [-1], dims: [] } }, attrs: { exclusive: 1, reverse: 1 }, needs: 'cumsum' },
  { op: 'TopK', opset: 11, inputs: X, consts: { k: [2] }, attrs: { axis: 1 }, outputs: 2, outTypes: [1, 7], needs: 'topk' },
  { op: 'TopK', opset: 11, inputs: X, consts: { k: [3] }, attrs: { largest: 0 }, outputs: 2, outTypes: [1, 7], needs: 'topk' },
  { op: 'GatherElements', opset: 13, inputs: { x: [3, 2] }, consts: { idx: { i64: [0, -1, 2, 0, 1, 1], dims: [3, 2] } }, attrs: { axis: 0 }, needs: 'gather_elements' },
  { op: 'Resize', opset: 13, inputs: IMG, args: ['x', '', 'scales'], consts: { scales: { f: [1, 1, 2, 1.5], dims: [4] } }, needs: 'resize' },
  { op: 'Resize', opset: 13, inputs: IMG, args: ['x', '', '', 'sizes'], consts: { sizes: [1, 4, 4, 10] }, attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, needs: 'resize' },
  { op: 'Resize', opset: 11, inputs: IMG, args: ['x', 'roi', 'scales'], consts: { roi: { f: [], dims: [0] }, scales: { f: [1, 1, 0.5, 0.5], dims: [4] } }, attrs: { mode: 'linear' }, needs: 'resize' },
  { op: 'Resize', opset: 13, inputs: IMG, args: ['x', '', 'scales'], consts: { scales: { f: [1, 1, 3, 3], dims: [4] } }, attrs: { coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, needs: 'resize' },
  { op: 'Resize', opset: 10, inputs: IMG, consts: { scales: { f: [1, 1, 2, 2], dims: [4] } }, needs: 'resize' },
  { op: 'Upsample', opset: 9, inputs: IMG, consts: { scales: { f: [1, 1, 2, 3], dims: [4] } }, needs: 'resize' },
  { op: 'ConvTranspose', opset: 13, inputs: { x: [1, 4, 5, 5], w: [4, 3, 3, 3] }, attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, needs: 'conv_transpose2d' },
  { op: 'ConvTranspose', opset: 11, inputs: { x: [1, 4, 5, 5], w: [4, 1, 2, 3], b: [2] }, attrs: { group: 2, pads: [0, 1, 1, 0], dilations: [2, 1] }, needs: 'conv_transpose2d' },
  // The output size set by output_shape or SAME (even total paddings: ONNX Runtime splits odd ones the other
  // way from ONNX's specification, which Hearth follows), and past the natural size (more output padding).
  { op: 'ConvTranspose', opset: 13, inputs: { x: [1, 2, 4, 4], w: [2, 3, 3, 3] }, attrs: { strides: [2, 2], output_shape: [7, 7] }, needs: 'conv_transpose2d' },
  { op: 'ConvTranspose', opset: 13, inputs: { x: [1, 2, 4, 4], w: [2, 3, 3, 3] }, attrs: { strides: [2, 2], output_shape: [10, 10] }, needs: 'conv_transpose2d' },
  { op: 'ConvTranspose', opset: 13, inputs: { x: [1, 2, 4, 4], w: [2, 3, 4, 4], b: [3] }, attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, needs: 'conv_transpose2d' },
  { op: 'ConvTranspose', opset: 13, inputs: { x: [1, 2, 5], w: [2, 3, 3] }, attrs: { strides: [3], output_shape: [13] }, needs: 'conv_transpose2d' },
  // 1-D, as 2-D over N, C, 1, L.
  { op: 'ConvTranspose', opset: 11, inputs: { x: [2, 3, 6], w: [3, 2, 3], b: [2] }, attrs: { strides: [2], pads: [1, 0], output_padding: [1], dilations: [2] }, needs: 'conv_transpose2d' },
  // Recurrent ops, unrolled over the sequence: X [seq, batch, input], W [dirs, gates * hidden, input],
  // R [dirs, gates * hidden, hidden], B [dirs, 2 * gates * hidden], then initial states [dirs, batch, hidden].
  // ONNX Runtime refuses layout = 1 (batch first): ONNX's node tests (test_*_batchwise) cover it.
  { op: 'RNN', opset: 14, inputs: { x: [4, 2, 3], w: [1, 5, 3], r: [1, 5, 5], b: [1, 10] }, attrs: { hidden_size: 5 }, outputs: 2 },
  { op: 'RNN', opset: 14, inputs: { x: [2, 4, 3], w: [2, 5, 3], r: [2, 5, 5], b: [2, 10], h0: [2, 4, 5] }, args: ['x', 'w', 'r', 'b', '', 'h0'], attrs: { hidden_size: 5, direction: 'bidirectional', activations: ['Relu', 'Tanh'] }, outputs: 2 },
  { op: 'GRU', opset: 14, inputs: { x: [5, 2, 3], w: [1, 12, 3], r: [1, 12, 4], b: [1, 24], h0: [1, 2, 4] }, args: ['x', 'w', 'r', 'b', '', 'h0'], attrs: { hidden_size: 4, linear_before_reset: 1 }, outputs: 2 },
  { op: 'GRU', opset: 7, inputs: { x: [5, 2, 3], w: [2, 12, 3], r: [2, 12, 4], b: [2, 24] }, attrs: { hidden_size: 4, direction: 'bidirectional' }, outputs: 2 },
  { op: 'GRU', opset: 14, inputs: { x: [3, 5, 3], w: [1, 12, 3], r: [1, 12, 4] }, attrs: { hidden_size: 4, direction: 'reverse', clip: 0.5 }, outputs: 2 },
  { op: 'LSTM', opset: 14, inputs: { x: [6, 2, 3], w: [1, 16, 3], r: [1, 16, 4], b: [1, 32], h0: [1, 2, 4], c0: [1, 2, 4] }, args: ['x', 'w', 'r', 'b', '', 'h0', 'c0'], attrs: { hidden_size: 4 }, outputs: 3 },
  { op: 'LSTM', opset: 7, inputs: { x: [3, 1, 2], w: [2, 12, 2], r: [2, 12, 3], b: [2, 24], p: [2, 9] }, args: ['x', 'w', 'r', 'b', '', '', '', 'p'], attrs: { hidden_size: 3, direction: 'bidirectional' }, outputs: 3 },
  { op: 'LSTM', opset: 14, inputs: { x: [2, 4, 3], w: [1, 16, 3], r: [1, 16, 4] }, attrs: { hidden_size: 4, direction: 'reverse', clip: 0.8, activations: ['Sigmoid', 'Tanh', 'Relu'] }, outputs: 3 },
  // Signal ops (opset 17): DFT and STFT as products with a cosine/sine basis, windows and mel filters from sizes.
  { op: 'DFT', opset: 17, inputs: { x: [2, 12, 3, 1] }, outputs: 1 },
  { op: 'DFT', opset: 17, inputs: { x: [2, 3, 10, 2] }, attrs: { axis: 2, inverse: 1 } },
  { op: 'DFT', opset: 17, inputs: { x: [3, 9, 1] }, consts: { n: { i64: [12], dims: [] } }, args: ['x', 'n'], attrs: { onesided: 1 } },
  { op: 'DFT', opset: 17, inputs: { x: [1, 16, 2, 1] }, consts: { n: { i64: [10], dims: [] } }, args: ['x', 'n'] },
  { op: 'STFT', opset: 17, inputs: { x: [2, 100, 1], window: [16] }, consts: { step: { i64: [6], dims: [] } }, args: ['x', 'step', 'window'] },
  // Frames of a power-of-two length: ONNX Runtime's STFT of other lengths is off by up to 5e-5 (Hearth's by
  // 5e-7 against a float64 FFT), and with a window on a complex signal it returns garbage (1e23).
  { op: 'STFT', opset: 17, inputs: { x: [1, 64, 1] }, consts: { step: { i64: [8], dims: [] }, len: { i64: [16], dims: [] } }, args: ['x', 'step', '', 'len'], attrs: { onesided: 0 } },
  { op: 'STFT', opset: 17, inputs: { x: [2, 40, 2] }, consts: { step: { i64: [4], dims: [] }, len: { i64: [8], dims: [] } }, args: ['x', 'step', '', 'len'], attrs: { onesided: 0 } },
  { op: 'HannWindow', opset: 17, inputs: {}, consts: { n: { i64: [10], dims: [] } } },
  { op: 'HammingWindow', opset: 17, inputs: {}, consts: { n: { i64: [9], dims: [] } }, attrs: { periodic: 0 } },
  { op: 'BlackmanWindow', opset: 17, inputs: {}, consts: { n: { i64: [12], dims: [] } } },
  { op: 'MelWeightMatrix', opset: 17, inputs: {}, consts: { bins: { i64: [10], dims: [] }, dft: { i64: [64], dims: [] }, rate: { i64: [16000], dims: [] }, lo: { f: [20], dims: [] }, hi: { f: [7600], dims: [] } } },
  // Past the host's size limit (4096 elements), made on the device: a 5000-sample window, Whisper's 80 x 201 filters.
  { op: 'HannWindow', opset: 17, inputs: {}, consts: { n: { i64: [5000], dims: [] } }, attrs: { periodic: 0 } },
  { op: 'MelWeightMatrix', opset: 17, inputs: {}, consts: { bins: { i64: [80], dims: [] }, dft: { i64: [400], dims: [] }, rate: { i64: [16000], dims: [] }, lo: { f: [0], dims: [] }, hi: { f: [8000], dims: [] } } },
  // Quantization: ties to even (x / scale exactly k + 0.5), saturation, per-axis scales and zero points,
  // uint8 when the zero point is left out; DequantizeLinear of int8 and uint8 (int32_data), per tensor and per axis.
  { op: 'QuantizeLinear', opset: 13, inputs: { x: [8] }, consts: { s: { f: [0.5], dims: [] }, zp: { u8: [128], dims: [] } }, int: 2, data: { x: [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 63.9, -64.6] } },
  { op: 'QuantizeLinear', opset: 13, inputs: X, consts: { s: { f: [0.01, 0.02, 0.005], dims: [3] }, zp: { i8: [-3, 0, 7], dims: [3] } }, attrs: { axis: 1 }, int: 3 },
  { op: 'QuantizeLinear', opset: 10, inputs: X, args: ['x', 's'], consts: { s: { f: [0.01], dims: [] } }, int: 2 },
  { op: 'DequantizeLinear', opset: 13, inputs: {}, consts: { q: { i8: [-128, -1, 0, 1, 127, 5], dims: [2, 3] }, s: { f: [0.1, 0.25, 3], dims: [3] }, zp: { i8: [0, -2, 5], dims: [3] } }, attrs: { axis: -1 } },
  { op: 'DequantizeLinear', opset: 10, inputs: {}, consts: { q: { u8: [0, 1, 128, 255], dims: [4] }, s: { f: [0.02], dims: [] }, zp: { u8: [128], dims: [] } } },
  // Opsets 19 and 21 spell the same ops (their float8, 4-bit and blocked variants are refused).
  { op: 'QuantizeLinear', opset: 19, inputs: X, consts: { s: { f: [0.01, 0.02, 0.005], dims: [3] }, zp: { i8: [-3, 0, 7], dims: [3] } }, attrs: { axis: 1, saturate: 1 }, int: 3 },
  { op: 'DequantizeLinear', opset: 21, inputs: {}, consts: { q: { u8: [0, 7, 200, 255], dims: [2, 2] }, s: { f: [0.5, 0.25], dims: [2] }, zp: { u8: [3, 250], dims: [2] } }, attrs: { axis: 0 } },
  { op: 'DynamicQuantizeLinear', opset: 11, inputs: X, outputs: 3, outTypes: [2, 1, 2] },
  // All positive (the range widened to hold 0) and all zero (scale 0).
  { op: 'DynamicQuantizeLinear', opset: 11, inputs: { x: [4] }, outputs: 3, outTypes: [2, 1, 2], data: { x: [0.5, 1, 2.5, 3] } },
  { op: 'DynamicQuantizeLinear', opset: 11, inputs: { x: [3] }, outputs: 3, outTypes: [2, 1, 2], data: { x: [0, 0, 0] } },
];

let h: Hearth;
let w: Hearth;
beforeAll(async () => {
  h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  w = createHearth({ plugins: [wasmPlugin], backends: ['wasm'] });
  await Promise.all([h.ready(), w.ready()]);
});
afterAll(async () => {
  await Promise.all([h?.dispose(), w?.dispose()]);
});

describe('ONNX ops against onnxruntime-node', () => {
  it.each(CASES.map((c) => [`${c.op} opset ${c.opset} ${JSON.stringify(c.attrs ?? {})} ${JSON.stringify(c.consts ?? {})}`, c] as const))('%s', async (_name, c) => {
    if (c.needs && !hasOp(c.needs)) return; // this core's opset has no ${c.needs}: loadOnnx refuses the op (tested in errors.test.ts)
    const bytes = build(c);
    const feeds: Record<string, Float32Array> = {};
    let seed = 1;
    for (const [n, shape] of Object.entries(c.inputs)) feeds[n] = c.data?.[n] ? Float32Array.from(c.data[n]) : seeded(shape.reduce((a, b) => a * b, 1), seed++).map((v) => v * 2);
    const session = await ort.InferenceSession.create(bytes);
    const ref = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, d]) => [n, new ort.Tensor('float32', d, c.inputs[n]!)])));
    await session.release();
    for (const rt of [h, w]) {
      const model = await loadOnnx(bytes, { hearth: rt });
      const ins = Object.fromEntries(Object.entries(feeds).map(([n, d]) => [n, rt.tensor(d, { shape: c.inputs[n]! })]));
      const out = await model.run(ins);
      for (const [name, t] of Object.entries(out)) {
        const r = ref[name]!;
        expect(t.shape, name).toEqual(r.dims);
        const got = await t.data();
        const type = c.outTypes?.[Number(name.slice(1))];
        const int = c.int ?? (type === 7 || type === 2 || type === 3 ? type : undefined);
        if (int) expect(Array.from(got), name).toEqual(Array.from(r.data as BigInt64Array | Int32Array, Number));
        else expect(worst(got, r.data as Float32Array, 1e-5, 1e-4), name).toBeLessThanOrEqual(1);
        t.dispose();
      }
      for (const t of Object.values(ins)) t.dispose();
      model.dispose();
      expect(rt.leaks()).toEqual([]);
    }
  });
});
