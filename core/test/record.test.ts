import { describe, expect, it } from 'vitest';
import { createHearth, type KernelSpec, type Tensor } from '../src/index.js';
import { addKernel, castKernel, fullKernel, mulKernel, toyPlugin } from './toy-plugin.js';

/** A mul that fails while `failing.on` is set, as a plugin's kernel may. */
const failing = { on: false };
function flakyMul(device: string): KernelSpec {
  const mul = mulKernel(device);
  return { ...mul, run: (xs, out, attrs, ctx) => (failing.on ? void (null as unknown as { x: number }).x : mul.run(xs, out, attrs, ctx)) };
}

/** Elementwise maximum of same-shaped tensors or a scalar, for decompositions (clip) to use. */
function maximumKernel(device: string): KernelSpec {
  const add = addKernel(device);
  return {
    ...add,
    op: 'maximum',
    run([a, b], out) {
      const data = (t: { storage: unknown }) => (t.storage as { data: Float32Array }).data;
      const x = data(a!), y = data(b!), o = data(out);
      for (let i = 0; i < o.length; i++) o[i] = Math.max(x[a!.size === 1 ? 0 : i]!, y[b!.size === 1 ? 0 : i]!);
    },
  };
}

async function toy() {
  const h = createHearth({ plugins: [toyPlugin({ device: 'cpu', kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d), flakyMul(d), maximumKernel(d)] }), toyPlugin({ device: 'other' })] });
  await h.ready();
  return h;
}

const live = (h: Awaited<ReturnType<typeof toy>>) => h.memory().reduce((n, m) => n + m.tensors, 0);

describe('hearth.record: operator calls recorded once, replayed on new inputs', () => {
  it('a replay computes what the function would on the new inputs, with captured weights, and frees its intermediate results', async () => {
    const h = await toy();
    const w = h.tensor([10, 20, 30]);
    const f = (x: Tensor) => x.mul(x).add(w); // x² + w: one intermediate
    const x1 = h.tensor([1, 2, 3]);
    const { result, recording, reason } = h.record([x1], () => f(x1));
    expect(reason).toBeUndefined();
    expect(recording!.ops).toEqual(['mul', 'add']);
    expect(Array.from(await result.data())).toEqual([11, 24, 39]);
    const x2 = h.tensor([4, 5, 6]);
    const before = live(h);
    const [y] = recording!.replay([x2])!;
    expect(Array.from(await y!.data())).toEqual([26, 45, 66]);
    expect(y).not.toBe(result);
    expect(live(h)).toBe(before + 1); // the result only: the squares were freed
  });

  it('does not apply, and runs nothing, to inputs of another shape, dtype or device, a disposed input, or one tensor where it had two', async () => {
    const h = await toy();
    const a = h.tensor([1, 2]);
    const b = h.tensor([3, 4]);
    const { recording } = h.record([a, b], () => a.add(b));
    expect(recording).toBeDefined();
    const before = live(h);
    expect(recording!.replay([h.tensor([1, 2, 3]), b])).toBeUndefined();
    expect(recording!.replay([h.tensor([1, 2], { dtype: 'int32' }), b])).toBeUndefined();
    expect(recording!.replay([h.tensor([1, 2], { device: 'other' }), b])).toBeUndefined();
    expect(recording!.replay([a])).toBeUndefined();
    expect(recording!.replay([a, a])).toBeUndefined();
    const gone = h.tensor([1, 2]);
    gone.dispose();
    expect(recording!.replay([gone, b])).toBeUndefined();
    expect(live(h)).toBe(before + 3); // the three live inputs made above, nothing else
    const twice = h.record([a, a], () => a.add(a)).recording!;
    expect(twice.replay([a, b])).toBeUndefined();
    expect(Array.from(await twice.replay([b, b])![0]!.data())).toEqual([6, 8]);
  });

  it('does not apply once a tensor it captured was disposed', async () => {
    const h = await toy();
    const w = h.tensor([1, 1]);
    const x = h.tensor([1, 2]);
    const { recording } = h.record([x], () => x.add(w));
    w.dispose();
    expect(recording!.replay([x])).toBeUndefined();
  });

  it('gives no recording, with the reason, for work a replay would not repeat; the result stands', async () => {
    const h = await toy();
    const x = h.tensor([1, 2]);
    const scalar = h.record([x], () => x.add(1)); // the scalar 1 is host data, made during the call
    expect(scalar.recording).toBeUndefined();
    expect(scalar.reason).toMatch(/made during the recording/);
    expect(Array.from(await scalar.result.data())).toEqual([2, 3]);
    const reads = h.record([x], () => (x.dataSync()[0]! > 0 ? x.add(x) : x.mul(x)));
    expect(reads.reason).toMatch(/read tensor data/);
    const cast = h.record([x], () => x.add(h.tensor([1, 1], { dtype: 'int32' }).keep()));
    expect(cast.recording).toBeUndefined();
    const elsewhere = h.tensor([1, 1], { device: 'other' });
    const copied = h.record([x, elsewhere], () => x.add(elsewhere)); // a copy between devices reads data
    expect(copied.reason).toMatch(/read tensor data/);
    const later = h.record([x], (async () => x.add(x)) as never);
    expect(later.reason).toMatch(/promise/);
    const inner = h.record([x], () => h.record([x], () => x.add(x)).result.add(x));
    expect(inner.recording!.ops).toEqual(['add', 'add']);
  });

  it('records the casts before a call and the steps of a decomposition, call by call', async () => {
    const h = await toy();
    const x = h.tensor([1, 2]);
    const i = h.tensor([1, 2], { dtype: 'int32' });
    const promoted = h.record([x, i], () => h.scope(() => x.add(i))); // int32 is cast to float32 first
    expect(promoted.recording!.ops).toEqual(['cast', 'add']);
    const before = live(h);
    const [sum] = promoted.recording!.replay([h.tensor([10, 20]), h.tensor([3, 4], { dtype: 'int32' })])!;
    expect(Array.from(await sum!.data())).toEqual([13, 24]);
    expect(live(h)).toBe(before + 3); // the two inputs and the sum: the cast was freed
    // clip has no kernel here: it runs as its decomposition, maximum(x, 0), whose scalar is a call too.
    const clip = h.record([x], () => h.op('clip', [x], { min: 0, max: null }));
    expect(clip.recording!.ops).toEqual(['full', 'maximum']);
    const [clipped] = clip.recording!.replay([h.tensor([-1, 3])])!;
    expect(Array.from(await clipped!.data())).toEqual([0, 3]);
  });

  it('a kernel that fails during a replay frees what the replay made and throws the coded error the call gives', async () => {
    const h = await toy();
    const x = h.tensor([1, 2]);
    const { recording } = h.record([x], () => x.add(x).mul(x));
    const before = live(h);
    failing.on = true;
    try {
      expect(() => recording!.replay([x])).toThrow(expect.objectContaining({ code: 'E_KERNEL' }));
    } finally {
      failing.on = false;
    }
    expect(live(h)).toBe(before);
  });

  it('kernel hooks see the replayed calls as they see any call', async () => {
    const h = await toy();
    const x = h.tensor([1, 2]);
    const { recording } = h.record([x], () => x.add(x));
    const seen: string[] = [];
    const stop = h.hook('after', (e) => seen.push(`${e.op} ${e.device}`));
    recording!.replay([x]);
    stop();
    expect(seen).toEqual(['add cpu:0']);
  });

  it('checks its arguments', async () => {
    const h = await toy();
    expect(() => h.record({} as never, () => h.tensor(1))).toThrow(expect.objectContaining({ code: 'E_ARG' }));
    expect(() => h.record([1] as never, () => h.tensor(1))).toThrow(expect.objectContaining({ code: 'E_ARG' }));
    expect(() => h.record([], 3 as never)).toThrow(expect.objectContaining({ code: 'E_ARG' }));
  });
});
