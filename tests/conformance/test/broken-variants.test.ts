import { describe, expect, it } from 'vitest';
import { runConformance, FAILING } from '../src/index.js';
import { BROKEN_VARIANTS } from './broken-variants.js';

describe('the suite catches deliberately broken CPU plugins', () => {
  it('has at least 35 broken variants', () => {
    expect(BROKEN_VARIANTS.length).toBeGreaterThanOrEqual(35);
  });

  for (const v of BROKEN_VARIANTS) {
    it(`catches: ${v.bug}`, async () => {
      const run = await runConformance({ plugin: v.plugin, queries: v.query, ...(v.profile ? { profile: v.profile } : {}) });
      const failing = run.results.filter((r) => FAILING.includes(r.status));
      const ids = failing.map((r) => r.id);
      if (process.env['SHOW_CAUGHT']) console.log('CAUGHT', JSON.stringify([v.plugin.manifest.name, ids]));
      expect(run.verdict).toBe('fail');
      // Exactly these cases catch it, and nothing else fails: the bug is pinned to its kernel.
      expect([...ids].sort()).toEqual([...v.caughtBy].sort());
      expect(failing.find((r) => r.id === v.caughtBy[0])!.message).toMatch(v.message);
    }, v.profile === 'large' ? 180_000 : 30_000);
  }
});
