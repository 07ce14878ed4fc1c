import { describe, expect, it } from 'vitest';
import { OPSET_V1, getOp, parseAttrs } from '@hearth/core';
import { allCases, profileCases, opSpecs } from './suite.js';
import { evaluate } from './oracle/index.js';
import { ACCURACY } from './accuracy.js';
import { ORACLES } from './oracle/index.js';
import type { OpCase } from './cases/types.js';

describe('the suite is derived from the opset', () => {
  it('has exactly one spec, one oracle and one accuracy contract per opset op', () => {
    const names = OPSET_V1.map((o) => o.name).sort();
    expect([...opSpecs().keys()].sort()).toEqual(names);
    expect(Object.keys(ORACLES).sort()).toEqual(names);
    expect(Object.keys(ACCURACY).sort()).toEqual(names);
  });

  it('gives every op sample, reference, error and property cases in the core profile', () => {
    const cases = profileCases('core');
    for (const op of OPSET_V1) {
      const kinds = new Set(cases.filter((c) => 'op' in c && c.op === op.name).map((c) => c.kind));
      expect([...kinds].sort(), op.name).toEqual(['error', 'property', 'reference', 'sample']);
    }
  });

  it('has unique, stable IDs and the same list on every build', () => {
    const a = allCases().map((c) => c.id);
    expect(new Set(a).size).toBe(a.length);
    expect(allCases().map((c) => c.id)).toEqual(a);
    expect(a).toContain('hearth:op,add:dtype=float32;case=broadcast-row');
  });

  it('the oracle gives the shape the core computes for every non-error case', () => {
    for (const c of allCases()) {
      if (c.kind !== 'sample' && c.kind !== 'reference') continue;
      const oc = c as OpCase;
      const schema = getOp(oc.op);
      const meta = schema.meta(oc.inputs, parseAttrs(oc.op, schema.attrs, oc.attrs));
      const ex = evaluate(oc.op, oc.inputs, oc.attrs);
      expect(ex.shape, c.id).toEqual(meta);
      expect(ex.values.length, c.id).toBe(meta.reduce((p, d) => p * d, 1));
    }
  });
});
