import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { plugin } from '../src/index.js';

/** A float64 matmul of row-major [..., m, k] x [..., k, n] with broadcast batch axes, written apart from the plugin. */
function reference(a: number[], as: number[], b: number[], bs: number[], os: number[]): number[] {
  const [m, k] = as.slice(-2) as [number, number];
  const n = bs[bs.length - 1]!;
  const batch = os.slice(0, -2);
  const out: number[] = [];
  const at = (shape: number[], idx: number[]) => {
    const bshape = shape.slice(0, -2);
    let off = 0;
    for (let i = 0; i < bshape.length; i++) off = off * bshape[i]! + (bshape[i] === 1 ? 0 : idx[idx.length - bshape.length + i]!);
    return off;
  };
  const total = batch.reduce((x, y) => x * y, 1);
  for (let t = 0; t < total; t++) {
    const idx: number[] = [];
    for (let r = t, i = batch.length - 1; i >= 0; i--) idx.unshift(r % batch[i]!), (r = Math.floor(r / batch[i]!));
    const ao = at(as, idx) * m * k, bo = at(bs, idx) * k * n;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + i * k + p]! * b[bo + p * n + j]!;
      out.push(s);
    }
  }
  return out;
}

describe('the oneDNN plugin', () => {
  it('runs batched, broadcast matmul through oneDNN, within float32 rounding of a float64 reference', async () => {
    const h = createHearth({ plugins: [plugin], backends: ['onednn'], exclusive: true, fallback: 'error' });
    const r = await h.ready();
    expect(r.defaultDevice).toBe('onednn:0');
    expect(r.devices[0]!.info.name).toMatch(/^oneDNN \d+\.\d+/);
    const cases: [number[], number[]][] = [[[2, 1, 3, 5], [4, 5, 7]], [[1, 9, 300], [300, 8]], [[3, 0], [0, 4]]];
    for (const [as, bs] of cases) {
      const a = Array.from({ length: as.reduce((x, y) => x * y, 1) }, (_, i) => ((i * 37) % 11) - 5);
      const b = Array.from({ length: bs.reduce((x, y) => x * y, 1) }, (_, i) => ((i * 13) % 7) - 3);
      const y = h.tensor(a, { shape: as }).matmul(h.tensor(b, { shape: bs }));
      expect(Array.from(await y.data())).toEqual(reference(a, as, b, bs, y.shape as number[])); // small integers: exact in float32
    }
    expect(h.explain('matmul', [{ shape: [2, 2], dtype: 'float32' }, { shape: [2, 2], dtype: 'float32' }]).kernel?.plugin).toBe('@hearth/plugin-onednn');
    await h.dispose();
  });
});
