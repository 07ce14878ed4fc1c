/**
 * `hearth run` end to end: the built CLI reads .npy inputs, runs a model, saves .npy outputs that match
 * onnxruntime-node, and reports what it cannot run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump, parse } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { fixture, runOrt, seeded, worst } from './reference.js';

const BIN = new URL('../../tools/dist/bin.js', import.meta.url).pathname;

async function hearth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, HEARTH_BACKENDS: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('hearth run', () => {
  it('runs a model on .npy inputs and saves outputs, by name, that match onnxruntime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-run-'));
    const data = seeded(2 * 6 * 16, 5);
    writeFileSync(join(dir, 'x.npy'), new Uint8Array(dump(data, [2, 6, 16])));
    for (const backend of ['cpu', 'wasm']) {
      const out = join(dir, backend);
      const r = await hearth('run', fixture('transformer.onnx'), '--backend', backend, '--plugin', '@hearth/plugin-cpu', '@hearth/plugin-wasm', '--input', `x=${join(dir, 'x.npy')}`, '--save', out, '--runs', '3', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/loaded in \d+ ms: \d+ nodes, opset 17/);
      const json = JSON.parse(r.stdout) as { device: string; runs: number; medianMs: number; outputs: { name: string; shape: number[]; file: string }[] };
      expect(json).toMatchObject({ device: `${backend}:0`, runs: 3, outputs: [{ name: 'y', shape: [2, 6, 16], file: join(out, 'y.npy') }] });
      expect(json.medianMs).toBeGreaterThan(0);
      const file = readFileSync(join(out, 'y.npy'));
      const saved = parse(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
      const ref = await runOrt(fixture('transformer.onnx'), { x: { data, shape: [2, 6, 16] } });
      expect(saved.shape).toEqual([2, 6, 16]);
      expect(worst(saved.data as Float32Array, ref['y']!.data, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
    }
  }, 60_000);

  it('--random with --dim and --profile: the per-node table says how each node ran, and where', async () => {
    const r = await hearth('run', fixture('transformer.onnx'), '--backend', 'cpu', '--random', '--dim', 'batch=3', '--dim', 'seq=4', '--profile', '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { outputs: { shape: number[] }[]; profile: { node: string; how: string; devices: string; plugins: string }[] };
    expect(json.outputs[0]!.shape).toEqual([3, 4, 16]);
    const by = Object.fromEntries(json.profile.map((p) => [p.node, p]));
    expect(by['shape']).toMatchObject({ how: 'host', devices: '-' });
    expect(by['ln1']).toMatchObject({ how: 'decomposed', devices: 'cpu:0', plugins: '@hearth/plugin-cpu' });
    expect(by['scores']).toMatchObject({ how: 'primitive', devices: 'cpu:0' });
    // Graph fusions: erf-GELU into gelu, and (opset v2) MatMul + bias into linear.
    expect(json.profile.filter((p) => p.how === 'fused').map((p) => p.node)).toEqual(expect.arrayContaining(['gelu.erf/gelu', 'q.matmul/linear', 'ff2.matmul/linear']));
  }, 60_000);

  it('--check lists every node Hearth cannot run, exit 1; a model it runs: every backend, exit 0', async () => {
    const bad = await hearth('run', '--check', fixture('unsupported.onnx'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/maxpool\s+MaxPool\s+13\s+dilations other than 1/);
    expect(bad.stdout).toMatch(/det\s+Det\s+13\s+the op/);
    const good = await hearth('run', '--check', fixture('resnet.onnx'), '--plugin', '@hearth/plugin-cpu', '@hearth/plugin-wasm', '--json');
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ unsupported: [], backends: expect.arrayContaining([{ backend: 'cpu', status: 'ok', fallbacks: [] }, { backend: 'wasm', status: 'ok', fallbacks: [] }]) });
  }, 60_000);

  it('bad input is a coded error and exit 2: a truncated model, a .npy that is not one, no data for an input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-run-'));
    writeFileSync(join(dir, 'cut.onnx'), readFileSync(fixture('resnet.onnx')).subarray(0, 300));
    writeFileSync(join(dir, 'bad.npy'), 'not numpy');
    writeFileSync(join(dir, 'big.npy'), new Uint8Array(dump(BigInt64Array.from([1n, 3_000_000_000n]), [2], { dtype: 'i8' })));
    const cases: [string[], RegExp][] = [
      [[join(dir, 'cut.onnx'), '--random'], /\[E_MODEL\]/],
      [[fixture('resnet.onnx'), '--input', `image=${join(dir, 'bad.npy')}`], /bad\.npy is not a readable \.npy file.*\[E_ARG\]/],
      [[fixture('resnet.onnx')], /Input "image" has no data.*--random.*\[E_ARG\]/],
      [[fixture('resnet.onnx'), '--input', `image=${join(dir, 'big.npy')}`], /int64 value 3000000000 at element 1 is outside int32's range.*\[E_DTYPE\]/],
      [[fixture('resnet.onnx'), '--input', `picture=${join(dir, 'bad.npy')}`], /no input "picture".*\[E_ARG\]/],
    ];
    for (const [args, message] of cases) {
      const r = await hearth('run', ...args, '--backend', 'cpu', '--plugin', '@hearth/plugin-cpu');
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
  }, 60_000);
});
