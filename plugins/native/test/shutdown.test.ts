/**
 * `hearth.dispose()` while copies and fallbacks still have to land data on the reference native plugin:
 * it used to free library memory after `shutdown` and write through freed memory (SIGSEGV, "malloc():
 * unsorted double linked list corrupted"). Run in a child process, so a crash is an exit status here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR } from './fixtures.js';

const PROBE = `
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import native, { NativeBackend } from '@hearth/plugin-native';
// Counts calls the released library gets: none may come after dispose() begins.
let released = false;
let late = 0;
for (const m of ['allocate', 'write', 'read', 'free']) {
  const f = NativeBackend.prototype[m];
  NativeBackend.prototype[m] = function (...args) { if (released) late++; return f.apply(this, args); };
}
const dispose = NativeBackend.prototype.dispose;
NativeBackend.prototype.dispose = function () { released = true; return dispose.call(this); };
const codes = new Set();
for (let round = 0; round < 5; round++) {
  released = false;
  const h = createHearth({ plugins: [cpuPlugin, native], backends: ['native', 'cpu'], fallback: 'allow' });
  await h.ready();
  const reads = [];
  for (let i = 0; i < 20; i++) {
    const a = h.tensor(new Float32Array(4096).fill(i), { shape: [4096], device: 'native:0' });
    const b = h.tensor(new Float32Array(4096).fill(1), { shape: [4096], device: 'cpu:0' });
    const c = h.add(b, a); // waits for a copy off native:0
    const d = h.add(a, c); // lands c on native:0 once it is there
    for (const r of [d.data(), c.to('native'), h.add(a, b).data()]) reads.push(r.catch((e) => codes.add(e.code)));
  }
  await h.dispose();
  await Promise.all(reads);
}
console.log(JSON.stringify({ late, codes: [...codes] }));
`;

describe('dispose() with work pending on the native reference plugin', () => {
  it('exits cleanly: no crash, no call into the released library, pending work cancelled with E_DISPOSED', () => {
    mkdirSync(FIXTURE_DIR, { recursive: true });
    const probe = join(FIXTURE_DIR, 'shutdown-probe.mjs');
    writeFileSync(probe, PROBE);
    const run = spawnSync(process.execPath, [probe], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/corrupted|Segmentation|double free/);
    expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { late: number; codes: string[] };
    expect(out.late).toBe(0);
    expect(out.codes.every((c) => c === 'E_DISPOSED')).toBe(true);
  });
});
