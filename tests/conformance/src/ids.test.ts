import { describe, expect, it } from 'vitest';
import { caseId, inShard, matchesQuery, parseQuery, parseShard } from './ids.js';
import { profileCases } from './suite.js';

const ID = 'hearth:op,add:dtype=float32;case=broadcast-row';
const m = (q: string, id = ID) => matchesQuery(id, parseQuery(q));

describe('case IDs and queries', () => {
  it('builds IDs from path and ordered parameters', () => {
    expect(caseId(['op', 'add'], [['dtype', 'float32'], ['case', 'broadcast-row']])).toBe(ID);
  });

  it('matches exact IDs, subtrees, parameter subsets and globs', () => {
    expect(m(ID)).toBe(true);
    expect(m('hearth:op,add')).toBe(true);
    expect(m('hearth:op,add:*')).toBe(true);
    expect(m('hearth:op,*')).toBe(true);
    expect(m('hearth:*')).toBe(true);
    expect(m('hearth:op,a*:*')).toBe(true);
    expect(m('hearth:op,add:dtype=float32;*')).toBe(true);
    expect(m('hearth:op,add:case=broadcast-*;*')).toBe(true);
    expect(m('hearth:op,add:dtype=int32;*')).toBe(false);
    expect(m('hearth:op,sub:*')).toBe(false);
    expect(m('hearth:op,add:dtype=float32')).toBe(false); // without * all parameters must be named
    expect(m('hearth:op,ad:*')).toBe(false);
    expect(m('hearth:lifecycle,*')).toBe(false);
  });

  it('rejects malformed queries with E_ARG', () => {
    for (const q of ['op,add', 'webgpu:op,add:*', 'hearth:op,,add:*', 'hearth:op,add:dtype', 'hearth:a:b:c']) {
      expect(() => parseQuery(q), q).toThrow(expect.objectContaining({ code: 'E_ARG' }));
    }
  });

  it('shards split the case list into disjoint parts that cover it', () => {
    const ids = profileCases('core').map((c) => c.id);
    const shards = [1, 2, 3].map((k) => ids.filter((id) => inShard(id, parseShard(`${k}/3`))));
    expect(shards.reduce((n, s) => n + s.length, 0)).toBe(ids.length);
    expect(new Set(shards.flat()).size).toBe(ids.length);
    expect(shards.every((s) => s.length > ids.length / 5)).toBe(true);
    expect(() => parseShard('4/3')).toThrow(expect.objectContaining({ code: 'E_ARG' }));
  });
});
