import { describe, expect, it } from 'vitest';
import { createHearth } from '../src/index.js';
import { addKernel, toyPlugin } from './toy-plugin.js';

describe('explain from shapes and dtypes', () => {
  it('plans without allocating or running anything, on a plugin without `full`', async () => {
    const p = toyPlugin({ kernels: (d) => [addKernel(d, ['float32'])] });
    const h = createHearth({ plugins: [p] });
    await h.ready();
    p.backends[0]!.faults.allocate = () => {
      throw new Error('explain must not allocate');
    };
    const e = h.explain('add', [{ shape: [20000, 20000], dtype: 'float32' }, { shape: [20000], dtype: 'int32' }]);
    expect(e).toMatchObject({ op: 'add', dtype: 'float32', shape: [20000, 20000], device: 'toy:0', casts: ['int32 -> float32'], kernel: { plugin: 'toy-toy' } });
    expect(h.memoryOf('toy').bytes).toBe(0);
    expect(h.explain('add', [{ shape: [2], dtype: 'int32' }, { shape: [2], dtype: 'int32' }]).reason).toMatch(/no kernel for add\(int32\)/);
    expect(() => h.explain('add', [{ shape: [2], dtype: 'float32' }, { shape: [3], dtype: 'float32' }])).toThrow(expect.objectContaining({ code: 'E_BROADCAST' }));
  });
});
