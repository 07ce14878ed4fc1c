/**
 * What one plugin can do to the runtime, the user and other plugins in the same process: kernels are handed
 * frozen views of data and nothing that leads to the runtime; what the core gives a plugin is frozen; what
 * it reads from a plugin is read once, inside a guard, and validated. Each probe here is a move a buggy or
 * hostile vendor made against an earlier core.
 */
import { describe, expect, it } from 'vitest';
import {
  createHearth,
  getOp,
  hostArray,
  HearthError,
  parseAttrs,
  Tensor,
  type Backend,
  type DeviceStorage,
  type DType,
  type HearthPlugin,
  type HostArray,
  type KernelFn,
  type KernelSpec,
  type PluginHost,
} from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { errorOf } from './helpers.js';

interface ProbeStorage extends DeviceStorage {
  data: HostArray;
}

/** A small host-memory backend of the test's own, on device type `probe`. */
function probeBackend(overrides: Partial<Record<string, unknown>> = {}): Backend {
  const b = {
    info: { type: 'probe', name: 'probe device', vendor: 'Probe Inc.' },
    dtypes: ['float32', 'int32', 'bool'] as DType[],
    syncRead: true,
    allocate(dtype: DType, size: number): ProbeStorage {
      const data = hostArray(dtype, size);
      return { data, byteLength: data.byteLength };
    },
    write(s: DeviceStorage, _d: DType, data: HostArray) {
      (s as ProbeStorage).data.set(data);
    },
    async read(s: DeviceStorage) {
      return (s as ProbeStorage).data.slice();
    },
    readSync(s: DeviceStorage) {
      return (s as ProbeStorage).data.slice();
    },
    free() {},
  };
  return Object.assign(b, overrides) as Backend;
}

const data = (t: { storage: DeviceStorage }) => (t.storage as ProbeStorage).data;

/** Elementwise float32 add of same-shape inputs, written the way the contract says. */
const add: KernelFn = (inputs, out) => {
  const a = data(inputs[0]!);
  const b = data(inputs[1]!);
  const o = data(out);
  for (let i = 0; i < out.size; i++) o[i] = a[i]! + b[i]!;
};

/** A plugin on device type `probe` with the given kernels (and `add` unless `kernels` replaces it). */
function probePlugin(o: { name?: string; kernels?: KernelSpec[]; backend?: () => unknown; register?: (host: PluginHost) => void } = {}): HearthPlugin {
  return {
    manifest: { name: o.name ?? '@probe/plugin', version: '1.0.0', vendor: 'Probe Inc.', deviceTypes: ['probe'], coreApi: '^1.0.0' },
    register(host) {
      host.registerBackend({ type: 'probe', create: () => (o.backend ? o.backend() : probeBackend()) as Backend });
      for (const k of o.kernels ?? [{ op: 'add', device: 'probe', dtypes: 'float32', run: add }]) host.registerKernel(k);
      o.register?.(host);
    },
  };
}

async function runtime(...plugins: HearthPlugin[]) {
  const h = createHearth({ plugins: [...plugins, cpuPlugin], backends: ['probe', 'cpu'] });
  const report = await h.ready();
  return { h, report };
}

describe('a kernel is handed data, never the runtime', () => {
  it('sees views made for the call (storage, frozen shape, dtype, size), not Tensors: no way to the runtime or its kernel table', async () => {
    const seen: unknown[] = [];
    const spy: KernelFn = (inputs, out, attrs, ctx) => {
      seen.push(inputs[0], out, attrs, ctx, inputs);
      add(inputs, out, attrs, ctx);
    };
    const { h } = await runtime(probePlugin({ kernels: [{ op: 'add', device: 'probe', dtypes: 'float32', run: spy }] }));
    const a = h.tensor([1, 2, 3], { device: 'probe' });
    expect(Array.from(h.add(a, a).dataSync())).toEqual([2, 4, 6]);
    const [input, out, attrs, ctx] = seen as [Record<string, unknown>, Record<string, unknown>, object, object];
    for (const view of [input, out]) {
      expect(view).not.toBeInstanceOf(Tensor);
      expect(Object.keys(view).sort()).toEqual(['dtype', 'shape', 'size', 'storage']);
      expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
      expect(Object.isFrozen(view['shape'])).toBe(true);
      expect('hearth' in view).toBe(false);
    }
    expect(input['shape']).toEqual([3]);
    expect(Object.isFrozen(attrs)).toBe(true);
    expect(Object.isFrozen(ctx)).toBe(true);
  });

  it("can't rewrite another plugin's kernel through what it is handed or through kernels()", async () => {
    const hijack: KernelFn = (inputs, out, attrs, ctx) => {
      const entries = (inputs[0] as unknown as { hearth?: { kernels(): { op: string; device: string; run: KernelFn }[] } }).hearth?.kernels() ?? [];
      for (const e of entries) if (e.op === 'add' && e.device === 'cpu') e.run = (_i, o) => (o.storage as unknown as { data: Float32Array }).data.fill(666);
      add(inputs, out, attrs, ctx);
    };
    const { h } = await runtime(probePlugin({ kernels: [{ op: 'add', device: 'probe', dtypes: 'float32', run: hijack }] }));
    const p = h.tensor([1], { device: 'probe' });
    h.add(p, p).dispose();
    const cpuAdd = h.kernels().find((k) => k.op === 'add' && k.device === 'cpu' && k.dtype === 'float32')!;
    expect(Object.isFrozen(cpuAdd)).toBe(true);
    expect(() => {
      (cpuAdd as { run: unknown }).run = () => undefined;
    }).toThrow(TypeError);
    const c = h.tensor([1, 2], { device: 'cpu' });
    expect(Array.from(h.add(c, c).dataSync())).toEqual([2, 4]);
    expect(h.explain('add', [c, c])).toMatchObject({ kernel: { plugin: '@hearth/plugin-cpu' } });
    expect(h.report!.overrides).toEqual([]);
  });

  it("can't swap the output's storage (the ledger stays exact) or reorder an input's shape in place", async () => {
    let swapped = false;
    const swapper: KernelFn = (inputs, out, attrs, ctx) => {
      try {
        (out as { storage: DeviceStorage }).storage = { byteLength: 0, data: new Float32Array(0) } as DeviceStorage;
        swapped = true;
      } catch {
        // a frozen view refuses it; a view made for this call takes it and nobody else sees it
      }
      add(inputs, out, attrs, ctx);
    };
    const reverser: KernelFn = (inputs) => {
      (inputs[0]!.shape as number[]).reverse();
    };
    const { h } = await runtime(
      probePlugin({ kernels: [{ op: 'add', device: 'probe', dtypes: 'float32', run: swapper }, { op: 'neg', device: 'probe', dtypes: 'float32', run: reverser }] }),
    );
    const a = h.tensor([[1, 2, 3]], { device: 'probe' });
    const sum = h.add(a, a);
    expect(Array.from(sum.dataSync())).toEqual(swapped ? [0, 0, 0] : [2, 4, 6]); // the kernel wrote into its own object
    expect(h.memoryOf('probe').bytes).toBe(24);
    sum.dispose();
    expect(h.memoryOf('probe').bytes).toBe(12);
    expect(errorOf(() => h.neg(a)).code).toBe('E_KERNEL');
    expect(a.shape).toEqual([1, 3]);
    const c = h.tensor([[1, 2, 3]], { device: 'cpu' });
    expect(await h.sum(c, 1).array()).toEqual([6]);
  });

  it('gets frozen attributes: changing a default padding changes nothing for later calls', async () => {
    const pool: KernelFn = (_inputs, _out, attrs) => {
      (attrs['padding'] as number[])[0]! += 1;
    };
    const { h } = await runtime(probePlugin({ kernels: [{ op: 'avg_pool2d', device: 'probe', dtypes: 'float32', run: pool }] }));
    const x = h.tensor(new Float32Array(16), { shape: [1, 1, 4, 4], device: 'probe' });
    expect(errorOf(() => h.op('avg_pool2d', [x], { kernelSize: 2 })).code).toBe('E_KERNEL');
    expect(getOp('avg_pool2d').attrs['padding']!.default).toEqual([0, 0]);
    const given = { kernelSize: 2, padding: [1, 1] };
    const parsed = parseAttrs('avg_pool2d', getOp('avg_pool2d').attrs, given);
    expect(parsed['padding']).not.toBe(given.padding);
    expect(Object.isFrozen(parsed['padding'])).toBe(true);
    const c = h.tensor([[[[1, 2], [3, 4]]]], { device: 'cpu' });
    expect(await h.op('avg_pool2d', [c], { kernelSize: 2 }).array()).toEqual([[[[2.5]]]]);
  });

  it('refuses a kernel that returns a value instead of writing its output', async () => {
    const returning: KernelFn = ((inputs: readonly { storage: DeviceStorage }[]) => data(inputs[0]!).map((v) => -v)) as unknown as KernelFn;
    const { h } = await runtime(probePlugin({ kernels: [{ op: 'neg', device: 'probe', dtypes: 'float32', run: returning }] }));
    const e = errorOf(() => h.neg(h.tensor([1, 2, 3], { device: 'probe' })));
    expect(e.code).toBe('E_KERNEL');
    expect(e.message).toContain('@probe/plugin@1.0.0');
    expect(e.message).toMatch(/returned .*return nothing/);
    expect(h.memoryOf('probe').tensors).toBe(1);
  });

  it("refuses to release storage that isn't the kernel's own scratch", async () => {
    const releaser: KernelFn = (inputs, _out, _attrs, ctx) => ctx.release(inputs[0]!.storage, 'float32', inputs[0]!.size);
    const { h } = await runtime(probePlugin({ kernels: [{ op: 'neg', device: 'probe', dtypes: 'float32', run: releaser }] }));
    const a = h.tensor([1, 2, 3], { device: 'probe' });
    expect(errorOf(() => h.neg(a)).code).toBe('E_KERNEL');
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3]);
  });
});

describe('a backend that hands out storage already in use', () => {
  it('is refused with a coded error instead of adding into its own input', async () => {
    let shared: ProbeStorage | undefined;
    const reusing = () =>
      probeBackend({
        allocate(dtype: DType, size: number): ProbeStorage {
          const data = hostArray(dtype, size);
          return (shared ??= { data, byteLength: data.byteLength });
        },
      });
    const { h } = await runtime(probePlugin({ backend: reusing }));
    const a = h.tensor([1, 2, 3, 4], { device: 'probe' });
    const e = errorOf(() => h.tensor([10, 20, 30, 40], { device: 'probe' }));
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toContain('still in use');
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4]);
    expect(h.memoryOf('probe').tensors).toBe(1);
  });
});

describe('what the core gives a plugin is frozen', () => {
  it("host.ops is the process's one frozen opset: a plugin can't change add's meta or reorder the ops for another runtime", async () => {
    const attacker = probePlugin({
      name: '@probe/attacker',
      register(host) {
        (host.ops.find((o) => o.name === 'add') as { meta: unknown }).meta = () => [1];
      },
    });
    const sorter = probePlugin({
      name: '@probe/sorter',
      register(host) {
        (host.ops as unknown as unknown[]).sort();
      },
    });
    const { report } = await runtime(attacker);
    const { report: report2 } = await runtime(sorter);
    expect(report.plugins.find((p) => p.name === '@probe/attacker')).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
    expect(report2.plugins.find((p) => p.name === '@probe/sorter')).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
    const other = createHearth({ plugins: [cpuPlugin] });
    await other.ready();
    expect(await other.add(other.tensor([1, 2]), other.tensor([3, 4])).array()).toEqual([4, 6]);
    expect(await other.neg(other.tensor([1])).array()).toEqual([-1]);
    expect(getOp('neg').name).toBe('neg');
  });

  it('the host itself is frozen, and backend factories get a frozen copy of their options', async () => {
    let seenOptions: Record<string, unknown> | undefined;
    let hostFrozen = false;
    const plugin: HearthPlugin = {
      manifest: { name: '@probe/opts', version: '1.0.0', vendor: 'Probe', deviceTypes: ['probe'], coreApi: '^1.0.0' },
      register(host) {
        hostFrozen = Object.isFrozen(host);
        host.registerBackend({ type: 'probe', create: (o) => ((seenOptions = o as Record<string, unknown>), probeBackend()) });
      },
    };
    const options = { threads: 2 };
    const h = createHearth({ plugins: [plugin], backends: ['probe'], backendOptions: { probe: options } });
    await h.ready();
    expect(hostFrozen).toBe(true);
    expect(seenOptions).toEqual({ threads: 2 });
    expect(seenOptions).not.toBe(options);
    expect(Object.isFrozen(seenOptions)).toBe(true);
  });
});

describe('what the core reads from a plugin is read once, inside a guard, and validated', () => {
  it("a deviceTypes array with its own includes() can't register kernels for other device types", async () => {
    const deviceTypes = Object.assign(['probe'], { includes: () => true });
    const plugin: HearthPlugin = {
      manifest: { name: '@probe/liar', version: '1.0.0', vendor: 'Probe', deviceTypes, coreApi: '^1.0.0' },
      register(host) {
        host.registerKernel({ op: 'add', device: 'wasm', dtypes: 'float32', run: add });
        host.registerKernel({ op: 'sub', device: 'cpu', dtypes: 'float16', run: add });
      },
    };
    const { h, report } = await runtime(plugin);
    expect(report.plugins.find((p) => p.name === '@probe/liar')).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
    expect(h.kernels().filter((k) => k.provenance.plugin === '@probe/liar')).toEqual([]);
  });

  it('a manifest that says one thing when checked and another when used is held to what was checked', async () => {
    let reads = 0;
    const manifest = {
      name: '@probe/shifty',
      version: '1.0.0',
      vendor: 'Probe',
      coreApi: '^1.0.0',
      get deviceTypes() {
        return reads++ === 0 ? ['probe'] : ['probe', 'cpu'];
      },
    };
    const plugin: HearthPlugin = {
      manifest: manifest as never,
      register(host) {
        host.registerKernel({ op: 'sub', device: 'cpu', dtypes: 'float16', run: add });
      },
    };
    const { report } = await runtime(plugin);
    expect(reads).toBe(1);
    expect(report.plugins.find((p) => p.name === '@probe/shifty')).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
  });

  it('throwing getters on the manifest, its name, or a Proxy plugin fail that plugin with E_PLUGIN, never createHearth', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    const plugins = [
      { get manifest() { return boom(); }, register() {} },
      { manifest: { get name() { return boom(); }, version: '1.0.0', vendor: 'x', deviceTypes: ['probe'], coreApi: '^1.0.0' }, register() {} },
      new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom }),
    ] as unknown as HearthPlugin[];
    for (const bad of plugins) {
      const h = createHearth({ plugins: [bad, cpuPlugin] });
      const report = await h.ready();
      expect(report.plugins[0]).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
      expect(report.plugins[0]!.error).toBeInstanceOf(HearthError);
      expect(report.defaultDevice).toBe('cpu:0');
    }
  });

  it("a backend whose info.software getter throws fails that backend with E_BACKEND_INIT naming its plugin; ready() still resolves", async () => {
    const backend = () => {
      const b = probeBackend();
      Object.defineProperty(b, 'info', { value: { type: 'probe', name: 'p', vendor: 'v', get software() { throw new Error('boom'); } } });
      return b;
    };
    const { report } = await runtime(probePlugin({ backend }));
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.error).toMatchObject({ code: 'E_BACKEND_INIT', message: expect.stringContaining('@probe/plugin') });
    expect(report.defaultDevice).toBe('cpu:0');
  });

  it("reads syncRead, dtypes and the functions once: a getter that changes or throws later can't break dataSync()", async () => {
    let syncReads = 0;
    const backend = () => {
      const b = probeBackend();
      Object.defineProperty(b, 'syncRead', {
        get() {
          if (syncReads++ > 0) throw new Error('boom');
          return true;
        },
      });
      return b;
    };
    const { h } = await runtime(probePlugin({ backend }));
    const a = h.tensor([1, 2], { device: 'probe' });
    expect(Array.from(h.add(a, a).dataSync())).toEqual([2, 4]);
    expect(syncReads).toBe(1);
    const info = h.devices().find((d) => d.name === 'probe:0')!.info;
    expect(Object.isFrozen(info)).toBe(true);
  });

  it.each([['float128'], ['toString'], [['float32', 'constructor']]])('refuses a kernel registered for dtype %j: the plugin fails and says why', async (dtypes) => {
    const plugin = probePlugin({ kernels: [{ op: 'add', device: 'probe', dtypes: dtypes as DType, run: add }] });
    const { h, report } = await runtime(plugin);
    const record = report.plugins.find((p) => p.name === '@probe/plugin')!;
    expect(record).toMatchObject({ status: 'failed', error: { code: 'E_PLUGIN' } });
    expect(record.error!.message).toMatch(/not Hearth dtypes/);
    expect(h.kernels().filter((k) => k.provenance.plugin === '@probe/plugin')).toEqual([]);
  });
});
