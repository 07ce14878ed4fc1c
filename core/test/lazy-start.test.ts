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
    expect(h.devices().map((d) => d.name)).toEqual(['cpu:0']);
    const x = h.tensor([1, 2]);
    expect(Array.from(await x.add(x).data())).toEqual([2, 4]);
    expect(gpu.backends).toHaveLength(0);

    // Synchronous use by name can't wait for a start: it says how to start the device.
    const early = await errorOf(() => h.tensor([1], { device: 'gpu' }));
    expect(early.code).toBe('E_NOT_READY');
    expect(early.message).toContain('await hearth.start("gpu")');

    const moved = await x.to('gpu');
    expect(moved.device).toBe('gpu:0');
    expect(Array.from(await moved.add(moved).data())).toEqual([2, 4]);
    expect(gpu.backends).toHaveLength(1);
    expect(h.report!.notStarted).toEqual([]);
    expect(h.devices().map((d) => d.name)).toEqual(['cpu:0', 'gpu:0']);
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
