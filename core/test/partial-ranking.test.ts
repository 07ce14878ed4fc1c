import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHearth, isHearthError, type Hearth, type KernelSpec } from '../src/index.js';
import { addKernel, castKernel, fullKernel, mulKernel, toyPlugin } from './toy-plugin.js';

/** A full toy plugin (full, cast, add, mul) and a one-op partial one (add only) for the same device type. */
const full = (device: string, priority = 0) => toyPlugin({ name: `full-${device}`, device, priority, kernels: (d) => [fullKernel(d), castKernel(d), addKernel(d), mulKernel(d)] });
const addOnly = (device: string, priority: number) => toyPlugin({ name: `acme-${device}-add`, device, priority, kernels: (d) => [addKernel(d, ['float32'])] });

/** Where a call really ran: the device and plugin of the first kernel the dispatcher ran. */
async function ranOn(h: Hearth, op: 'add' | 'mul', device: string): Promise<string> {
  const x = h.tensor([1, 2], { device });
  const ran: string[] = [];
  const stop = h.hook('before', (ev) => void ran.push(`${ev.device} ${ev.plugin}`));
  try {
    await h.op(op, [x, x]).data();
    return ran[0]!;
  } catch (e) {
    if (isHearthError(e, 'E_NO_KERNEL')) return 'fails';
    throw e;
  } finally {
    stop();
  }
}

/** Where explain() says the call runs, in the same words. */
function explained(h: Hearth, op: 'add' | 'mul', device: string): string {
  const x = h.tensor([1, 2], { device });
  const e = h.explain(op, [x, x]);
  x.dispose();
  if (e.kernel) return `${e.device} ${e.kernel.plugin}`;
  const to = /runs it on ([a-z]+:\d+) \(([^)]+)\)/.exec(e.reason!);
  return to ? `${to[1]} ${to[2]}` : 'fails';
}

afterEach(() => vi.restoreAllMocks());

describe('a partial plugin beside a full one', () => {
  it('for the same device type, preferred first: its own op runs on it, every other on the full plugin', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = createHearth({ plugins: [full('cpu'), addOnly('cpu', 50)] });
    const report = await h.ready();
    expect(report.plugins.map((p) => p.status)).toEqual(['loaded', 'loaded']);
    expect(h.devices().map((d) => `${d.name} ${d.plugin}`)).toEqual(['cpu:0 acme-cpu-add', 'cpu:1 full-cpu']);
    expect(h.defaultDevice).toBe('cpu:0');
    expect(await ranOn(h, 'add', 'cpu:0')).toBe('cpu:0 acme-cpu-add');
    expect(await ranOn(h, 'mul', 'cpu:0')).toBe('cpu:1 full-cpu');
    const x = h.tensor([1, 2]);
    const y = x.mul(x).add(x);
    expect(y.device).toBe('cpu:0');
    expect(Array.from(await y.data())).toEqual([2, 6]);
    // Creation on the partial plugin's device works through the full plugin's kernel.
    expect(Array.from(await h.zeros([2]).data())).toEqual([0, 0]);
    for (const op of ['add', 'mul'] as const) for (const d of ['cpu:0', 'cpu:1']) expect(explained(h, op, d), `${op} on ${d}`).toBe(await ranOn(h, op, d));
    await h.dispose();
  });

  it('in strict mode, names the device of the same type that has the kernel', async () => {
    const h = createHearth({ plugins: [full('cpu'), addOnly('cpu', 50)], fallback: 'error' });
    await h.ready();
    const x = h.tensor([1, 2]);
    try {
      x.mul(x);
      expect.unreachable();
    } catch (e) {
      expect(isHearthError(e, 'E_NO_KERNEL')).toBe(true);
      expect((e as Error).message).toContain('Ready devices with one: cpu:1; move the inputs there with `await t.to("cpu:1")`');
    }
    await h.dispose();
  });

  it('for the same device type, preferred last: the full plugin is the default, the partial one usable by name', async () => {
    const h = createHearth({ plugins: [addOnly('cpu', -1), full('cpu')] });
    await h.ready();
    expect(h.devices().map((d) => `${d.name} ${d.plugin}`)).toEqual(['cpu:0 full-cpu', 'cpu:1 acme-cpu-add']);
    expect(await ranOn(h, 'add', 'cpu:0')).toBe('cpu:0 full-cpu');
    expect(await ranOn(h, 'add', 'cpu:1')).toBe('cpu:1 acme-cpu-add');
    await h.dispose();
  });

  it('a new device type preferred first: its op runs there, the rest on the next backend in preference', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = createHearth({ plugins: [full('cpu'), full('gpu'), addOnly('npu', 0)], backends: ['npu', 'gpu', 'cpu'] });
    await h.ready();
    expect(h.defaultDevice).toBe('npu:0');
    expect(await ranOn(h, 'add', 'npu:0')).toBe('npu:0 acme-npu-add');
    expect(await ranOn(h, 'mul', 'npu:0')).toBe('gpu:0 full-gpu');
    expect(explained(h, 'mul', 'npu:0')).toBe('gpu:0 full-gpu');
    await h.dispose();
  });

  it('explain and the dispatcher agree on random runtimes where device types have one or two providers', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let seed = 2024;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 40; trial++) {
      const plugins = Array.from({ length: 1 + rand(3) }, (_, i) => {
        const device = ['cpu', 'npu'][rand(2)]!;
        const ks: ((d: string) => KernelSpec)[] = [fullKernel, castKernel];
        if (rand(2)) ks.push((d) => addKernel(d, ['float32']));
        if (rand(2)) ks.push(mulKernel);
        return toyPlugin({ name: `p${i}-${device}`, device, priority: rand(10), kernels: (d) => ks.map((k) => k(d)) });
      });
      const policy = (['warn', 'allow', 'error'] as const)[rand(3)]!;
      const h = createHearth({ plugins, fallback: { policy } });
      await h.ready();
      expect(h.plugins().every((p) => p.status === 'loaded')).toBe(true);
      for (const d of h.devices()) {
        for (const op of ['add', 'mul'] as const) expect(await ranOn(h, op, d.name), `trial ${trial}: ${op} on ${d.name}, ${policy}`).toBe(explained(h, op, d.name));
      }
      await h.dispose();
    }
  });
});
