/**
 * Native plugins that misbehave the ways no in-process host can contain (a kernel that writes past its
 * buffer or aborts, an init or launch that never returns, an init that calls exit(3)), loaded isolated:
 * each costs only its own device, with the cause in an E_DEVICE_LOST; the CPU device and the program go
 * on, and the lost device can be restarted.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth, type HearthError } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { loadNativePlugin, openNativeLibrary } from '../src/index.js';
import { buildFixture } from './fixtures.js';

const libs: Record<string, string> = {};

beforeAll(() => {
  for (const v of ['OVERRUN_LAUNCH', 'ABORT_LAUNCH', 'HANG_LAUNCH', 'HANG_INIT', 'EXIT_INIT', 'MANY_DEVICES', 'MANY_KERNELS', 'LONG_NAME']) {
    libs[v] = buildFixture('misbehaving.c', `misbehaving-${v.toLowerCase().replace('_', '-')}`, [v]);
  }
}, 120_000);

/** A runtime with the misbehaving library isolated beside the CPU plugin, with short time limits. */
async function open(variant: string): Promise<{ h: Hearth; report: Awaited<ReturnType<Hearth['ready']>> }> {
  const bad = loadNativePlugin(libs[variant]!, { name: `bad-${variant.toLowerCase()}` });
  const h = createHearth({ plugins: [cpuPlugin, bad], backends: ['cpu', 'native'], isolate: [bad.manifest.name], timeouts: { register: 5000, create: 1500, call: 1500 } });
  return { h, report: await h.ready() };
}

async function cpuStillWorks(h: Hearth): Promise<void> {
  const x = h.tensor([1, 2, 3], { device: 'cpu' });
  expect(Array.from(await x.add(x).data())).toEqual([2, 4, 6]);
}

async function lost(p: Promise<unknown>): Promise<HearthError> {
  const e = (await p.then(() => undefined, (err: unknown) => err)) as HearthError | undefined;
  expect(e?.code).toBe('E_DEVICE_LOST');
  return e!;
}

describe('an isolated native plugin that crashes', () => {
  for (const [variant, signal] of [['OVERRUN_LAUNCH', 'SIGSEGV'], ['ABORT_LAUNCH', 'SIGABRT']] as const) {
    it(`${variant}: loses only its device (${signal} named), its tensors say so, and it restarts`, async () => {
      const { h } = await open(variant);
      const a = h.tensor([1, 2, 3], { device: 'native' });
      expect(Array.from(await a.neg().data())).toEqual([-1, -2, -3]); // healthy until the bad kernel
      const sum = a.add(a); // the process dies on this launch
      const e = await lost(sum.data());
      expect(e.message).toContain(signal);
      expect(e.message).toContain('bad-');
      await lost(a.data());
      expect(() => a.neg()).toThrow(expect.objectContaining({ code: 'E_DEVICE_LOST' }));
      await cpuStillWorks(h);
      await h.restartDevice('native:0');
      const b = h.tensor([4, 5], { device: 'native' });
      expect(Array.from(await b.neg().data())).toEqual([-4, -5]);
      const stale = await lost(a.data());
      expect(stale.message).toContain('restarted');
      a.dispose();
      sum.dispose();
      await h.dispose();
    });
  }
});

describe('an isolated native plugin that hangs', () => {
  it('in a launch: the event loop and the thread pool stay free; the device is lost at the time limit', async () => {
    const { h } = await open('HANG_LAUNCH');
    const a = h.tensor([1, 2], { device: 'native' });
    const order: string[] = [];
    const read = lost(a.add(a).data()).then((e) => (order.push('lost'), e));
    await readFile(new URL(import.meta.url)).then(() => order.push('fs read'));
    await cpuStillWorks(h);
    const e = await read;
    expect(order).toEqual(['fs read', 'lost']);
    expect(e.message).toContain('the launch of add(float32)');
    expect(e.message).toContain('within 1500 ms');
    await h.dispose();
  });

  it('in init: createHearth and ready() are not held; the backend fails at the create time limit', async () => {
    const { h, report } = await open('HANG_INIT');
    expect(report.devices.map((d) => d.name)).toEqual(['cpu:0']);
    const failure = report.failed.find((f) => f.backend === 'native')!;
    expect(failure.error.message).toContain('within 1500 ms');
    await cpuStillWorks(h);
    await h.dispose();
  });
});

describe('an isolated native plugin whose init calls exit(3)', () => {
  it('ends its own process only: the backend fails naming the exit code, the program goes on', async () => {
    const { h, report } = await open('EXIT_INIT');
    const failure = report.failed.find((f) => f.backend === 'native')!;
    expect(failure.error.code).toBe('E_DEVICE_LOST');
    expect(failure.error.message).toContain('exited with code 3');
    await cpuStillWorks(h);
    await h.dispose();
  });
});

describe('a native plugin claiming 2^31 - 1 devices', () => {
  for (const isolate of [false, true]) {
    it(`is refused ${isolate ? 'isolated' : 'in-process'}, and ready() returns`, async () => {
      const bad = loadNativePlugin(libs['MANY_DEVICES']!, { name: 'many-devices' });
      const h = createHearth({ plugins: [cpuPlugin, bad], backends: ['cpu', 'native'], isolate });
      const report = await h.ready();
      const failure = report.failed.find((f) => f.backend === 'native')!;
      expect(failure.error.code).toBe('E_BACKEND_INIT');
      expect(failure.error.message).toMatch(/2147483647 devices|more than 64 devices/);
      await cpuStillWorks(h);
      await h.dispose();
    });
  }
});

describe('a native library claiming more than can be real', () => {
  it('is refused when kernels() claims 2^31 - 1 kernels, or its name is 100 000 characters long', () => {
    expect(() => openNativeLibrary(libs['MANY_KERNELS']!)).toThrow(expect.objectContaining({ code: 'E_PLUGIN', message: expect.stringContaining('kernels() claims 2147483647 kernels') }));
    expect(() => openNativeLibrary(libs['LONG_NAME']!)).toThrow(expect.objectContaining({ code: 'E_PLUGIN', message: expect.stringContaining('name is 100000 characters long') }));
  });
});
