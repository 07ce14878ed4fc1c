import { describe, expect, it } from 'vitest';
import { OPSET, getOp, parseAttrs } from '@hearth/core';
import { allCases, profileCases, opSpecs, PROPERTY_RUNS, tierOf } from './suite.js';
import { PROFILES } from './profiles.js';
import { evaluate } from './oracle/index.js';
import { ACCURACY } from './accuracy.js';
import { ORACLES } from './oracle/index.js';
import type { OpCase } from './cases/types.js';

describe('the suite is derived from the opset', () => {
  it('has exactly one spec, one oracle and one accuracy contract per opset op', () => {
    const names = OPSET.map((o) => o.name).sort();
    expect([...opSpecs().keys()].sort()).toEqual(names);
    expect(Object.keys(ORACLES).sort()).toEqual(names);
    expect(Object.keys(ACCURACY).sort()).toEqual(names);
  });

  it('gives every op sample, reference, error and property cases in the core profile', () => {
    const cases = profileCases('core');
    for (const op of OPSET) {
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

  it('the oracle gives the shape the core computes for every non-error call (follow-up calls included)', () => {
    for (const c of allCases()) {
      if (c.kind !== 'sample' && c.kind !== 'reference') continue;
      const oc = c as OpCase;
      const schema = getOp(oc.op);
      for (const call of [oc, ...(oc.then ?? [])]) {
        const meta = schema.meta(call.inputs, parseAttrs(oc.op, schema.attrs, call.attrs));
        // Large inputs are drawn only when run (seconds each); their shapes are checked, not their values.
        if (tierOf(c) === 'large') continue;
        const ex = evaluate(oc.op, call.inputs, call.attrs);
        expect(ex.shape, c.id).toEqual(meta);
        expect(ex.values.length, c.id).toBe(meta.reduce((p, d) => p * d, 1));
      }
    }
  });

  it('puts no op case in two profiles, and the large tier in `large` only', () => {
    // A partial profile (core-partial) runs another profile's cases by design.
    const byProfile = new Map(PROFILES.filter((p) => !p.partial).map((p) => [p.name, new Set(profileCases(p).map((c) => c.id))]));
    for (const c of allCases()) {
      if (c.kind === 'lifecycle') continue;
      const homes = [...byProfile].filter(([, ids]) => ids.has(c.id)).map(([name]) => name);
      expect(homes.length, c.id).toBeLessThanOrEqual(1);
      if (tierOf(c) === 'large') expect(homes, c.id).toEqual(['large']);
      else expect(homes, c.id).not.toContain('large');
    }
  });

  it('builds each named class of input (README: "Case classes")', () => {
    const ids = new Set(allCases().map((c) => c.id));
    const want = [
      'hearth:op,matmul:dtype=float32;case=inner-17',
      'hearth:op,add:dtype=float32;case=size-262161',
      'hearth:op,sub:dtype=float32;case=broadcast-row-17-left',
      'hearth:op,matmul:dtype=float32;case=tile-full-k-300',
      'hearth:op,matmul:dtype=float32;case=sequence-threads-68x257x65',
      'hearth:op,conv2d:dtype=float32;case=wide-stride-1x2',
      'hearth:op,conv2d:dtype=float32;case=wide-dilation-1x2',
      'hearth:op,conv2d:dtype=float32;case=empty-channels-bias',
      'hearth:op,softmax:dtype=float32;case=lanes-underflow-16',
      'hearth:op,mean:dtype=float32;case=lanes-near-max',
      'hearth:op,sum:dtype=float32;case=threads-300007',
      'hearth:op,sum:dtype=float32;case=threads-ones-262145',
      'hearth:op,conv2d:dtype=float32;case=kernel-1x1-stride2-padding1',
      'hearth:op,gather:dtype=float32;case=negative-axis',
      'hearth:op,sum:dtype=float32;case=axes-none',
      'hearth:op,transpose:dtype=float32;case=rank8',
      'hearth:op,maximum:dtype=int32;case=int32-above-2p24',
      'hearth:op,mean:dtype=float32;case=large-same-sign',
      'hearth:op,conv2d:dtype=float32;case=sequence-attributes',
      'hearth:op,matmul:dtype=float32;case=large-inner',
    ];
    for (const id of want) expect(ids.has(id), id).toBe(true);
    expect(PROPERTY_RUNS).toBeGreaterThanOrEqual(100);
  });

  it('runs a sequence case\'s follow-up calls on the same op and input shapes, with other attributes or values', () => {
    const seqs = allCases().filter((c): c is OpCase => c.kind === 'reference' && !!c.then?.length);
    expect(seqs.length).toBeGreaterThan(50);
    for (const c of seqs) {
      for (const f of c.then!) expect(f.inputs.map((t) => t.shape), c.id).toEqual(c.inputs.map((t) => t.shape));
    }
  });
});
