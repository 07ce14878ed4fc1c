/**
 * Plugins must not be able to harm each other or the runtime: each case is a broken or hostile plugin, and
 * what the user still relies on afterwards.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, HearthError, type Backend, type HearthPlugin, type KernelSpec } from '../src/index.js';
import { addKernel, fullKernel, ToyBackend, toyPlugin } from './toy-plugin.js';

const never = () => new Promise<never>(() => undefined);

function plugin(name: string, deviceTypes: string[], register: HearthPlugin['register'], version = '1.0.0'): HearthPlugin {
  return { manifest: { name, version, vendor: 'Test', deviceTypes, coreApi: '^1.0.0' }, register };
}

async function sum(h: ReturnType<typeof createHearth>): Promise<number> {
  return (await h.add(h.tensor([1]), h.tensor([2])).data())[0]!;
}

describe('kernel ownership', () => {
  it('refuses a kernel for a device type the manifest does not list (no hijack of the CPU add)', async () => {
    const hijack = plugin('npu-vendor', ['npu'], (host) => host.registerKernel({ ...addKernel('toy', ['float32']), run: (_i, out) => void ((out.storage as unknown as { data: Float32Array }).data[0] = 666), override: true }));
    const h = createHearth({ plugins: [toyPlugin(), hijack] });
    const r = await h.ready();
    expect(r.plugins.find((p) => p.name === 'npu-vendor')).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
    expect(await sum(h)).toBe(3);
  });

  it('refuses an override of another plugin\'s kernel without the user\'s consent', async () => {
    const other = toyPlugin({ name: 'vendor-b', backend: false, kernels: (d) => [{ ...addKernel(d, ['float32']), override: true }] });
    const r = await createHearth({ plugins: [toyPlugin({ name: 'vendor-a' }), other] }).ready();
    const rec = r.plugins.find((p) => p.name === 'vendor-b')!;
    expect(rec.error?.code).toBe('E_DUPLICATE_KERNEL');
    expect(rec.error?.message).toContain('allowOverrides');
    expect(r.overrides).toEqual([]);
  });

  it('refuses a registration after register() has ended', async () => {
    let late: ((s: KernelSpec) => void) | undefined;
    const h = createHearth({ plugins: [toyPlugin(), plugin('sneaky', ['toy2'], (host) => void (late = host.registerKernel))] });
    await h.ready();
    expect(() => late!(addKernel('toy2'))).toThrow(expect.objectContaining({ code: 'E_PLUGIN' }));
  });
});

describe('rollback by registration', () => {
  it('a failing impostor of the same name leaves the real plugin\'s kernels, and is refused naming both versions', async () => {
    const real = toyPlugin({ name: '@hearth/plugin-cpu', version: '1.0.0' });
    const impostor = toyPlugin({ name: '@hearth/plugin-cpu', version: '0.9.0', registerThrows: 'boom' });
    const h = createHearth({ plugins: [real, impostor] });
    const r = await h.ready();
    const refused = r.plugins.find((p) => p.version === '0.9.0')!;
    expect(refused.error?.code).toBe('E_PLUGIN');
    expect(refused.error?.message).toContain('@hearth/plugin-cpu@0.9.0');
    expect(refused.error?.message).toContain('@hearth/plugin-cpu@1.0.0');
    expect(h.kernels().filter((k) => k.provenance.plugin === '@hearth/plugin-cpu')).toHaveLength(3 + 2 + 3);
    expect(await sum(h)).toBe(3);
  });

  it('an override that fails later is undone: the replaced kernel is back', async () => {
    const failing = toyPlugin({ name: 'vendor-b', backend: false, kernels: (d) => [{ ...addKernel(d, ['float32']), override: true }], registerThrows: 'later failure' });
    const h = createHearth({ plugins: [toyPlugin({ name: 'vendor-a' }), failing], allowOverrides: true });
    const r = await h.ready();
    expect(h.kernels().find((k) => k.op === 'add' && k.dtype === 'float32')?.provenance.plugin).toBe('vendor-a');
    expect(r.overrides).toEqual([]);
  });
});

describe('time limits', () => {
  it('a register() that never settles is E_PLUGIN after the limit; the rest still works', async () => {
    const h = createHearth({ plugins: [toyPlugin(), plugin('hangs', ['hang'], never)], timeouts: { register: 50 } });
    const r = await h.ready();
    const rec = r.plugins.find((p) => p.name === 'hangs')!;
    expect(rec.error?.code).toBe('E_PLUGIN');
    expect(rec.error?.message).toContain('did not finish within 50 ms');
    expect(await sum(h)).toBe(3);
  });

  it('a backend create() that never settles is E_BACKEND_INIT after the limit; the rest still works', async () => {
    const h = createHearth({ plugins: [toyPlugin(), plugin('slowgpu', ['gpu'], (host) => host.registerBackend({ type: 'gpu', create: never }))], backends: ['gpu', 'toy'], timeouts: { create: 50 } });
    const r = await h.ready();
    expect(r.failed[0]!.error.code).toBe('E_BACKEND_INIT');
    expect(r.failed[0]!.error.message).toContain('did not finish within 50 ms');
    expect(r.defaultDevice).toBe('toy:0');
    expect(await sum(h)).toBe(3);
  });
});

describe('backend contract', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /null/],
    ['a plain object', { hello: 1 }, /info is missing/],
    ['no int32 or bool', Object.assign(new ToyBackend('gpu'), { dtypes: ['float32'] }), /lacks int32.*lacks bool/],
    ['the wrong info.type', new ToyBackend('cpu'), /info.type is "cpu", not "gpu"/],
    ['syncRead without readSync', Object.assign(new ToyBackend('gpu'), { readSync: undefined }), /readSync/],
  ];
  for (const [what, made, problem] of cases) {
    it(`fails a backend whose create() gives ${what} with E_BACKEND_INIT, alone`, async () => {
      const h = createHearth({ plugins: [toyPlugin(), plugin('bad', ['gpu'], (host) => host.registerBackend({ type: 'gpu', create: () => made as Backend }))], backends: ['gpu', 'toy'] });
      const r = await h.ready();
      expect(r.failed[0]!.error.code).toBe('E_BACKEND_INIT');
      expect(r.failed[0]!.error.message).toMatch(problem);
      expect(await sum(h)).toBe(3);
      await expect(h.dispose()).resolves.toBeUndefined();
    });
  }
});

describe('plugin faults', () => {
  function faulty(over: Partial<Backend>, kernels: (d: string) => KernelSpec[] = (d) => [addKernel(d), fullKernel(d)]): HearthPlugin {
    return plugin('faulty', ['toy'], (host) => {
      host.registerBackend({ type: 'toy', create: () => Object.assign(new ToyBackend('toy', { syncRead: false }), over) });
      for (const k of kernels('toy')) host.registerKernel(k);
    });
  }

  async function codeOfRead(over: Partial<Backend>): Promise<HearthError> {
    const h = createHearth({ plugins: [faulty(over)] });
    await h.ready();
    return h.tensor([1, 2, 3]).data().then(() => { throw new Error('read succeeded'); }, (e: HearthError) => e);
  }

  it('wraps a read() that throws as E_BACKEND naming the plugin', async () => {
    const e = await codeOfRead({ read: () => { throw new TypeError('mapAsync exploded'); } });
    expect(e).toBeInstanceOf(HearthError);
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toMatch(/faulty.*mapAsync exploded/);
  });

  it('refuses a short read and one of the wrong array type', async () => {
    expect((await codeOfRead({ read: async () => new Float32Array(2) })).message).toMatch(/Float32Array of 2.*expected a Float32Array of 3/);
    expect((await codeOfRead({ read: async () => new Float64Array(3) })).message).toMatch(/Float64Array of 3.*expected a Float32Array of 3/);
  });

  it('refuses a kernel that returns a promise, and one that rejects does not crash the app', async () => {
    const asyncAdd = (d: string): KernelSpec => ({ ...addKernel(d), run: async () => { throw new Error('async failure'); } });
    const h = createHearth({ plugins: [faulty({}, (d) => [asyncAdd(d), fullKernel(d)])] });
    await h.ready();
    let error: unknown;
    try {
      h.add(h.tensor([1]), h.tensor([2]));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_KERNEL', message: expect.stringContaining('kernels are synchronous') });
    await new Promise((r) => setTimeout(r, 10)); // an unhandled rejection would fail the test run here
    expect(h.memoryOf('toy').tensors).toBe(2);
  });

  it('E_OUT_OF_MEMORY only when memory is the cause', async () => {
    const h = createHearth({ plugins: [faulty({ allocate: () => { throw new Error('driver state corrupted'); } })] });
    await h.ready();
    expect(() => h.tensor([1])).toThrow(expect.objectContaining({ code: 'E_BACKEND' }));
  });
});
