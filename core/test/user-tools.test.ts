import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createHearth } from '../src/index.js';
import { addKernel, castKernel, fullKernel, toyPlugin } from './toy-plugin.js';

async function toy() {
  const h = createHearth({ plugins: [toyPlugin({ device: 'cpu', kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d)] })] });
  await h.ready();
  return h;
}

describe("a user's tools", () => {
  it('eye and linspace make the values numpy gives, on any device, with no kernel needed', async () => {
    const h = await toy();
    expect(await h.eye(2, 3).array()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(await h.eye(2, undefined, { dtype: 'int32' }).array()).toEqual([[1, 0], [0, 1]]);
    expect(Array.from(await h.linspace(0, 1, 5).data())).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(await h.linspace(2, 3, 1).data())).toEqual([2]);
    expect(() => h.eye(-1)).toThrow(expect.objectContaining({ code: 'E_ARG' }));
    expect(() => h.linspace(0, NaN, 3)).toThrow(expect.objectContaining({ code: 'E_ARG' }));
  });

  it('console.log(t) shows a one-line description, and print() the values with NaN by name', async () => {
    const h = await toy();
    const t = h.tensor([[1, NaN], [Infinity, 4]]);
    expect(inspect(t)).toBe('Tensor(float32[2, 2] on cpu:0)');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await t.print();
    expect(log.mock.calls[0]![0]).toBe('Tensor(float32[2, 2] on cpu:0)\n[\n  [1, NaN],\n  [Infinity, 4]\n]');
    log.mockRestore();
  });

  it('profile() records each kernel call with its device, plugin, shapes and time, as a table and a Chrome trace', async () => {
    const h = await toy();
    const x = h.tensor([1, 2, 3]);
    const p = await h.profile(() => x.add(x).add(h.tensor(1)));
    expect(await p.result.array()).toEqual([3, 5, 7]);
    const adds = p.ops.filter((o) => o.op === 'add');
    expect(adds).toHaveLength(2);
    expect(adds[0]).toMatchObject({ device: 'cpu:0', plugin: 'toy-cpu', dtype: 'float32', inputShapes: [[3], [3]], outputShape: [3] });
    expect(adds.every((o) => o.durationMs >= 0 && o.startMs >= 0)).toBe(true);
    expect(p.table()).toMatch(/^op\s+device\s+plugin\s+calls\s+total ms\nadd\s+cpu:0\s+toy-cpu\s+2\s/m);
    const trace = p.chromeTrace();
    expect(trace.traceEvents.filter((e) => (e as { name: string }).name === 'add')).toHaveLength(2);
    expect(trace.traceEvents[0]).toMatchObject({ ph: 'X', pid: 1 });
    // Nothing stays installed after the profile.
    const later = await h.profile(() => 1);
    expect(later.ops).toEqual([]);
  });
});
