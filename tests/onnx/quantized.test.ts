/**
 * QDQ-quantized models (uint8/int8 values, QuantizeLinear -> DequantizeLinear around float ops, as ONNX
 * Runtime's `quantize_static` writes them) through @hearth/onnx on each first-party backend, compared with
 * onnxruntime-node on the same inputs. The models are made by onnx/scripts/make-fixtures.py.
 *
 * Tolerance. Hearth runs QDQ as ONNX defines it: DequantizeLinear to float32, the float op, QuantizeLinear.
 * Against ORT running each node that way too (graph optimisations disabled), qdq-cnn's float `logits` are
 * within 1e-4 + 1e-3 |ort| (float32 sums in another order; measured: 6e-8 absolute on every backend) and its uint8 `logits_q`
 * equal. ORT's default optimisations fuse the QDQ pairs into integer kernels (QLinearConv...) that requantize
 * in fixed point: against those, `logits` are within 5e-2 absolute, five steps of the output's quantization
 * (0.01; measured: 0.038), and `logits_q` within 5 steps (measured: 4). A wrong scale, axis or zero point is
 * off by far more. qdq-io has no accumulation: it agrees exactly either way.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump, parse } from 'npyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { checkOnnx, loadOnnx } from '@hearth/onnx';
import { fixture, runOrt, seeded, worst } from './reference.js';
import { MODEL_BACKENDS } from './backends.js';

const ATOL = 1e-4;
const RTOL = 1e-3;
/** Against ORT's fused integer kernels: five steps of the output quantization (0.01). */
const FUSED_ATOL = 5e-2;


/** uint8 values of qdq-io's input, spread over the whole range. */
const BYTES = Uint8Array.from([0, 1, 99, 100, 200, 255]);

for (const backend of MODEL_BACKENDS) {
  describe(`QDQ models on ${backend.type} against onnxruntime-node`, () => {
    let h: Hearth;
    let available = false;
    beforeAll(async () => {
      h = createHearth({ plugins: [...backend.plugins], backends: [backend.type, 'cpu'], fallback: 'allow' });
      available = (await h.ready()).defaultDevice === `${backend.type}:0`;
    }, 60_000);
    afterAll(async () => {
      await h?.dispose();
    });

    it(`qdq-cnn (int8 per-channel conv weights, uint8 activations): logits within ${ATOL} + ${RTOL}|ort| of ORT's node-by-node run, logits_q equal; within ${FUSED_ATOL} and 5 steps of ORT's fused one`, async ({ skip }) => {
      if (!available) skip(`no ${backend.type} device here`);
      const image = { data: seeded(2 * 3 * 8 * 8, 31), shape: [2, 3, 8, 8] };
      const ref = await runOrt(fixture('qdq-cnn.onnx'), { image }, 'disabled');
      const fused = await runOrt(fixture('qdq-cnn.onnx'), { image });
      const model = await loadOnnx(fixture('qdq-cnn.onnx'), { hearth: h });
      expect(model.outputs.map((o) => o.type)).toEqual(['float32', 'uint8']);
      const x = h.tensor(image.data, { shape: image.shape });
      const out = await model.run({ image: x });
      const [logits, q] = [await out['logits']!.data(), await out['logits_q']!.data()];
      expect(worst(logits, ref['logits']!.data, ATOL, RTOL)).toBeLessThanOrEqual(1);
      expect(out['logits_q']!.dtype).toBe('int32');
      expect(Array.from(q)).toEqual(Array.from(ref['logits_q']!.data));
      expect(worst(logits, fused['logits']!.data, FUSED_ATOL, 0)).toBeLessThanOrEqual(1);
      expect(worst(q, fused['logits_q']!.data, 5, 0)).toBeLessThanOrEqual(1);
      for (const t of [x, ...Object.values(out)]) t.dispose();
      model.dispose();
      expect(h.leaks()).toEqual([]);
    }, 60_000);

    it('qdq-io (a uint8 input, an int8 output) agrees exactly', async ({ skip }) => {
      if (!available) skip(`no ${backend.type} device here`);
      const ref = await runOrt(fixture('qdq-io.onnx'), { x: { data: BYTES, shape: [2, 3] } });
      const model = await loadOnnx(fixture('qdq-io.onnx'), { hearth: h });
      expect(model.outputs[0]!.type).toBe('int8');
      const x = h.tensor(Int32Array.from(BYTES), { dtype: 'int32', shape: [2, 3] });
      const { y } = await model.run({ x });
      expect(Array.from(await y!.data())).toEqual(Array.from(ref['y']!.data));
      for (const t of [x, y!]) t.dispose();
      model.dispose();
    });
  });
}

describe('QDQ models: folding and refusals', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
    await h.ready();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('folds DequantizeLinear of the int8 weights into float32 initializers at load, with the same results', async () => {
    const folded = await loadOnnx(fixture('qdq-cnn.onnx'), { hearth: h });
    const plain = await loadOnnx(fixture('qdq-cnn.onnx'), { hearth: h, optimize: false });
    // 3 weight DequantizeLinears folded; the 3 on activations stay.
    expect(plain.nodes.filter((n) => n.opType === 'DequantizeLinear')).toHaveLength(6);
    expect(folded.nodes.filter((n) => n.opType === 'DequantizeLinear')).toHaveLength(3);
    const x = h.tensor(seeded(3 * 64, 7), { shape: [1, 3, 8, 8] });
    const [a, b] = [await folded.run({ image: x }), await plain.run({ image: x })];
    expect(await a['logits']!.data()).toEqual(await b['logits']!.data());
    expect(await a['logits_q']!.data()).toEqual(await b['logits_q']!.data());
    for (const t of [x, ...Object.values(a), ...Object.values(b)]) t.dispose();
    folded.dispose();
    plain.dispose();
  });

  it('folds a weight past the host-evaluation limit too (int8 [64, 128], 8192 elements, raw_data), as ORT computes it node by node', async () => {
    const q = Int8Array.from({ length: 64 * 128 }, (_, i) => ((i * 37) % 255) - 127);
    const { onnx } = onnxProto;
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'big_weight',
        node: [
          { name: 'dequantize', opType: 'DequantizeLinear', input: ['q', 's', 'zp'], output: ['w'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
          { name: 'matmul', opType: 'MatMul', input: ['x', 'w'], output: ['y'] },
        ],
        initializer: [
          { name: 'q', dataType: 3, dims: [64, 128], rawData: new Uint8Array(q.buffer) },
          { name: 's', dataType: 1, dims: [128], floatData: Array.from({ length: 128 }, (_, i) => 0.001 * (1 + (i % 7))) },
          { name: 'zp', dataType: 3, dims: [128], int32Data: Array.from({ length: 128 }, (_, i) => (i % 5) - 2) },
        ],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }, { dimValue: 64 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      },
    }).finish();
    const data = seeded(2 * 64, 3);
    // Node by node: ORT's default optimisations quantize x for an integer matmul (about 1e-3 apart).
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const ref = await session.run({ x: new ort.Tensor('float32', data, [2, 64]) });
    await session.release();
    const model = await loadOnnx(bytes, { hearth: h });
    expect(model.nodes.map((n) => n.opType)).toEqual(['MatMul']);
    const x = h.tensor(data, { shape: [2, 64] });
    const { y } = await model.run({ x });
    expect(worst(await y!.data(), ref['y']!.data as Float32Array, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
    for (const t of [x, y!]) t.dispose();
    model.dispose();
  });

  it('refuses a uint8 feed out of range, a float feed for a uint8 input and a float zero point, each with a code', async () => {
    const model = await loadOnnx(fixture('qdq-io.onnx'), { hearth: h });
    const over = h.tensor(Int32Array.from([0, 1, 2, 300, 4, 5]), { dtype: 'int32', shape: [2, 3] });
    await expect(model.run({ x: over })).rejects.toMatchObject({ code: 'E_DTYPE', message: expect.stringMatching(/Input "x" is uint8, but element 3 is 300, outside 0 to 255/) });
    const negative = h.tensor(Int32Array.from([0, -1, 2, 3, 4, 5]), { dtype: 'int32', shape: [2, 3] });
    await expect(model.run({ x: negative })).rejects.toMatchObject({ code: 'E_DTYPE', details: { index: 1, value: -1 } });
    const float = h.tensor(Float32Array.from(BYTES), { shape: [2, 3] });
    await expect(model.run({ x: float })).rejects.toMatchObject({ code: 'E_DTYPE', message: expect.stringMatching(/Input "x" must be int32 \(the model's uint8, held as int32\), got float32/) });
    for (const t of [over, negative, float]) t.dispose();
    model.dispose();
    const bad = await loadOnnx(fixture('qdq-bad-zero-point.onnx'), { hearth: h });
    const x = h.tensor(Int32Array.from([1, 2, 3]), { dtype: 'int32', shape: [3] });
    await expect(bad.run({ x })).rejects.toMatchObject({ code: 'E_DTYPE', message: expect.stringMatching(/node "dequantize" \(DequantizeLinear, opset 13\): the zero point "zp" is float32/) });
    x.dispose();
    bad.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it("refuses opset 21's blocked quantization and float8 outputs by node, op, opset and attribute", async () => {
    const { onnx } = onnxProto;
    const model = (attribute: onnxProto.onnx.IAttributeProto) =>
      onnx.ModelProto.encode({
        irVersion: 10,
        opsetImport: [{ domain: '', version: 21 }],
        graph: {
          name: 'q',
          node: [{ name: 'quantize', opType: 'QuantizeLinear', input: ['x', 's'], output: ['y'], attribute: [attribute] }],
          initializer: [{ name: 's', dataType: 1, dims: [], floatData: [0.1] }],
          input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } }],
          output: [{ name: 'y', type: { tensorType: { elemType: 2 } } }],
        },
      }).finish();
    expect(await checkOnnx(model({ name: 'block_size', type: 2, i: 2 }))).toMatchObject([{ node: 'quantize', opType: 'QuantizeLinear', opset: 21, missing: expect.stringMatching(/block_size/) }]);
    expect(await checkOnnx(model({ name: 'output_dtype', type: 2, i: 17 }))).toMatchObject([{ node: 'quantize', opset: 21, missing: expect.stringMatching(/output_dtype 17/) }]);
    expect(await checkOnnx(model({ name: 'output_dtype', type: 2, i: 3 }))).toEqual([]);
  });

  it('refuses QLinearConv and MatMulInteger by node, op and opset; `hearth run --check` lists both', async () => {
    expect(await checkOnnx(fixture('quantized-refused.onnx'))).toMatchObject([
      { node: 'qconv', opType: 'QLinearConv', opset: 13, reason: 'op' },
      { node: 'matmul_integer', opType: 'MatMulInteger', opset: 13, reason: 'op' },
    ]);
    await expect(loadOnnx(fixture('quantized-refused.onnx'), { hearth: h })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    const bin = new URL('../../tools/dist/bin.js', import.meta.url).pathname;
    const r = await promisify(execFile)(process.execPath, [bin, 'run', '--check', fixture('quantized-refused.onnx')]).catch((e: { code: number; stdout: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    expect(r.stdout).toMatch(/qconv[\s\S]*QLinearConv[\s\S]*matmul_integer[\s\S]*MatMulInteger/);
  });

  it('`hearth run` takes a uint8 .npy input and saves the int8 output as int8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-qdq-'));
    writeFileSync(join(dir, 'x.npy'), new Uint8Array(dump(BYTES as never, [2, 3], { dtype: 'u1' })));
    const bin = new URL('../../tools/dist/bin.js', import.meta.url).pathname;
    const r = await promisify(execFile)(process.execPath, [bin, 'run', fixture('qdq-io.onnx'), '--backend', 'cpu', '--plugin', '@hearth/plugin-cpu', '--input', `x=${join(dir, 'x.npy')}`, '--save', dir, '--json'], { env: { ...process.env, HEARTH_BACKENDS: '' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ outputs: [{ name: 'y', shape: [2, 3], dtype: 'int8' }] });
    const file = readFileSync(join(dir, 'y.npy'));
    const saved = parse(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    const ref = await runOrt(fixture('qdq-io.onnx'), { x: { data: BYTES, shape: [2, 3] } });
    expect(saved.dtype.replace(/^[<>|=]/, '')).toBe('i1');
    expect(Array.from(saved.data as Int8Array)).toEqual(Array.from(ref['y']!.data));
  });
});
