import { describe, expect, it } from 'vitest';
import { createHearth, HearthError, CORE_API_VERSION, type Tensor } from '../src/index.js';
import { addKernel, castKernel, fullKernel, mulKernel, toyPlugin } from './toy-plugin.js';

async function toy(options: Parameters<typeof createHearth>[0] = {}) {
  const h = createHearth({ plugins: [toyPlugin()], ...options });
  await h.ready();
  return h;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return (e as HearthError).code;
  }
  return undefined;
}

describe('runtime instances', () => {
  it('share nothing: kernels, devices and ledgers are per instance', async () => {
    const a = createHearth({ plugins: [toyPlugin({ device: 'alpha' })] });
    const b = createHearth({ plugins: [toyPlugin({ device: 'beta' })] });
    await Promise.all([a.ready(), b.ready()]);
    expect(a.kernels().map((k) => k.device)).not.toContain('beta');
    expect(b.kernels().map((k) => k.device)).not.toContain('alpha');
    expect(a.container).not.toBe(b.container);
    const t = a.tensor([1, 2, 3]);
    expect(a.memoryOf('alpha').tensors).toBe(1);
    expect(b.memoryOf('beta').tensors).toBe(0);
    expect(codeOf(() => b.add(t, t))).toBe('E_DEVICE_MISMATCH');
  });

  it('refuses tensors before ready() with E_NOT_READY', () => {
    const h = createHearth({ plugins: [toyPlugin()] });
    expect(codeOf(() => h.tensor([1]))).toBe('E_NOT_READY');
  });
});

describe('plugins', () => {
  it('refuses a second registration of a kernel key, naming both owners', async () => {
    const first = toyPlugin({ name: 'vendor-a' });
    const second = toyPlugin({ name: 'vendor-b', backend: false, kernels: (d) => [addKernel(d, ['float32'])] });
    const h = createHearth({ plugins: [first, second] });
    const report = await h.ready();
    const rec = report.plugins.find((p) => p.name === 'vendor-b')!;
    expect(rec.status).toBe('failed');
    expect(rec.error?.code).toBe('E_DUPLICATE_KERNEL');
    expect(rec.error?.message).toContain('vendor-a@1.0.0');
    expect(rec.error?.message).toContain('vendor-b@1.0.0');
    expect(h.kernels().find((k) => k.op === 'add' && k.dtype === 'float32')?.provenance.plugin).toBe('vendor-a');
  });

  it('lets a registration with override replace the owner when the user allows it, and reports it', async () => {
    const second = toyPlugin({ name: 'vendor-b', backend: false, kernels: (d) => [{ ...addKernel(d, ['float32']), override: true }] });
    const h = createHearth({ plugins: [toyPlugin({ name: 'vendor-a' }), second], allowOverrides: ['vendor-b'] });
    const report = await h.ready();
    expect(h.kernels().find((k) => k.op === 'add' && k.dtype === 'float32')?.provenance.plugin).toBe('vendor-b');
    expect(report.overrides).toEqual([{ op: 'add', device: 'toy', dtype: 'float32', by: { plugin: 'vendor-b', version: '1.0.0' }, replaced: { plugin: 'vendor-a', version: '1.0.0' } }]);
  });

  it('treats the same plugin given twice as one', async () => {
    const p = toyPlugin();
    const h = createHearth({ plugins: [p, p] });
    const report = await h.ready();
    expect(report.plugins).toHaveLength(1);
    expect(report.plugins[0]!.status).toBe('loaded');
  });

  it('refuses a plugin whose core range does not match, naming both versions', async () => {
    const h = createHearth({ plugins: [toyPlugin(), toyPlugin({ name: 'old', device: 'old', coreApi: '^0.3.0' })] });
    const report = await h.ready();
    const rec = report.plugins.find((p) => p.name === 'old')!;
    expect(rec.error?.code).toBe('E_PLUGIN_VERSION');
    expect(rec.error?.message).toContain('^0.3.0');
    expect(rec.error?.message).toContain(CORE_API_VERSION);
  });

  it('keeps the core usable when a plugin throws in register, and keeps its reason', async () => {
    const h = createHearth({ plugins: [toyPlugin(), toyPlugin({ name: 'broken', device: 'broken', registerThrows: 'driver missing' })], backends: ['broken', 'toy'] });
    const report = await h.ready();
    expect(report.plugins.find((p) => p.name === 'broken')?.error?.message).toContain('driver missing');
    expect(report.failed.map((f) => f.backend)).toEqual(['broken']);
    expect(report.failed[0]!.error.message).toContain('driver missing');
    expect(h.kernels().some((k) => k.provenance.plugin === 'broken')).toBe(false);
    expect(await h.add(h.tensor([1]), h.tensor([2])).data()).toEqual(new Float32Array([3]));
  });

  it('reports a backend whose device fails to start, and uses the next one', async () => {
    const h = createHearth({ plugins: [toyPlugin(), toyPlugin({ name: 'gpu', device: 'gpu', failInit: 'no adapter' })], backends: ['gpu', 'toy'] });
    const report = await h.ready();
    expect(report.failed[0]).toMatchObject({ backend: 'gpu', plugin: 'gpu' });
    expect(report.failed[0]!.error.code).toBe('E_BACKEND_INIT');
    expect(report.defaultDevice).toBe('toy:0');
  });

  it('rejects with E_NO_BACKEND, with each reason, when nothing is ready', async () => {
    const h = createHearth({ plugins: [toyPlugin({ failInit: 'broken driver' })] });
    await expect(h.ready()).rejects.toMatchObject({ code: 'E_NO_BACKEND', message: expect.stringContaining('broken driver') });
  });

  it('rejects with E_NO_BACKEND naming each plugin that failed to load and why, when that left nothing ready', async () => {
    const missing = { manifest: { name: '@acme/npu', version: '0.1.0', vendor: 'Acme', deviceTypes: ['npu'], coreApi: '^1.0.0' }, register() {
      throw new HearthError('E_NOT_INSTALLED', 'its library for linux-x64-gnu is not installed: npm i @acme/npu-linux-x64-gnu');
    } };
    const error = await createHearth({ plugins: [missing] }).ready().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_NO_BACKEND', message: 'No backend is ready: @acme/npu: its library for linux-x64-gnu is not installed: npm i @acme/npu-linux-x64-gnu.' });
  });

  it('rejects an invalid manifest with E_PLUGIN and its problems', async () => {
    const bad = { manifest: { name: 'x', version: 'one', vendor: '', deviceTypes: 'cpu', coreApi: '^1' }, register() {} };
    const h = createHearth({ plugins: [toyPlugin(), bad as never] });
    const r = await h.ready();
    const rec = r.plugins.find((p) => p.name === 'x')!;
    expect(rec.error?.code).toBe('E_PLUGIN');
    expect(rec.error?.message).toMatch(/version "one"/);
    expect(rec.error?.message).toMatch(/deviceTypes/);
  });
});

describe('backend selection', () => {
  it('prefers an explicit list, then HEARTH_BACKENDS, then priorities', async () => {
    const plugins = () => [toyPlugin({ device: 'slow', priority: 0 }), toyPlugin({ device: 'fast', priority: 10 })];
    expect((await createHearth({ plugins: plugins() }).ready()).defaultDevice).toBe('fast:0');
    expect((await createHearth({ plugins: plugins(), backends: ['slow'] }).ready()).defaultDevice).toBe('slow:0');
    process.env['HEARTH_BACKENDS'] = 'slow,fast';
    try {
      const h = createHearth({ plugins: plugins() });
      expect(h.backendOrder()).toEqual({ names: ['slow', 'fast'], source: 'env' });
      expect((await h.ready()).defaultDevice).toBe('slow:0');
    } finally {
      delete process.env['HEARTH_BACKENDS'];
    }
  });

  it('reports a named backend no plugin provides', async () => {
    const r = await createHearth({ plugins: [toyPlugin()], backends: ['quantum', 'toy'] }).ready();
    expect(r.failed[0]).toMatchObject({ backend: 'quantum' });
    expect(r.failed[0]!.error.code).toBe('E_NO_BACKEND');
  });
});

describe('fallback policy', () => {
  const twoDevices = (policy: 'error' | 'warn' | 'allow') =>
    createHearth({
      plugins: [toyPlugin({ device: 'cpu', kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d), mulKernel(d)] }), toyPlugin({ device: 'npu' })],
      backends: ['npu', 'cpu'],
      fallback: { policy, device: 'cpu:0' },
    });

  it('error: a missing kernel is E_NO_KERNEL that names where one exists', async () => {
    const h = twoDevices('error');
    await h.ready();
    const a = h.tensor([1, 2]);
    let err: HearthError | undefined;
    try {
      h.mul(a, a);
    } catch (e) {
      err = e as HearthError;
    }
    expect(err?.code).toBe('E_NO_KERNEL');
    expect(err?.message).toContain('cpu');
    expect(h.stats().fallbacks).toBe(0);
  });

  it('warn: runs on the fallback device, returns to the inputs device, counts bytes and warns', async () => {
    const h = twoDevices('warn');
    await h.ready();
    const warnings: string[] = [];
    const fallbacks: number[] = [];
    h.on('warning', (w) => warnings.push(w.message));
    h.on('fallback', (f) => fallbacks.push(f.bytes));
    const a = h.tensor([1, 2]);
    const r = h.mul(a, a);
    expect(r.device).toBe('npu:0');
    expect(await r.data()).toEqual(new Float32Array([1, 4]));
    expect(warnings).toHaveLength(1);
    expect(fallbacks).toEqual([24]);
    expect(h.stats()).toMatchObject({ fallbacks: 1, bytesMoved: 24 });
    expect(h.memoryOf('cpu:0').tensors).toBe(0);
  });

  it('creates on the asked device through the fallback when it has no creation kernel', async () => {
    const h = createHearth({
      plugins: [toyPlugin({ device: 'cpu' }), toyPlugin({ device: 'npu', kernels: (d) => [addKernel(d)] })],
      backends: ['npu', 'cpu'],
      fallback: 'allow',
    });
    await h.ready();
    const z = h.full([2], 3);
    expect(z.device).toBe('npu:0');
    expect(await z.data()).toEqual(new Float32Array([3, 3]));
    expect(h.memoryOf('cpu:0').tensors).toBe(0);
  });

  it('allow: falls back silently and copies mixed-device inputs', async () => {
    const h = twoDevices('allow');
    await h.ready();
    const warnings: string[] = [];
    h.on('warning', (w) => warnings.push(w.message));
    const a = h.tensor([1, 2], { device: 'npu' });
    const b = h.tensor([10, 20], { device: 'cpu' });
    const r = h.add(a, b);
    expect(r.device).toBe('npu:0');
    expect(await r.data()).toEqual(new Float32Array([11, 22]));
    expect(warnings).toEqual([]);
    expect(h.stats().transfers).toBe(1);
  });

  it('error: mixed devices are E_DEVICE_MISMATCH', async () => {
    const h = twoDevices('error');
    await h.ready();
    expect(codeOf(() => h.add(h.tensor([1], { device: 'npu' }), h.tensor([1], { device: 'cpu' })))).toBe('E_DEVICE_MISMATCH');
  });

});

describe('memory', () => {
  it('counts live bytes per device and lists leaks with their maker', async () => {
    const h = await toy();
    const a = h.tensor([1, 2, 3]);
    const b = h.add(a, a);
    expect(h.memoryOf('toy')).toMatchObject({ tensors: 2, bytes: 24 });
    expect(h.leaks().map((l) => l.createdBy)).toEqual(['tensor', 'add']);
    a.dispose();
    b.dispose();
    b.dispose();
    expect(h.memoryOf('toy')).toMatchObject({ tensors: 0, bytes: 0, peakBytes: 24 });
    expect(h.leaks()).toEqual([]);
  });

  it('disposes at the end of a using block', async () => {
    const h = await toy();
    {
      using t = h.tensor([1, 2]);
      expect(t.disposed).toBe(false);
    }
    expect(h.memoryOf('toy').tensors).toBe(0);
  });

  it('scopes dispose what they made except what they return or keep', async () => {
    const h = await toy();
    let kept: Tensor | undefined;
    const result = h.scope(() => {
      const a = h.tensor([1, 2]);
      kept = h.add(a, a).keep();
      return { out: h.add(a, kept) };
    });
    expect(h.memoryOf('toy').tensors).toBe(2);
    expect(await result.out.data()).toEqual(new Float32Array([3, 6]));
    expect(kept!.disposed).toBe(false);
  });

  it('scopes follow async code across awaits, and nested scopes hand results to their parent', async () => {
    const h = await toy();
    const outer = await h.scope(async () => {
      const a = h.tensor([1]);
      await new Promise((r) => setTimeout(r, 5));
      const inner = await h.scope(async () => {
        await Promise.resolve();
        return h.add(a, a);
      });
      expect(inner.disposed).toBe(false);
      await new Promise((r) => setTimeout(r, 1));
      return h.add(inner, a);
    });
    expect(await outer.data()).toEqual(new Float32Array([3]));
    expect(h.memoryOf('toy').tensors).toBe(1);
  });

  it('cleans a scope whose function throws', async () => {
    const h = await toy();
    expect(() =>
      h.scope(() => {
        h.tensor([1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(h.memoryOf('toy').tensors).toBe(0);
  });

  it('refuses a disposed tensor with E_DISPOSED', async () => {
    const h = await toy();
    const a = h.tensor([1]);
    a.dispose();
    expect(codeOf(() => h.add(a, a))).toBe('E_DISPOSED');
    await expect(a.data()).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });

  it('frees the output of a kernel that throws and wraps the error as E_KERNEL', async () => {
    const h = createHearth({
      plugins: [toyPlugin({ kernels: (d) => [{ op: 'add', device: d, dtypes: ['float32'], run: () => { throw new Error('segv'); } }] })],
    });
    await h.ready();
    const a = h.tensor([1]);
    expect(codeOf(() => h.add(a, a))).toBe('E_KERNEL');
    expect(h.memoryOf('toy').tensors).toBe(1);
  });
});

describe('dispatcher', () => {
  it('promotes mixed dtypes through cast and disposes the casts', async () => {
    const h = await toy();
    const r = h.add(h.tensor([1, 2], { dtype: 'int32' }), h.tensor([0.5, 0.5]));
    expect(r.dtype).toBe('float32');
    expect(await r.data()).toEqual(new Float32Array([1.5, 2.5]));
    expect(h.memoryOf('toy').tensors).toBe(3);
  });

  it('takes JS scalars in the other operand\'s dtype', async () => {
    const h = await toy();
    const i = h.add(h.tensor([1, 2], { dtype: 'int32' }), 3);
    expect(i.dtype).toBe('int32');
    expect(await i.data()).toEqual(new Int32Array([4, 5]));
    expect(h.add(h.tensor([1], { dtype: 'int32' }), 0.5).dtype).toBe('float32');
  });

  it('explains which kernel would run, or why none would', async () => {
    const h = await toy();
    const a = h.tensor([1], { dtype: 'int32' });
    const b = h.tensor([1]);
    expect(h.explain('add', [a, b])).toMatchObject({ dtype: 'float32', kernel: { plugin: 'toy-toy' }, casts: ['int32 -> float32'], shape: [1] });
    expect(h.explain('mul', [b, b]).reason).toContain('no kernel for mul(float32)');
    expect(h.supports('add', ['int32', 'float32'])).toBe(true);
    expect(h.supports('mul', ['float32'], 'toy')).toBe(false);
    expect(h.supports('add', ['float64', 'float32'], 'toy')).toBe(false);
  });

  it('calls hooks around kernels, and stops when they are removed', async () => {
    const h = await toy();
    const seen: string[] = [];
    const off = h.hook('before', (e) => seen.push(`${e.op}:${e.dtype}:${e.device}:${e.plugin}`));
    const a = h.tensor([1]);
    h.add(a, a);
    off();
    h.add(a, a);
    expect(seen).toEqual(['add:float32:toy:0:toy-toy']);
  });

  it('creates on the device asked for', async () => {
    const h = createHearth({ plugins: [toyPlugin({ device: 'a' }), toyPlugin({ device: 'b' })], backends: ['a', 'b'] });
    await h.ready();
    expect(h.zeros([2]).device).toBe('a:0');
    const o = h.ones([2, 2], { device: 'b', dtype: 'int32' });
    expect(o.device).toBe('b:0');
    expect(await o.array()).toEqual([[1, 1], [1, 1]]);
    expect(codeOf(() => h.zeros([1], { device: 'c' }))).toBe('E_DEVICE');
  });
});

describe('bad input', () => {
  it('gives each user error its code', async () => {
    const h = await toy();
    const a = h.tensor([[1, 2, 3]]);
    const b = h.tensor([[1, 2]]);
    expect(codeOf(() => h.add(a, b))).toBe('E_BROADCAST');
    expect(codeOf(() => h.add(h.tensor([true]), h.tensor([false])))).toBe('E_DTYPE');
    expect(codeOf(() => h.op('add', [a]))).toBe('E_ARG');
    expect(codeOf(() => h.add(a, [1, 2] as never))).toBe('E_ARG');
    expect(codeOf(() => h.op('nope', [a]))).toBe('E_UNKNOWN_OP');
    expect(codeOf(() => h.op('add', [a, a], { alpha: 2 }))).toBe('E_ATTR');
    expect(codeOf(() => h.op('sum', [a], { axes: [5] }))).toBe('E_AXIS');
    expect(codeOf(() => h.op('max', [h.tensor([], { shape: [0] })]))).toBe('E_EMPTY');
    expect(codeOf(() => h.op('reshape', [a], { shape: [4] }))).toBe('E_SHAPE');
    expect(codeOf(() => h.tensor([[1, 2], [3]]))).toBe('E_SHAPE');
    expect(codeOf(() => h.tensor([1.5], { dtype: 'int32' }))).toBe('E_ARG');
    expect(codeOf(() => h.tensor([1], { dtype: 'float64' }))).toBe('E_DTYPE');
    expect(codeOf(() => h.tensor([1], { dtype: 'complex64' as never }))).toBe('E_DTYPE');
    expect(() => createHearth({ fallback: 'sometimes' as never })).toThrow(expect.objectContaining({ code: 'E_ARG' }));
  });

  it('turns a device that cannot allocate into E_OUT_OF_MEMORY', async () => {
    const p = toyPlugin();
    const h = createHearth({ plugins: [p] });
    await h.ready();
    p.backends[0]!.faults.allocate = () => {
      throw new RangeError('Array buffer allocation failed');
    };
    expect(codeOf(() => h.zeros([1 << 20]))).toBe('E_OUT_OF_MEMORY');
    expect(h.memoryOf('toy').tensors).toBe(0);
  });

  it('takes large typed arrays as they are', async () => {
    const h = await toy();
    const data = Float32Array.from({ length: 1_000_000 }, (_, i) => i);
    const t = h.tensor(data, { shape: [1000, 1000] });
    expect((await t.data())[999_999]).toBe(999_999);
  });

  it('reads back as nested arrays and single items', async () => {
    const h = await toy();
    expect(await h.tensor([[true, false]]).array()).toEqual([[true, false]]);
    expect(await h.tensor(7, { dtype: 'int32' }).item()).toBe(7);
    expect(await h.tensor(2.5).array()).toBe(2.5);
    await expect(h.tensor([1, 2]).item()).rejects.toMatchObject({ code: 'E_SHAPE' });
  });

  it('keeps NaN as data, not as an error', async () => {
    const h = await toy();
    const r = await h.add(h.tensor([NaN, 1]), h.tensor([1, Infinity])).data();
    expect(Number.isNaN(r[0])).toBe(true);
    expect(r[1]).toBe(Infinity);
  });

  it('handles empty tensors without calling kernels on garbage', async () => {
    const h = await toy();
    const e = h.tensor([], { shape: [0, 3] });
    const r = h.add(e, e);
    expect(r.shape).toEqual([0, 3]);
    expect((await r.data()).length).toBe(0);
  });
});
