import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '@hearth/conformance';
import { ONEDNN_LIBRARY } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe.skipIf(!existsSync(ONEDNN_LIBRARY))('the oneDNN plugin under the conformance suite (skipped where oneDNN was missing at build time)', () => {
  // HEARTH_ONEDNN_MIN_ELEMENTS=0: the suite's small cases take oneDNN's path too, not the plain C loops the
  // plugin runs model-sized launches through, so its special values reach every oneDNN primitive; unset,
  // the same cases run through those loops.
  it.each([
    ['with every size sent to oneDNN', { HEARTH_ONEDNN_MIN_ELEMENTS: '0' }],
    ['with small launches in its plain C loops', { HEARTH_ONEDNN_MIN_ELEMENTS: '' }],
  ])('certifies on the whole core profile through the loader, %s', (_, env) => {
    const run = spawnSync(process.execPath, [join(root, 'tools/dist/bin.js'), 'conformance', '--plugin', '@hearth/plugin-onednn', '--certify', '--json'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      cwd: root,
      env: { ...process.env, ...env },
    });
    const r = JSON.parse(run.stdout) as RunResult; // printed whatever the verdict, so a failure names its cases
    expect(r.results.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}`)).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.plugin.name).toBe('@hearth/plugin-onednn');
    expect(r.counts.pass).toBeGreaterThan(1000);
  }, 300_000);
});
