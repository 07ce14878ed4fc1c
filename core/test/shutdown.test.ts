/**
 * Shutdown and cleanup that can't crash: `dispose()` settles the work still pending before it releases
 * the devices and never calls a released backend; a pending tensor disposed during its read still gives
 * the data; hooks and scopes that meet a failure leak nothing and lose nothing.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, type DeviceStorage, type DType, type HearthPlugin, type HostArray, type KernelSpec } from '../src/index.js';
import { addKernel, AsyncToyBackend, castKernel, fullKernel, mulKernel, toyPlugin, ToyBackend } from './toy-plugin.js';

/** A GPU-like device that records every call made to it after its own dispose(). */
class RecordingBackend extends AsyncToyBackend {
  disposed = false;
  readonly late: string[] = [];
  #note(call: string): void {
    if (this.disposed) this.late.push(call);
  }
  override allocate(dtype: DType, size: number) {
    this.#note('allocate');
    return super.allocate(dtype, size);
  }
  override write(s: DeviceStorage, d: DType, data: HostArray): void {
    this.#note('write');
    super.write(s, d, data);
  }
  override read(s: DeviceStorage): Promise<HostArray> {
    this.#note('read');
    return super.read(s);
  }
  override free(): void {
    this.#note('free');
    super.free();
  }
  dispose(): void {
    this.disposed = true;
  }
}

function recordingGpu(): HearthPlugin & { backend?: RecordingBackend } {
  const p: HearthPlugin & { backend?: RecordingBackend } = {
    manifest: { name: 'recording-gpu', version: '1.0.0', vendor: 'Test', deviceTypes: ['gpu'], coreApi: '^1.0.0' },
    register(host) {
      host.registerBackend({ type: 'gpu', create: () => (p.backend = new RecordingBackend('gpu')) });
      for (const k of [addKernel('gpu'), fullKernel('gpu'), castKernel('gpu')]) {
        host.registerKernel({ ...k, run: (i, o, a, ctx) => (ctx.backend instanceof RecordingBackend && ctx.backend.disposed ? ctx.backend.late.push(`kernel ${k.op}`) : undefined, k.run(i, o, a, ctx)) } as KernelSpec);
      }
    },
  };
  return p;
}

async function gpuAndCpu() {
  const gpu = recordingGpu();
  const h = createHearth({ plugins: [gpu, toyPlugin({ name: 'cpu-plugin', device: 'cpu', kernels: (d) => [mulKernel(d), addKernel(d), fullKernel(d), castKernel(d)] })], backends: ['gpu', 'cpu'], fallback: 'allow' });
  await h.ready();
  return { h, gpu: gpu.backend! };
}

describe('hearth.dispose() with work pending', () => {
  it('settles every pending fallback and copy first, and never calls the released backend', async () => {
    const { h, gpu } = await gpuAndCpu();
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const a = h.tensor([i, 2, 3]);
      const sq = h.mul(a, a); // a fallback to cpu:0 that must land its result back on gpu:0
      const chained = sq.add(a); // a gpu kernel waiting for it
      const moved = h.tensor([1, 2, 3], { device: 'cpu' }).add(a); // a copy off gpu:0
      for (const t of [sq, chained, moved]) reads.push(t.data().then(Array.from, (e: { code: string }) => e.code));
    }
    await h.dispose();
    const outcomes = await Promise.all(reads);
    expect(gpu.late).toEqual([]);
    // Each read has its data or is cancelled with E_DISPOSED: never a backend error blamed on the plugin.
    for (const o of outcomes) expect(Array.isArray(o) || o === 'E_DISPOSED').toBe(true);
    expect(outcomes).toContain('E_DISPOSED');
    expect(gpu.live).toBe(0);
  });

  it('refuses work started on a disposed runtime with E_DISPOSED', async () => {
    const { h } = await gpuAndCpu();
    const a = h.tensor([1, 2]);
    await h.dispose();
    expect(() => a.add(a)).toThrow(expect.objectContaining({ code: 'E_DISPOSED' }));
    await expect(a.data()).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });
});

describe('a pending tensor disposed while its data is awaited', () => {
  it('gives the data, then frees the tensor', async () => {
    const { h, gpu } = await gpuAndCpu();
    const a = h.tensor([1, 2, 3]);
    const sq = h.mul(a, a); // pending (a fallback)
    const read = sq.data();
    sq.dispose();
    expect(Array.from(await read)).toEqual([1, 4, 9]);
    expect(h.leaks().map((t) => t.id)).toEqual([a.id]);
    a.dispose();
    expect(gpu.live).toBe(0);
  });
});

describe('hooks', () => {
  for (const when of ['before', 'after'] as const) {
    it(`a ${when}-hook that throws leaks no output`, async () => {
      const h = createHearth({ plugins: [toyPlugin()] });
      await h.ready();
      const a = h.tensor([1, 2]);
      h.hook(when, () => {
        throw new Error('hook failed');
      });
      expect(() => a.add(a)).toThrow('hook failed');
      expect(h.leaks().map((t) => t.id)).toEqual([a.id]);
    });
  }

  it('removing a hook twice removes no other hook', async () => {
    const h = createHearth({ plugins: [toyPlugin()] });
    await h.ready();
    const seen: string[] = [];
    const removeA = h.hook('before', () => seen.push('a'));
    h.hook('before', () => seen.push('b'));
    removeA();
    removeA();
    const a = h.tensor([1]);
    a.add(a).dispose();
    expect(seen).toEqual(['b']);
  });
});

/** A device whose free() fails for storage marked bad. */
class FailingFreeBackend extends ToyBackend {
  bad = new Set<DeviceStorage>();
  failAll = false;
  freed = 0;
  /** The storage allocated last (what a tensor just made holds). */
  last: DeviceStorage | undefined;
  override allocate(dtype: DType, size: number) {
    return (this.last = super.allocate(dtype, size));
  }
  override free(s?: DeviceStorage): void {
    if (this.failAll || (s && this.bad.has(s))) throw new Error('free failed');
    this.freed++;
    super.free();
  }
}

async function failingFree() {
  const backend = new FailingFreeBackend('toy');
  const plugin: HearthPlugin = {
    manifest: { name: 'failing-free', version: '1.0.0', vendor: 'Test', deviceTypes: ['toy'], coreApi: '^1.0.0' },
    register(host) {
      host.registerBackend({ type: 'toy', create: () => backend });
      host.registerKernel(addKernel('toy'));
    },
  };
  const h = createHearth({ plugins: [plugin] });
  await h.ready();
  const warnings: { code: string; message: string }[] = [];
  h.on('warning', (w) => warnings.push(w));
  return { h, backend, warnings };
}

describe('cleanup of a call\'s temporaries', () => {
  it('a free() that throws for a scalar operand does not lose the result; the failure is reported', async () => {
    const { h, backend, warnings } = await failingFree();
    const a = h.tensor([1, 2]);
    backend.failAll = true;
    const r = a.add(2); // the scalar 2 is a temporary tensor, freed after the call
    backend.failAll = false;
    expect(Array.from(r.dataSync())).toEqual([3, 4]);
    expect(h.leaks().map((t) => t.id)).toEqual([a.id, r.id]);
    expect(warnings).toEqual([{ code: 'E_BACKEND', message: expect.stringMatching(/^add: freeing its scalar operands: .*free failed/) }]);
  });
});

describe('scope cleanup', () => {
  it('goes on past a free() that throws, keeps the return value, and reports the failure', async () => {
    const { h, backend, warnings } = await failingFree();
    const kept = h.scope(() => {
      h.tensor([1]);
      backend.bad.add(backend.last!);
      const later = h.tensor([2]);
      return later.add(later); // made after both: freed after the failing one
    });
    expect(Array.from(kept.dataSync())).toEqual([4]);
    expect(backend.freed).toBe(1); // `later` was freed although `bad` failed first
    expect(h.leaks().map((t) => t.id)).toEqual([kept.id]);
    expect(warnings).toEqual([{ code: 'E_BACKEND', message: expect.stringMatching(/^scope cleanup: .*free failed/) }]);
  });
});
