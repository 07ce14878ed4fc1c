/**
 * Inputs at the edges: each is refused with a coded HearthError that says what to do, never answered
 * wrongly in silence, never a raw RangeError or a heap-limit kill.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, type Backend, type HearthPlugin } from '@hearth/core';
import { cpuPlugin, CpuBackend } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { cpu, errorOf } from './helpers.js';

describe('tensor data', () => {
  it('refuses booleans mixed with numbers unless a dtype says what they are, whichever comes first', async () => {
    const h = await cpu();
    for (const data of [[true, 2.5], [2.5, true], [[1, 2], [false, 3]]]) {
      const e = errorOf(() => h.tensor(data as never));
      expect(e.code).toBe('E_ARG');
      expect(e.message).toMatch(/mixes booleans and numbers.*dtype/);
    }
    expect(Array.from(h.tensor([true, 2.5], { dtype: 'float32' }).dataSync())).toEqual([1, 2.5]);
    expect(Array.from(h.tensor([2.5, false], { dtype: 'bool' }).dataSync())).toEqual([1, 0]);
    expect(h.tensor([true, false]).dtype).toBe('bool');
  });

  it('a typed array of any element type gives the values a plain array of its numbers gives, into every dtype', async () => {
    const h = await cpu();
    const values = [0, -0, 1, -1, 127, -128, 255, 256, 65535, -32768, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 1.5, -2.5, 1e-40, 3.4e38, 1e39, NaN, Infinity, -Infinity];
    const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
    for (const Kind of kinds) {
      const view = Kind.from(values);
      for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
        const plain = Array.from(view as ArrayLike<number>);
        const want = (() => {
          try {
            return Array.from(h.tensor(plain, { dtype }).dataSync());
          } catch (e) {
            return (e as { code?: string }).code;
          }
        })();
        const got = (() => {
          try {
            return Array.from(h.tensor(view, { dtype }).dataSync());
          } catch (e) {
            return (e as { code?: string }).code;
          }
        })();
        expect(got, `${Kind.name} into ${dtype}`).toEqual(want);
      }
    }
  });

  it('refuses a detached typed array and a DataView with E_ARG instead of reading them as something else', async () => {
    const h = await cpu();
    const detached = new Float32Array([1, 2, 3]);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(errorOf(() => h.tensor(detached)).message).toMatch(/detached/);
    expect(errorOf(() => h.tensor(detached)).code).toBe('E_ARG');
    expect(errorOf(() => h.tensor([detached, detached] as never)).code).toBe('E_ARG');
    const view = new DataView(new ArrayBuffer(8));
    expect(errorOf(() => h.tensor(view as never))).toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/DataView/) });
    expect(h.tensor(new Float32Array(0)).shape).toEqual([0]); // an empty live array is fine
  });

  it('refuses data nested deeper than a tensor may have axes, without overflowing the stack', async () => {
    const h = await cpu();
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(errorOf(() => h.tensor(deep as never)).code).toBe('E_SHAPE');
  });
});

describe('shapes and element counts', () => {
  it('refuses a rank beyond the limit wherever a shape comes from, with E_SHAPE', async () => {
    const h = await cpu();
    const ones = new Array<number>(100_000).fill(1);
    expect(errorOf(() => h.zeros(ones)).code).toBe('E_SHAPE');
    expect(errorOf(() => h.tensor([1], { shape: ones })).code).toBe('E_SHAPE');
    expect(errorOf(() => h.reshape(h.tensor([1]), ones)).code).toBe('E_SHAPE');
    let x = h.tensor([1]);
    for (let i = 0; i < 63; i++) x = x.reshape([1, ...x.shape]);
    expect(x.rank).toBe(64);
    expect(await x.array()).toEqual(JSON.parse(`${'['.repeat(64)}1${']'.repeat(64)}`));
    expect(errorOf(() => x.reshape([1, ...x.shape])).code).toBe('E_SHAPE');
  });

  it("array() of an empty tensor with a huge leading axis is E_SHAPE (it would build 2^40 arrays), and data() still works", async () => {
    const h = await cpu();
    const t = h.zeros([2 ** 40, 0]);
    await expect(t.array()).rejects.toMatchObject({ code: 'E_SHAPE', message: expect.stringContaining('data()') });
    expect((await t.data()).length).toBe(0);
    expect(await h.zeros([3, 0]).array()).toEqual([[], [], []]);
  });

  it('conv2d with a 0x0 kernel is E_SHAPE, not an output bigger than its input', async () => {
    const h = await cpu();
    const x = h.zeros([1, 1, 3, 3]);
    const w = h.zeros([1, 1, 0, 0]);
    expect(errorOf(() => h.conv2d(x, w)).code).toBe('E_SHAPE');
    expect(errorOf(() => h.conv2d(x, h.zeros([1, 1, 2, 0]))).code).toBe('E_SHAPE');
  });

  it('a tensor bigger than the wasm memory can hold is E_OUT_OF_MEMORY naming the limit, before the heap is asked', async () => {
    const h = createHearth({ plugins: [wasmPlugin], backends: ['wasm'] });
    await h.ready();
    const e = errorOf(() => h.zeros([6e8]));
    expect(e.code).toBe('E_OUT_OF_MEMORY');
    expect(e.message).toContain(`largest allocation is ${2 ** 30} bytes`);
    expect(Array.from(h.zeros([4]).dataSync())).toEqual([0, 0, 0, 0]);
    await h.dispose();
  });
});

describe('one conversion rule for user numbers', () => {
  it('full() with int32 takes what tensor() takes: integers in range; anything else is E_ARG for both', async () => {
    const h = await cpu();
    for (const v of [3e9, 1.5, -2.5, NaN, Infinity, 2 ** 31]) {
      expect(errorOf(() => h.full([2], v, { dtype: 'int32' })).code).toBe('E_ARG');
      expect(errorOf(() => h.tensor([v], { dtype: 'int32' })).code).toBe('E_ARG');
    }
    for (const v of [-(2 ** 31), 2 ** 31 - 1, 0, -7]) {
      expect(Array.from(h.full([2], v, { dtype: 'int32' }).dataSync())).toEqual([v, v]);
      expect(Array.from(h.tensor([v, v], { dtype: 'int32' }).dataSync())).toEqual([v, v]);
    }
  });

  it('messages print NaN, Infinity and -0 as JavaScript writes them, not as null', async () => {
    const h = await cpu();
    const x = h.tensor([[1, 2]]);
    expect(errorOf(() => h.sum(x, NaN as never)).message).toContain('got [NaN]');
    expect(errorOf(() => h.op('sum', [x], { axes: [NaN] })).message).toContain('NaN');
    expect(errorOf(() => h.zeros([Infinity])).message).toContain('Infinity');
    expect(errorOf(() => h.op('avg_pool2d', [h.zeros([1, 1, 2, 2])], { kernelSize: -Infinity })).message).toContain('-Infinity');
    expect(errorOf(() => h.full([2], NaN, { dtype: 'int32' })).message).toContain('NaN is not an int32');
  });
});

describe('an op given a device', () => {
  it('names an unknown device: E_DEVICE; names one its inputs are not on: E_DEVICE_MISMATCH; never ignored', async () => {
    const h = createHearth({ plugins: [cpuPlugin, wasmPlugin], backends: ['cpu', 'wasm'] });
    await h.ready();
    const a = h.tensor([1, 2]);
    expect(errorOf(() => h.op('add', [a, a], undefined, { device: 'tpu:9' })).code).toBe('E_DEVICE');
    expect(errorOf(() => h.explain('add', [a, a], undefined, { device: 'tpu:9' })).code).toBe('E_DEVICE');
    expect(errorOf(() => h.op('add', [a, a], undefined, { device: 'wasm' })).code).toBe('E_DEVICE_MISMATCH');
    expect(Array.from(h.op('add', [a, a], undefined, { device: 'cpu:0' }).dataSync())).toEqual([2, 4]);
    expect(h.op('full', [], { shape: [1], value: 1 }, { device: 'wasm' }).device).toBe('wasm:0');
    await h.dispose();
  });
});

describe('time limits', () => {
  it('a limit above 2^31 - 1 ms (30 days) is honoured, not clamped to 1 ms', async () => {
    const slow: HearthPlugin = {
      manifest: { name: '@probe/slow', version: '1.0.0', vendor: 'Probe', deviceTypes: ['cpu'], coreApi: '^1.0.0' },
      register(host) {
        host.registerBackend({ type: 'cpu', create: () => new Promise<Backend>((resolve) => setTimeout(() => resolve(new CpuBackend()), 30)) });
      },
    };
    const month = 30 * 24 * 3600 * 1000;
    const h = createHearth({ plugins: [slow], backends: ['cpu'], timeouts: { create: month, register: month } });
    const report = await h.ready();
    expect(report.failed).toEqual([]);
    expect(report.defaultDevice).toBe('cpu:0');
    await h.dispose();
  });
});
