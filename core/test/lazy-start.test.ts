/**
 * Backends that start on first use (a factory's `lazy`): ready() leaves them unstarted unless they are
 * needed to pick the default device or are the named fallback device; moving a tensor there or
 * `hearth.start()` starts them once; a failed start is one coded error naming the plugin, every time.
 * A toy plugin's `backends` list is its real init counter: `create` pushes every backend it makes.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, isHearthError } from '../src/index.js';
import { toyPlugin } from './toy-plugin.js';

const errorOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
};

describe('a lazy backend', () => {
  it('is not started by ready(), even with the higher priority, and starts on the first move there', async () => {
    const cpu = toyPlugin({ device: 'cpu' });
    const gpu = toyPlugin({ device: 'gpu', priority: 10, lazy: true });
    const h = createHearth({ plugins: [cpu, gpu] });
    const report = await h.ready();
    expect(gpu.backends).toHaveLength(0);
    expect(report.defaultDevice).toBe('cpu:0');
    expect(report.notStarted).toEqual([{ backend: 'gpu', plugin: 'toy-gpu' }]);
    // Listed, without being started: its first device, with what is known before the start.
    expect(h.devices().map((d) => [d.name, d.plugin, d.started, d.dtypes])).toEqual([
      ['cpu:0', 'toy-cpu', true, ['float32', 'int32', 'bool']],
      ['gpu:0', 'toy-gpu', false, []],
    ]);
    expect(h.devices()[1]!.info.type).toBe('gpu');
    expect(report.devices.map((d) => d.name)).toEqual(['cpu:0']);
    const x = h.tensor([1, 2]);
    expect(Array.from(await x.add(x).data())).toEqual([2, 4]);
    expect(gpu.backends).toHaveLength(0);

    const moved = await x.to('gpu');
    expect(moved.device).toBe('gpu:0');
    expect(Array.from(await moved.add(moved).data())).toEqual([2, 4]);
    expect(gpu.backends).toHaveLength(1);
    expect(h.report!.notStarted).toEqual([]);
    expect(h.devices().map((d) => [d.name, d.started])).toEqual([['cpu:0', true], ['gpu:0', true]]);
    await h.start('gpu'); // started once
    expect(gpu.backends).toHaveLength(1);
    expect(h.tensor([3], { device: 'gpu' }).device).toBe('gpu:0');
    await h.dispose();
  });

  it('starts at ready() when it is named first, is the only backend, or is the named fallback device', async () => {
    for (const options of [{ backends: ['gpu', 'cpu'] }, {}, { fallback: { policy: 'warn' as const, device: 'gpu:0' } }]) {
      const gpu = toyPlugin({ device: 'gpu', lazy: true });
      const plugins = 'fallback' in options || 'backends' in options ? [toyPlugin({ device: 'cpu' }), gpu] : [gpu];
      const h = createHearth({ plugins, ...options });
      const report = await h.ready();
      expect(gpu.backends, JSON.stringify(options)).toHaveLength(1);
      expect(report.notStarted).toEqual([]);
      await h.dispose();
    }
  });

  it('that fails to start is one coded error naming its plugin, at every try, and in the report', async () => {
    const gpu = toyPlugin({ device: 'gpu', lazy: true, failInit: 'no driver' });
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), gpu] });
    expect((await h.ready()).failed).toEqual([]);
    const x = h.tensor([1]);
    const first = await errorOf(x.to('gpu'));
    const second = await errorOf(h.start('gpu'));
    expect(isHearthError(first)).toBe(true);
    expect(first.code).toBe('E_BACKEND_INIT');
    expect(first.message).toBe('The gpu backend of toy-gpu failed to start: no driver.');
    expect(second).toBe(first);
    expect(h.report!.failed.map((f) => [f.backend, f.plugin, f.error.code])).toEqual([['gpu', 'toy-gpu', 'E_BACKEND_INIT']]);
    await h.dispose();
  });
});

describe('a synchronous call naming a lazy device that has not started', () => {
  it('returns pending tensors (creation, host data, ops on them) that land once the one start is done', async () => {
    const gpu = toyPlugin({ device: 'gpu', priority: 10, lazy: true, asyncRead: true });
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), gpu] });
    await h.ready();
    const a = h.tensor([1, 2], { device: 'gpu' });
    const b = h.ones([2], { device: 'gpu:0' });
    const sum = a.add(b);
    expect([a.device, b.device, sum.device]).toEqual(['gpu:0', 'gpu:0', 'gpu:0']);
    expect((await errorOf(() => a.dataSync())).message).toContain('waiting for gpu:0 to start');
    const plan = h.explain('add', [a, b]);
    expect([plan.runs, plan.device, plan.kernel?.plugin]).toEqual(['kernel', 'gpu:0', 'toy-gpu']);
    expect(plan.notStarted).toContain('gpu:0 has not started');
    expect(Array.from(await sum.data())).toEqual([2, 3]);
    expect(Array.from(await a.data())).toEqual([1, 2]);
    expect(gpu.backends).toHaveLength(1); // one start for every call that waited
    expect(h.report!.notStarted).toEqual([]);
    expect(h.devices().find((d) => d.name === 'gpu:0')!.started).toBe(true);
    // Made before the start, used after it, like any tensor there.
    expect(Array.from(await sum.add(h.tensor([10, 10], { device: 'gpu' })).data())).toEqual([12, 13]);
    await h.dispose();
  });

  it('makes data given as a typed array at the call, not at the start', async () => {
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), toyPlugin({ device: 'gpu', lazy: true })] });
    await h.ready();
    const host = new Float32Array([1, 2]);
    const t = h.tensor(host, { device: 'gpu' });
    host[0] = 99;
    expect(Array.from(await t.data())).toEqual([1, 2]);
    await h.dispose();
  });

  it('counts nothing once its tensors are disposed, even those a scope disposed before the start was done', async () => {
    const gpu = toyPlugin({ device: 'gpu', lazy: true });
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), gpu] });
    await h.ready();
    h.scope(() => {
      const t = h.tensor([1, 2, 3], { device: 'gpu' });
      t.add(t);
    });
    const kept = h.zeros([4], { device: 'gpu' });
    await h.start('gpu');
    expect(Array.from(await kept.data())).toEqual([0, 0, 0, 0]);
    expect(h.memoryOf('gpu')).toMatchObject({ tensors: 1, bytes: 16 });
    kept.dispose();
    expect(h.memoryOf('gpu')).toMatchObject({ tensors: 0, bytes: 0 });
    expect(h.leaks()).toEqual([]);
    expect(gpu.backends[0]!.stats().liveAllocations).toBe(0);
    await h.dispose();
  });

  it('rejects every read with the one start error naming the plugin, which later calls then throw', async () => {
    const gpu = toyPlugin({ device: 'gpu', lazy: true, failInit: 'no driver' });
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), gpu] });
    await h.ready();
    const a = h.tensor([1, 2], { device: 'gpu' });
    const b = h.zeros([2], { device: 'gpu' });
    const c = a.add(b);
    const x = h.tensor([1, 2]);
    const onCpu = x.add(a); // its input waits for the device too
    const errors = await Promise.all([a, b, c, onCpu].map((t) => errorOf(t.data())));
    expect(errors[0]!.code).toBe('E_BACKEND_INIT');
    expect(errors[0]!.message).toBe('The gpu backend of toy-gpu failed to start: no driver.');
    for (const e of errors) expect(e).toBe(errors[0]);
    expect(await errorOf(() => h.tensor([1], { device: 'gpu' }))).toBe(errors[0]);
    expect(await errorOf(h.start('gpu'))).toBe(errors[0]);
    expect(h.devices().map((d) => d.name)).toEqual(['cpu:0']);
    expect(h.report!.notStarted).toEqual([]);
    expect(h.report!.failed.map((f) => [f.backend, f.plugin, f.error.code])).toEqual([['gpu', 'toy-gpu', 'E_BACKEND_INIT']]);
    for (const t of [a, b, c, x, onCpu]) t.dispose();
    for (const account of h.memory()) expect(account).toMatchObject({ tensors: 0, bytes: 0 });
    expect(h.leaks()).toEqual([]);
    await h.dispose();
  });

  it('fails a tensor of a dtype the device turns out not to store with E_DTYPE, and names no device beyond :0', async () => {
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), toyPlugin({ device: 'gpu', lazy: true })] });
    await h.ready();
    const early = await errorOf(() => h.tensor([1], { device: 'gpu:1' }));
    expect(early.code).toBe('E_NOT_READY');
    expect(early.message).toContain('await hearth.start("gpu")');
    const sync = await errorOf(() => h.tensor([1]).toSync('gpu')); // a synchronous copy can't wait for the start
    expect(sync.code).toBe('E_NOT_READY');
    expect(sync.message).toContain('await t.to("gpu:0")');
    const wide = h.tensor([1, 2], { device: 'gpu', dtype: 'float64' }); // the toy device stores float32, int32, bool
    expect((await errorOf(wide.data())).code).toBe('E_DTYPE');
    wide.dispose();
    expect((await errorOf(() => h.tensor([1], { device: 'gpu:1' }))).code).toBe('E_DEVICE'); // started: one device
    await h.dispose();
  });

  it('fails its waiting tensors with E_DISPOSED when the runtime is disposed while the start is under way', async () => {
    const gpu = toyPlugin({ device: 'gpu', lazy: true });
    const h = createHearth({ plugins: [toyPlugin({ device: 'cpu' }), gpu] });
    await h.ready();
    const t = h.tensor([1, 2], { device: 'gpu' });
    const read = errorOf(t.data());
    await h.dispose();
    expect((await read).code).toBe('E_DISPOSED');
    expect(gpu.backends.map((b) => b.live)).toEqual([0]); // made by the start, nothing allocated there
  });
});
