import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHearth, isHearthError, type Hearth, type KernelSpec } from '../src/index.js';
import { addKernel, castKernel, fullKernel, mulKernel, toyPlugin } from './toy-plugin.js';

const ENV = ['HEARTH_BACKENDS', 'HEARTH_BACKENDS_EXCLUSIVE', 'HEARTH_FALLBACK'];
afterEach(() => {
  for (const k of ENV) delete process.env[k];
  vi.restoreAllMocks();
});

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isHearthError(e) ? e.code : 'not a HearthError';
  }
  return undefined;
};

describe('HEARTH_BACKENDS and backends choose the default, never what is usable', () => {
  const twoCpus = () => [toyPlugin({ device: 'cpu' }), toyPlugin({ device: 'wasm', priority: 5 })];

  it('keeps every loaded, ready device usable by name when the variable names one', async () => {
    process.env['HEARTH_BACKENDS'] = 'wasm';
    const h = createHearth({ plugins: twoCpus() });
    const r = await h.ready();
    expect(r.defaultDevice).toBe('wasm:0');
    expect(r.devices.map((d) => d.name).sort()).toEqual(['cpu:0', 'wasm:0']);
    const x = h.tensor([1, 2], { device: 'cpu:0' });
    expect(await x.add(x).array()).toEqual([2, 4]);
  });

  it('puts the listed types first and the rest after them by priority', async () => {
    const h = createHearth({ plugins: twoCpus(), backends: ['cpu'] });
    const r = await h.ready();
    expect(r.defaultDevice).toBe('cpu:0');
    expect(r.devices.map((d) => d.name)).toEqual(['cpu:0', 'wasm:0']);
  });

  it('restricts the runtime to the listed backends only when asked (option or HEARTH_BACKENDS_EXCLUSIVE)', async () => {
    const a = createHearth({ plugins: twoCpus(), backends: ['wasm'], exclusive: true });
    await a.ready();
    expect(codeOf(() => a.tensor([1], { device: 'cpu' }))).toBe('E_DEVICE');
    process.env['HEARTH_BACKENDS'] = 'wasm';
    process.env['HEARTH_BACKENDS_EXCLUSIVE'] = '1';
    const b = createHearth({ plugins: twoCpus() });
    expect((await b.ready()).devices.map((d) => d.name)).toEqual(['wasm:0']);
  });

  it('refuses a non-boolean exclusive with E_ARG', () => {
    expect(codeOf(() => createHearth({ plugins: twoCpus(), exclusive: 'yes' as never }))).toBe('E_ARG');
  });
});

describe('a partial plugin works under the default fallback policy', () => {
  // An accelerator that only has `add` (a certified core-partial plugin), beside a full CPU plugin.
  const npu = () => toyPlugin({ device: 'npu', priority: 10, kernels: (d) => [addKernel(d)] });
  const cpu = () => toyPlugin({ device: 'cpu', kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d), mulKernel(d)] });

  it('creates tensors, runs missing ops elsewhere, warns once per (op, device) and counts each fallback', async () => {
    process.env['HEARTH_BACKENDS'] = 'npu,cpu';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = createHearth({ plugins: [npu(), cpu()] });
    expect((await h.ready()).defaultDevice).toBe('npu:0');
    const z = h.zeros([2, 2]);
    expect(z.device).toBe('npu:0');
    expect(await z.array()).toEqual([[0, 0], [0, 0]]);
    const x = h.tensor([1, 2, 3, 4]);
    const y = x.reshape([2, 2]);
    expect(y.device).toBe('npu:0');
    expect(await y.array()).toEqual([[1, 2], [3, 4]]);
    const m1 = x.mul(x);
    const m2 = x.mul(x);
    expect(await m2.array()).toEqual([1, 4, 9, 16]);
    void m1;
    expect(warn.mock.calls.filter(([m]) => String(m).includes('mul'))).toHaveLength(1);
    expect(h.stats().fallbacksByOp['mul(float32) npu:0 -> cpu:0']).toBe(2);
    expect(h.stats().fallbacks).toBeGreaterThanOrEqual(3);
  });

  it('is strict under fallback "error" or HEARTH_FALLBACK=error', async () => {
    process.env['HEARTH_BACKENDS'] = 'npu,cpu';
    process.env['HEARTH_FALLBACK'] = 'error';
    const h = createHearth({ plugins: [npu(), cpu()] });
    await h.ready();
    expect(codeOf(() => h.zeros([2]))).toBe('E_NO_KERNEL');
    const allowed = createHearth({ plugins: [npu(), cpu()], fallback: 'allow' }); // the option wins over the variable
    await allowed.ready();
    expect(await allowed.zeros([2]).array()).toEqual([0, 0]);
  });

  it('refuses an unknown HEARTH_FALLBACK with E_ARG that names the variable', () => {
    process.env['HEARTH_FALLBACK'] = 'sometimes';
    try {
      createHearth({ plugins: [cpu()] });
      expect.unreachable();
    } catch (e) {
      expect(isHearthError(e, 'E_ARG')).toBe(true);
      expect((e as Error).message).toContain('HEARTH_FALLBACK');
    }
  });
});

describe('explain and the dispatcher agree', () => {
  type Verdict = { kind: 'kernel' | 'fallback'; device: string } | { kind: 'fails' };

  function explained(h: Hearth, op: 'add' | 'mul', device: string): Verdict {
    const x = h.tensor([1, 2], { device });
    const e = h.explain(op, [x, x]);
    x.dispose();
    if (e.kernel) return { kind: 'kernel', device: e.device };
    const to = /runs it on ([a-z]+:\d+)/.exec(e.reason!);
    return to ? { kind: 'fallback', device: to[1]! } : { kind: 'fails' };
  }

  async function observed(h: Hearth, op: 'add' | 'mul', device: string): Promise<Verdict> {
    const x = h.tensor([1, 2], { device });
    const ran: string[] = [];
    const stop = h.hook('before', (ev) => void ran.push(ev.device));
    try {
      const y = h.op(op, [x, x]);
      await y.data();
      return ran[0] === device ? { kind: 'kernel', device } : { kind: 'fallback', device: ran[0]! };
    } catch (e) {
      if (isHearthError(e, 'E_NO_KERNEL')) return { kind: 'fails' };
      throw e;
    } finally {
      stop();
    }
  }

  it('on random runtimes: which plugins, which kernels, which policy and fallback device, which start lazily', async () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const types = ['cpu', 'npu', 'gpu'];
    let lazyExplained = 0;
    for (let trial = 0; trial < 60; trial++) {
      const plugins = types
        .filter(() => rand(3) > 0)
        .map((device) => {
          const ks: ((d: string) => KernelSpec)[] = [(d) => fullKernel(d), (d) => castKernel(d)];
          if (rand(2)) ks.push((d) => addKernel(d, ['float32']));
          if (rand(2)) ks.push(mulKernel);
          // Some backends start on first use: explained before their start, observed after it.
          return toyPlugin({ device, priority: rand(10), lazy: rand(3) === 0, kernels: (d) => ks.map((k) => k(d)) });
        });
      if (!plugins.length) continue;
      const policy = (['warn', 'allow', 'error'] as const)[rand(3)]!;
      const fbDevice = ['auto', 'cpu:0', 'gpu:0'][rand(3)]!;
      const h = createHearth({ plugins, fallback: { policy, device: fbDevice } });
      await h.ready();
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      for (const d of h.devices()) {
        if (!d.started) lazyExplained++;
        for (const op of ['add', 'mul'] as const) {
          const said = explained(h, op, d.name);
          expect(await observed(h, op, d.name), `${op} on ${d.name}, ${policy} -> ${fbDevice}`).toEqual(said);
        }
      }
      h.dispose();
    }
    expect(lazyExplained).toBeGreaterThan(5);
  });

  it('never promises a fallback to a device the runtime does not have', async () => {
    const h = createHearth({ plugins: [toyPlugin({ device: 'npu', kernels: (d) => [fullKernel(d), castKernel(d)] })], fallback: { policy: 'warn', device: 'cpu:0' } });
    await h.ready();
    const x = h.tensor([1, 2]);
    expect(h.explain('add', [x, x]).reason).toContain('E_NO_KERNEL');
    expect(codeOf(() => x.add(x))).toBe('E_NO_KERNEL');
  });
});
