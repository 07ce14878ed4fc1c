import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPSET, dtypeBytes, kindOf, type DType, type DTypeClass, type Hearth, type OpSchema, type Tensor } from '@hearth/core';
import { cpuPlugin, CpuBackend, manifest } from './index.js';
import { cpuHearth, t } from './kernels/test-util.js';

const STORED: DType[] = ['float32', 'float64', 'int32', 'bool'];
const PRIMITIVES = OPSET.filter((op) => kindOf(op) === 'primitive');

/** Which stored dtypes a compute-dtype class admits (written out here, apart from the core's own check). */
const admits: Record<DTypeClass, DType[]> = {
  any: STORED,
  numeric: ['float32', 'float64', 'int32'],
  float: ['float32', 'float64'],
  int32: ['int32'],
  bool: ['bool'],
};

/** One small call of each op that isn't a plain unary or binary; int32 inputs mixed with float32 force promotion casts. */
const SAMPLES: Record<string, (h: Hearth, x: Tensor, i: Tensor, b: Tensor) => Tensor> = {
  where: (h, x, i, b) => h.where(b, x, i),
  cast: (h, x) => h.cast(x, 'int32'),
  sum: (h, _x, i) => h.sum(i, { axes: 0 }),
  mean: (h, _x, i) => h.mean(i),
  max: (h, x) => h.max(x, { axes: -1 }),
  min: (h, x) => h.min(x),
  prod: (h, x) => h.prod(x, { axes: 1, keepdims: true }),
  argmax: (h, x) => h.argmax(x, { axis: 0 }),
  argmin: (h, x) => h.argmin(x),
  softmax: (h, _x, i) => h.softmax(i),
  log_softmax: (h, x) => h.log_softmax(x, 0),
  matmul: (h, x, i) => h.matmul(x, h.transpose(i)),
  reshape: (h, x) => h.reshape(x, [3, 2]),
  transpose: (h, x) => h.transpose(x),
  slice: (h, x) => h.slice(x, { starts: [-1], ends: [-100], steps: [-1] }),
  concat: (h, x, i) => h.concat([x, i], 1),
  expand: (h, x) => h.expand(x, [2, 2, 3]),
  gather: (h, x, i) => h.gather(x, h.cast(i, 'int32'), 1),
  pad: (h, x) => h.pad(x, [1, 1, 0, 1], { mode: 'reflect' }),
  conv2d: (h, x, i) => h.conv2d(h.reshape(x, [1, 1, 2, 3]), h.reshape(h.slice(i, { starts: [0], ends: [1] }), [3, 1, 1, 1]), h.full([3], 0.5)),
  max_pool2d: (h, x) => h.max_pool2d(h.reshape(x, [1, 1, 2, 3]), { kernelSize: 2, padding: 1 }),
  avg_pool2d: (h, x) => h.avg_pool2d(h.reshape(x, [1, 2, 3, 1]), { kernelSize: [2, 1], ceilMode: true, countIncludePad: false }),
  full: (h) => h.full([2], 3, { dtype: 'int32' }),
  arange: (h) => h.arange(0, 2, 0.5, { dtype: 'float64' }),
  cumsum: (h, _x, i) => h.cumsum(i, 1, { reverse: true }),
  topk: (h, x) => h.op('topk', [x], { k: 2 }),
  gather_elements: (h, x, i) => h.gather_elements(x, h.cast(i, 'int32'), 1),
  tile: (h, x) => h.tile(x, [2, 1]),
  resize: (h, x) => h.resize(x, { sizes: [3, 4], mode: 'linear' }),
  conv_transpose2d: (h, x, i) => h.conv_transpose2d(h.reshape(x, [1, 1, 2, 3]), h.reshape(i, [1, 3, 1, 2]), null, { stride: 2 }),
  random_uniform: (h) => h.random_uniform([5], { seed: 1 }),
  random_normal: (h) => h.random_normal([5], { seed: 1, dtype: 'float64' }),
  layer_norm: (h, x) => h.layer_norm(x, h.full([3], 2), h.full([3], 1)),
  batch_norm: (h, x) => h.batch_norm(h.reshape(x, [1, 2, 3]), { scale: h.full([2], 2), bias: h.full([2], 1), mean: h.full([2], 0.5), variance: h.full([2], 4) }),
  instance_norm: (h, x) => h.instance_norm(h.reshape(x, [1, 2, 3]), h.full([2], 2), h.full([2], 1)),
  group_norm: (h, x) => h.group_norm(h.reshape(x, [1, 2, 3]), 1, h.full([2], 2), h.full([2], 1)),
  clip: (h, _x, i) => h.clip(i, 0, 1),
  hard_sigmoid: (h, x) => h.hard_sigmoid(x),
  leaky_relu: (h, _x, i) => h.leaky_relu(i, 0.1),
  elu: (h, x) => h.elu(x),
  linear: (h, x, i) => h.linear(x, i, h.full([2], 1), { transB: true, alpha: 2 }),
  global_avg_pool2d: (h, x) => h.global_avg_pool2d(h.reshape(x, [1, 1, 2, 3])),
  global_max_pool2d: (h, x) => h.global_max_pool2d(h.reshape(x, [1, 1, 2, 3])),
  squeeze: (h, x) => h.squeeze(h.reshape(x, [1, 2, 1, 3])),
  unsqueeze: (h, x) => h.unsqueeze(x, [0, -1]),
  flatten: (h, x) => h.flatten(h.reshape(x, [1, 2, 3]), 2),
};

function sample(h: Hearth, op: OpSchema, x: Tensor, i: Tensor, b: Tensor): Tensor {
  if (op.family === 'unary' || op.family === 'activation') return h.op(op.name, [x]);
  if (op.family === 'binary') return h.op(op.name, [x, i]);
  return SAMPLES[op.name]!(h, x, i, b);
}

describe('@hearth/plugin-cpu', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('loads as a plugin with a cpu backend that stores float32, float64, int32 and bool', () => {
    expect(h.plugins()).toEqual([expect.objectContaining({ name: manifest.name, status: 'loaded' })]);
    expect(h.defaultDevice).toBe('cpu:0');
    expect([...new CpuBackend().dtypes].sort()).toEqual([...STORED].sort());
    expect(cpuPlugin.manifest.deviceTypes).toEqual(['cpu']);
  });

  it('declares opset 2 and registers a float32 kernel for every opset v2 primitive, and none for a composite', () => {
    expect(manifest.opset).toBe(2);
    expect(h.kernels().filter((k) => kindOf(OPSET.find((o) => o.name === k.op)!) === 'composite')).toEqual([]);
    const missing = PRIMITIVES.filter((op) => !h.kernels().some((k) => k.op === op.name && k.device === 'cpu' && k.dtype === 'float32'));
    expect(missing.map((op) => op.name)).toEqual([]);
  });

  it('registers a kernel for every compute dtype each operator admits that the CPU stores, and no others', () => {
    const have = new Set(h.kernels().map((k) => `${k.op}:${k.dtype}`));
    const want = new Set(PRIMITIVES.flatMap((op) => admits[op.computeDtypes].map((d) => `${op.name}:${d}`)));
    expect([...want].filter((k) => !have.has(k))).toEqual([]);
    expect([...have].filter((k) => !want.has(k))).toEqual([]);
    for (const k of h.kernels()) expect(k.provenance).toEqual({ plugin: manifest.name, version: manifest.version });
  });

  it('runs every operator, composites as their decompositions, without leaving anything in the ledger or the backend beyond the tensors held', () => {
    expect(OPSET.filter((op) => op.family !== 'unary' && op.family !== 'binary' && op.family !== 'activation' && !SAMPLES[op.name]).map((o) => o.name)).toEqual([]);
    const x = t(h, [1, -2, 3.5, 0, 5, -6], [2, 3]);
    const i = t(h, [2, 0, 1, 1, 0, 2], [2, 3], 'int32');
    const b = t(h, [1, 0, 1], [3], 'bool');
    const held = [x, i, b];
    const heldBytes = 6 * 4 + 6 * 4 + 3;
    const check = (tensors: number, bytes: number) => {
      const cpu = h.memoryOf('cpu');
      expect(cpu.tensors).toBe(tensors);
      expect(cpu.bytes).toBe(bytes);
      expect(cpu.scratch).toBe(0);
      expect(h.backendStats('cpu')).toEqual(expect.objectContaining({ liveAllocations: tensors, liveBytes: bytes }));
    };
    check(held.length, heldBytes);
    for (const op of OPSET) {
      const y = h.scope(() => sample(h, op, x, i, b));
      // Only the result survives: inputs cast for promotion and intermediates are freed.
      const yBytes = y.size * dtypeBytes(y.dtype); // the CPU stores each dtype at its own width
      check(held.length + 1, heldBytes + yBytes);
      expect(h.leaks().map((l) => l.id).sort()).toEqual([...held, y].map((z) => z.id).sort());
      y.dispose();
      check(held.length, heldBytes);
    }
    for (const z of held) z.dispose();
    check(0, 0);
  });
});
