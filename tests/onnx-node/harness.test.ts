/**
 * The node-test harness itself, on small test folders written here with ONNX's protobuf classes: it reads
 * TensorProto files, tells mapped from unmapped tests with the reason, fails a test whose output is wrong
 * (NaN, integers and tolerances per dtype), and says how to make missing data.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { onnxOpTypes, readTensorProto } from '@hearth/onnx';
import { compareTensor, findNodeTests, runNodeTests } from '@hearth/cli';

const { onnx } = onnxProto;
const FLOAT = 1;
const INT64 = 7;
const DOUBLE = 11;

/** A serialized TensorProto of float32 (raw little-endian bytes) or int64 (int64_data) values. */
function tensorPb(name: string, dims: number[], values: number[], type = FLOAT): Uint8Array {
  if (type === INT64) return onnx.TensorProto.encode({ name, dims, dataType: INT64, int64Data: values }).finish();
  return onnx.TensorProto.encode({ name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) }).finish();
}

/** A one-node model `y = op(x)` over float32 [n]. */
function modelPb(opType: string, n: number, opset = 13): Uint8Array {
  const info = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: n }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: [{ opType, input: ['x'], output: ['y'] }], input: [info('x')], output: [info('y')] },
  }).finish();
}

/** Writes a node test folder: its model and one data set. */
function writeTest(root: string, name: string, model: Uint8Array, x: number[], y: number[]): void {
  const set = join(root, name, 'test_data_set_0');
  mkdirSync(set, { recursive: true });
  writeFileSync(join(root, name, 'model.onnx'), model);
  writeFileSync(join(set, 'input_0.pb'), tensorPb('x', [x.length], x));
  writeFileSync(join(set, 'output_0.pb'), tensorPb('y', [y.length], y));
}

let h: Hearth;
let root: string;
beforeAll(async () => {
  h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  await h.ready();
  root = mkdtempSync(join(tmpdir(), 'hearth-node-tests-'));
  writeTest(root, 'test_relu', modelPb('Relu', 4), [-1, 0, 2.5, NaN], [0, 0, 2.5, NaN]);
  writeTest(root, 'test_relu_wrong', modelPb('Relu', 3), [-1, 0, 2], [0, 0, 2.5]);
  writeTest(root, 'test_relu_nan_lost', modelPb('Relu', 2), [NaN, 1], [0, 1]);
  writeTest(root, 'test_det', modelPb('Det', 2), [1, 2], [0, 1]);
  writeTest(root, 'test_relu_opset6', modelPb('Relu', 2, 6), [1, 2], [1, 2]);
});
afterAll(async () => {
  await h?.dispose();
});

describe('reading ONNX test data', () => {
  it('reads float32 raw data and exact int64 values from TensorProto bytes', () => {
    expect(readTensorProto(tensorPb('a', [2, 2], [1.5, -2, 0, 3.25]))).toEqual({ name: 'a', type: 'float32', shape: [2, 2], data: Float32Array.from([1.5, -2, 0, 3.25]) });
    const big = readTensorProto(tensorPb('i', [3], [-1, 2 ** 40, 7], INT64));
    expect(big.type).toBe('int64');
    expect(Array.from(big.data)).toEqual([-1, 2 ** 40, 7]);
  });

  it('reads uint8 and int8 from raw_data and from int32_data, as the ONNX spec stores them', () => {
    const raw = onnx.TensorProto.encode({ name: 'u', dims: [3], dataType: 2, rawData: Uint8Array.from([0, 200, 255]) }).finish();
    expect(readTensorProto(raw)).toEqual({ name: 'u', type: 'uint8', shape: [3], data: Int32Array.from([0, 200, 255]) });
    const signed = onnx.TensorProto.encode({ name: 's', dims: [3], dataType: 3, rawData: Uint8Array.from([0x80, 0xff, 0x7f]) }).finish();
    expect(readTensorProto(signed)).toEqual({ name: 's', type: 'int8', shape: [3], data: Int32Array.from([-128, -1, 127]) });
    const widened = onnx.TensorProto.encode({ name: 's', dims: [2], dataType: 3, int32Data: [-128, 5] }).finish();
    expect(readTensorProto(widened)).toEqual({ name: 's', type: 'int8', shape: [2], data: Int32Array.from([-128, 5]) });
    const short = onnx.TensorProto.encode({ name: 'u', dims: [4], dataType: 2, rawData: new Uint8Array(3) }).finish();
    expect(() => readTensorProto(short)).toThrow(/raw_data has 3 bytes, but shape \[4\] of uint8 needs 4/);
  });

  it('refuses truncated bytes, data that does not fit the shape, and unread element types, with codes', () => {
    const pb = tensorPb('a', [4], [1, 2, 3, 4]);
    expect(() => readTensorProto(pb.subarray(0, pb.length - 3))).toThrow(expect.objectContaining({ code: 'E_MODEL' }));
    const short = onnx.TensorProto.encode({ name: 'a', dims: [4], dataType: FLOAT, rawData: new Uint8Array(8) }).finish();
    expect(() => readTensorProto(short)).toThrow(/raw_data has 8 bytes, but shape \[4\] of float32 needs 16/);
    const int16 = onnx.TensorProto.encode({ name: 'u', dims: [1], dataType: 5, rawData: new Uint8Array(2) }).finish();
    expect(() => readTensorProto(int16)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
  });

  it("lists a model's op types, with their domain outside ai.onnx, even when it does not load", async () => {
    const m = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }],
      graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['a'] }, { opType: 'Scaler', domain: 'ai.onnx.ml', input: ['a'], output: ['y'] }, { opType: 'Relu', input: ['y'], output: ['z'] }] },
    }).finish();
    expect(await onnxOpTypes(m)).toEqual(['Relu', 'ai.onnx.ml.Scaler']);
  });

  it('says how to generate the data when the folder is missing or empty', () => {
    const missing = join(root, 'nowhere');
    expect(() => findNodeTests(missing)).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringContaining('scripts/setup') }));
    const empty = mkdtempSync(join(tmpdir(), 'hearth-node-empty-'));
    expect(() => findNodeTests(empty)).toThrow(HearthError);
  });
});

describe('comparing outputs', () => {
  const f32 = (values: number[]) => ({ name: 'y', type: 'float32' as const, shape: [values.length], data: Float32Array.from(values) });
  const actual = (values: number[], dtype: 'float32' | 'int32' = 'float32') => ({ dtype, shape: [values.length], data: values });

  it("holds float32 to ONNX's node test tolerance, atol 1e-7 + rtol 1e-3", () => {
    expect(compareTensor(actual([1.0009, 0, -2]), f32([1, 0, -2]))).toBeUndefined();
    expect(compareTensor(actual([1.0011, 0, -2]), f32([1, 0, -2]))).toMatch(/1 of 3 elements differ; worst at 0/);
    expect(compareTensor(actual([1, 1e-6, -2]), f32([1, 0, -2]))).toMatch(/worst at 1/);
  });

  it('wants NaN exactly where NaN is expected, and equal infinities', () => {
    expect(compareTensor(actual([NaN, Infinity]), f32([NaN, Infinity]))).toBeUndefined();
    expect(compareTensor(actual([0, Infinity]), f32([NaN, Infinity]))).toMatch(/worst at 0/);
    expect(compareTensor(actual([NaN, 1]), f32([1, 1]))).toMatch(/worst at 0/);
    expect(compareTensor(actual([1, -Infinity]), f32([1, Infinity]))).toMatch(/worst at 1/);
  });

  it('compares integers exactly, ONNX int64 as int32, and the shape and dtype first', () => {
    const i64 = { name: 'i', type: 'int64' as const, shape: [2], data: Float64Array.from([3, -4]) };
    expect(compareTensor(actual([3, -4], 'int32'), i64)).toBeUndefined();
    expect(compareTensor(actual([3, -3], 'int32'), i64)).toMatch(/worst at 1/);
    expect(compareTensor(actual([3, -4]), i64)).toBe('dtype float32, expected int32');
    expect(compareTensor({ dtype: 'int32', shape: [1, 2], data: [3, -4] }, i64)).toBe('shape [1, 2], expected [2]');
  });
});

describe('running node tests', () => {
  it('passes a right test, fails a wrong one with what differs, and tallies the unmapped by reason', async () => {
    const r = await runNodeTests(findNodeTests(root), [{ name: 'cpu', hearth: h, device: 'cpu:0' }]);
    expect(r.total).toBe(5);
    expect(r.mapped).toEqual(['test_relu', 'test_relu_nan_lost', 'test_relu_wrong']);
    expect(r.unmapped.map((u) => [u.name, u.reason, u.unmappedOps])).toEqual([
      ['test_det', 'op', ['Det']],
      ['test_relu_opset6', 'opset', []],
    ]);
    const [cpu] = r.backends;
    expect(cpu!.passed).toBe(1);
    expect(cpu!.failed.map((f) => f.name)).toEqual(['test_relu_nan_lost', 'test_relu_wrong']);
    expect(cpu!.failed[1]!.detail).toMatch(/output "y": 1 of 3 elements differ; worst at 2: 2 vs expected 2.5/);
    expect(h.leaks()).toEqual([]);
  });

  it('does not run a test on a device that does not store its dtype, and says so', async () => {
    const w = createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'] });
    await w.ready();
    const dir = mkdtempSync(join(tmpdir(), 'hearth-node-f64-'));
    const f64 = (name: string) => ({ name, type: { tensorType: { elemType: DOUBLE, shape: { dim: [{ dimValue: 2 }] } } } });
    const model = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [f64('x')], output: [f64('y')] },
    }).finish();
    const set = join(dir, 'test_relu_f64', 'test_data_set_0');
    mkdirSync(set, { recursive: true });
    writeFileSync(join(dir, 'test_relu_f64', 'model.onnx'), model);
    for (const [file, name, v] of [['input_0.pb', 'x', [-1, 2]], ['output_0.pb', 'y', [0, 2]]] as const) {
      writeFileSync(join(set, file), onnx.TensorProto.encode({ name, dims: [2], dataType: DOUBLE, doubleData: [...v] }).finish());
    }
    const r = await runNodeTests(findNodeTests(dir), [{ name: 'wasm', hearth: w, device: 'wasm:0' }, { name: 'cpu', hearth: h, device: 'cpu:0' }]);
    expect(r.backends.map((b) => [b.backend, b.passed, b.unstored])).toEqual([
      ['wasm', 0, [{ name: 'test_relu_f64', detail: 'wasm:0 stores no float64' }]],
      ['cpu', 1, []],
    ]);
    expect(w.leaks()).toEqual([]);
    await w.dispose();
  });

  it('prints the report from the command line, with the unmapped ops by frequency', async () => {
    const bin = new URL('../../tools/dist/bin.js', import.meta.url).pathname;
    const run = await promisify(execFile)(process.execPath, [bin, 'onnx-node-tests', '--data', root, '--backend', 'cpu']).catch((e: { stdout: string; code: number }) => e);
    expect(run.stdout).toContain('ONNX backend node tests: 5; mapped to Hearth: 3 (60.0%)');
    expect(run.stdout).toMatch(/cpu\s+1\s+33\.3%/);
    expect(run.stdout).toContain('ONNX ops with no Hearth mapping (1), by the number of tests using them:\nDet 1');
    expect((run as { code?: number }).code).toBe(1); // failures that are not allow-listed
  });
});
