/**
 * Loading @hearth/plugin-webgpu costs a program that never uses webgpu nothing: no Dawn library loaded, no
 * device made, none of Dawn's warnings on stderr. Each program runs in its own process (lazy-child.mjs,
 * against the built packages), which reports the shared objects it loaded; its stderr is read whole.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./lazy-child.mjs', import.meta.url));

function run(mode: string): { out: { values: unknown; defaultDevice: string; notStartedAtReady: string[]; listedAtReady: [string, boolean][]; devices: string[]; dawnLoaded: boolean }; stderr: string } {
  const env = { ...process.env, HEARTH_BACKENDS: '', HEARTH_FALLBACK: '' };
  const r = spawnSync(process.execPath, [child, mode], { encoding: 'utf8', env, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`lazy-child ${mode} exited ${r.status}: ${r.stderr}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

describe('a program that loads the webgpu plugin but computes on the CPU', () => {
  for (const mode of ['priority', 'named']) {
    it(`${mode === 'named' ? "with backends: ['cpu']" : 'with no backend list'}: never loads Dawn nor makes its device, and prints nothing of Dawn's`, () => {
      const { out, stderr } = run(mode);
      expect(out.values).toEqual([[7, 10], [15, 22]]);
      expect(out.defaultDevice).toBe('cpu:0');
      expect(out.notStartedAtReady).toEqual(['webgpu']);
      // Listed, not started: listing costs nothing either.
      expect(out.listedAtReady).toEqual([['cpu:0', true], ['webgpu:0', false]]);
      expect(out.devices).toEqual(['cpu:0', 'webgpu:0']);
      expect(out.dawnLoaded).toBe(false);
      expect(stderr).toBe('');
    });
  }
});

describe('a program that uses webgpu', () => {
  for (const mode of ['webgpu', 'by-name']) {
    it(mode === 'webgpu' ? 'starts it when a tensor first moves there, and computes there' : 'starts it for a tensor made there by name, synchronously, and computes there', () => {
      const { out } = run(mode);
      expect(out.values).toEqual([[[7, 10], [15, 22]], [[7, 10], [15, 22]]]);
      expect(out.notStartedAtReady).toEqual(['webgpu']);
      expect(out.devices).toEqual(['cpu:0', 'webgpu:0']);
      expect(out.dawnLoaded).toBe(true);
    });
  }
});

