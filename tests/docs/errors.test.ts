import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@hearth/core';

const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('the error-code reference (docs/errors.md)', () => {
  it('has one entry with an anchor for every HearthError code', () => {
    const anchors = [...page.matchAll(/<a id="(E_[A-Z0-9_]+)"><\/a>`(E_[A-Z0-9_]+)`/g)];
    for (const [, id, shown] of anchors) expect(shown).toBe(id);
    const ids = anchors.map((a) => a[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ERROR_CODES.filter((code) => !ids.includes(code))).toEqual([]);
  });

  it('says what to do for each', () => {
    for (const code of ERROR_CODES) {
      const row = page.split('\n').find((l) => l.includes(`<a id="${code}"></a>`))!;
      const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
      expect(cells, code).toHaveLength(3);
      expect(cells[2]!.length, code).toBeGreaterThan(5);
    }
  });
});
