import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { ONEDNN_LIBRARY, plugin } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Row {
  backend: string;
  status: string;
  code?: string;
  reason?: string;
}

/** `hearth backends --json` for the oneDNN plugin in a fresh process (oneDNN is opened once a process). */
function onednnRow(env: NodeJS.ProcessEnv): Row {
  const out = execFileSync(process.execPath, [join(root, 'tools/dist/bin.js'), 'backends', '--json', '--plugin', '@hearth/plugin-onednn'], { encoding: 'utf8', env, cwd: root });
  return (JSON.parse(out) as Row[]).find((r) => r.backend === 'onednn')!;
}

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

  it('sizes its thread pool from the device option `threads`, and refuses a bad one with E_BACKEND_INIT', async () => {
    const h = createHearth({ plugins: [plugin], backends: ['onednn'], exclusive: true, backendOptions: { onednn: { threads: 1 } } });
    expect((await h.ready()).devices[0]!.info.name).toMatch(/OpenMP, 1 thread\)$/);
    await h.dispose();
    // a later runtime without the option gets OpenMP's own count back, not the last one set
    const again = createHearth({ plugins: [plugin], backends: ['onednn'], exclusive: true });
    expect((await again.ready()).devices[0]!.info.name).toMatch(new RegExp(`OpenMP, ${process.env['OMP_NUM_THREADS'] ?? availableParallelism()} threads?\\)$`));
    await again.dispose();
    const bad = createHearth({ plugins: [plugin], backends: ['onednn'], backendOptions: { onednn: { threads: 0 } } });
    await expect(bad.ready()).rejects.toMatchObject({ code: 'E_NO_BACKEND' });
    const failed = bad.report?.failed ?? [];
    expect(failed.map((f) => [f.error.code, f.error.message])).toEqual([['E_BACKEND_INIT', 'onednn backend option "threads" must be a positive integer, got 0.']]);
  });

  it('exports only hearth_plugin_get_api and does not link oneDNN (it opens it at init)', () => {
    expect(execFileSync('nm', ['-D', '--defined-only', ONEDNN_LIBRARY], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' ').pop())).toEqual(['hearth_plugin_get_api']);
    expect(execFileSync('readelf', ['-d', ONEDNN_LIBRARY], { encoding: 'utf8' })).not.toContain('libdnnl');
  });

  it('without oneDNN on the machine, `hearth backends` lists onednn as unavailable with what to install', () => {
    const row = onednnRow({ ...process.env, HEARTH_ONEDNN_LIBRARY: '/nonexistent/libdnnl.so.2' });
    expect(row.status).toBe('unavailable');
    expect(row.code).toBe('E_BACKEND_INIT');
    expect(row.reason).toContain('oneDNN (/nonexistent/libdnnl.so.2) could not be loaded');
    expect(row.reason).toContain('apt-get install libdnnl2');
    expect(onednnRow(process.env).status).toBe('ready');
  });
});
