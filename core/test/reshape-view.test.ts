import { describe, expect, it } from 'vitest';
import { createHearth, type KernelSpec } from '../src/index.js';
import { addKernel, castKernel, fullKernel, toyPlugin } from './toy-plugin.js';

/** A reshape kernel that copies, as a plugin registers one. */
const copies = { n: 0 };
function reshapeKernel(device: string): KernelSpec {
  return {
    op: 'reshape',
    device,
    dtypes: ['float32', 'int32', 'bool'],
    run([x], out) {
      copies.n++;
      (out.storage as unknown as { data: Float32Array }).data.set((x!.storage as unknown as { data: Float32Array }).data);
    },
  };
}

async function toy() {
  const plugin = toyPlugin({ device: 'cpu', kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d), reshapeKernel(d)] });
  const h = createHearth({ plugins: [plugin] });
  await h.ready();
  return { h, backend: plugin.backends[0]! };
}

describe('a replayed reshape shares its input storage', () => {
  it('makes no copy and no allocation; the storage is counted once and freed with the last tensor on it, in either order', async () => {
    for (const sourceFirst of [true, false]) {
      const { h, backend } = await toy();
      const x = h.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
      copies.n = 0;
      const { result, recording } = h.record([x], () => h.scope(() => x.reshape([3, 2]).reshape([6])));
      expect(copies.n).toBe(2); // a call as such runs the kernel
      result.dispose();
      const allocations = backend.live;
      const bytes = h.memoryOf('cpu').bytes;
      const [z] = recording!.replay([x])!;
      expect(copies.n).toBe(2);
      expect(backend.live).toBe(allocations);
      expect(h.memoryOf('cpu')).toMatchObject({ bytes, tensors: 2 });
      expect(z!.shape).toEqual([6]);
      (sourceFirst ? x : z!).dispose();
      expect(backend.live).toBe(allocations); // the other still reads it
      expect(h.memoryOf('cpu')).toMatchObject({ bytes, tensors: 1 });
      const last = sourceFirst ? z! : x;
      expect(await last.array()).toEqual(sourceFirst ? [1, 2, 3, 4, 5, 6] : [[1, 2, 3], [4, 5, 6]]);
      last.dispose();
      expect(backend.live).toBe(allocations - 1);
      expect(h.memoryOf('cpu')).toMatchObject({ bytes: 0, tensors: 0 });
      expect(h.leaks()).toEqual([]);
    }
  });

  it('a view is a tensor like any other: scopes free it, ops read it, its source stays as it was', async () => {
    const { h } = await toy();
    const x = h.tensor([1, 2, 3, 4]);
    const { result, recording } = h.record([x], () => h.scope(() => {
      const m = x.reshape([2, 2]);
      return m.add(m).reshape([4]);
    }));
    result.dispose();
    const y = h.scope(() => recording!.replay([x])![0]!);
    expect(Array.from(await y.data())).toEqual([2, 4, 6, 8]);
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
    const view = h.record([x], () => x.reshape([2, 2]));
    view.result.dispose();
    h.scope(() => void view.recording!.replay([x]));
    expect(h.memoryOf('cpu').tensors).toBe(2); // x and y: the scope freed the view it made
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
  });
});
