/**
 * The API must never answer wrong in silence: every odd argument is a HearthError that says what was
 * expected, and tensor methods take what `hearth.op` takes (plus positional axes, as TF.js/PyTorch users write).
 */
import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { cpu, errorOf } from './helpers.js';

describe('reduction arguments', () => {
  it('takes a positional axis (number or array) and keepdims, like TF.js and PyTorch', async () => {
    const h = await cpu();
    const x = h.tensor([[1, 5, 3], [4, 2, 6]]);
    expect(await x.sum(1).array()).toEqual([9, 12]);
    expect(await x.sum([0, 1]).array()).toBe(21);
    expect(await x.sum(1, true).array()).toEqual([[9], [12]]);
    expect(await x.max(1).array()).toEqual([5, 6]);
    expect(await x.mean(0).array()).toEqual([2.5, 3.5, 4.5]);
    expect(await x.argmax(1).array()).toEqual([1, 2]);
    expect(await x.argmin(0, true).array()).toEqual([[0, 1, 0]]);
    expect(await h.sum(x, { axes: 0 }).array()).toEqual([5, 7, 9]);
    expect(await x.argmax({ axis: 0 }).array()).toEqual([1, 0, 1]);
  });

  it('rejects an unknown option instead of reducing everything', async () => {
    const h = await cpu();
    const x = h.tensor([[1, 2], [3, 4]]);
    const e = errorOf(() => x.sum({ axis: 1 } as never));
    expect(e.code).toBe('E_ARG');
    expect(e.message).toContain('"axis"');
    expect(e.message).toContain('axes');
    expect(errorOf(() => x.argmax({ axes: 1 } as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.sum(1, true, 'extra' as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.sum('1' as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.sum(1.5)).code).toBe('E_ATTR');
  });

  it('validates every method as hearth.op does: extra arguments and unknown options are E_ARG', async () => {
    const h = await cpu();
    const x = h.tensor([[1, 2], [3, 4]]);
    expect(errorOf(() => (x.exp as (...a: unknown[]) => unknown)(2)).code).toBe('E_ARG');
    expect(errorOf(() => (x.add as (...a: unknown[]) => unknown)(x, x)).code).toBe('E_ARG');
    expect(errorOf(() => x.pad([1, 1, 1, 1], { mode: 'edge', fill: 3 } as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.reshape(4 as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.slice({ starts: [0], ends: [1], step: [1] } as never)).code).toBe('E_ARG');
    expect(errorOf(() => x.reshape([4]).max_pool2d({ kernelSize: 2, size: 2 } as never)).code).toBe('E_ARG');
  });
});

describe('odd arguments are HearthErrors that say what was expected', () => {
  it('creation, tensor, op and scope', async () => {
    const h = await cpu();
    const x = h.tensor([1]);
    for (const [call, words] of [
      [() => h.zeros(3 as never), 'array of integers'],
      [() => h.tensor([1], { device: 0 as never }), 'device must be a string'],
      [() => h.op('add', x as never), 'inputs must be an array'],
      [() => h.scope(5 as never), 'takes a function'],
      [() => h.zeros([2], { dtyp: 'int32' } as never), 'unknown option "dtyp"'],
    ] as const) {
      const e = errorOf(call);
      expect(e.code).toBe('E_ARG');
      expect(e.message).toContain(words);
    }
  });

  it('createHearth options', () => {
    expect(errorOf(() => createHearth({ plugins: cpuPlugin as never })).message).toContain('plugins must be an array');
    expect(errorOf(() => createHearth({ backends: 'cpu' as never })).message).toContain('backends must be an array');
    expect(errorOf(() => createHearth({ backend: ['cpu'] } as never)).message).toContain('did you mean "backends"');
  });
});

describe('host data', () => {
  it('keeps the values of a Uint8Array (a Node Buffer of bytes) as int32', async () => {
    const h = await cpu();
    const t = h.tensor(new Uint8Array([0, 128, 255, 7]));
    expect(t.dtype).toBe('int32');
    expect(await t.array()).toEqual([0, 128, 255, 7]);
    expect(h.tensor(Buffer.from([1, 2])).dtype).toBe('int32');
    expect(await h.tensor(new Uint8Array([0, 2]), { dtype: 'bool' }).array()).toEqual([false, true]);
    expect(h.tensor([true, false]).dtype).toBe('bool');
  });

  it('keeps -2^31 beside an int32 tensor as int32', async () => {
    const h = await cpu();
    const r = h.add(h.tensor([16777217], { dtype: 'int32' }), -2147483648);
    expect(r.dtype).toBe('int32');
    expect(await r.array()).toEqual([16777217 - 2147483648]);
    expect(h.add(h.tensor([1], { dtype: 'int32' }), 2147483648).dtype).toBe('float32');
  });
});

describe('limits and lifetime', () => {
  it('refuses an allocation beyond the device limit with E_OUT_OF_MEMORY before allocating', async () => {
    const h = await cpu();
    const e = errorOf(() => h.zeros([2 ** 31]));
    expect(e.code).toBe('E_OUT_OF_MEMORY');
    expect(e.message).toContain('largest allocation');
    expect(h.memoryOf('cpu').tensors).toBe(0);
  });

  it('says the runtime was disposed, after dispose()', async () => {
    const h = await cpu();
    const x = h.tensor([1, 2]);
    await h.dispose();
    for (const call of [() => h.zeros([2]), () => h.tensor([1]), () => x.add(1), () => x.dataSync()]) {
      const e = errorOf(call);
      expect(e.code).toBe('E_DISPOSED');
      expect(e.message).toContain('runtime');
      expect(e.message).toContain('disposed');
    }
    await expect(h.ready()).rejects.toMatchObject({ code: 'E_DISPOSED' });
    await expect(h.dispose()).resolves.toBeUndefined();
  });
});
