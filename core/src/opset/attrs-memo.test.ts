import { describe, expect, it } from 'vitest';
import { attr, parseAttrs } from './attrs.js';
import { getOp } from './index.js';

const reshape = getOp('reshape');
const transpose = getOp('transpose');

describe('parseAttrs of the same attrs object again', () => {
  it('a deeply frozen object parses once: the same frozen result every time', () => {
    const given = Object.freeze({ shape: Object.freeze([2, -1]) });
    const first = parseAttrs('reshape', reshape.attrs, given);
    expect(first).toEqual({ shape: [2, -1] });
    expect(parseAttrs('reshape', reshape.attrs, given)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('a frozen object holding a list the caller can still change is parsed anew: never a stale value', () => {
    const shape = [2, 3];
    const given = Object.freeze({ shape });
    expect(parseAttrs('reshape', reshape.attrs, given)['shape']).toEqual([2, 3]);
    shape[1] = 4;
    expect(parseAttrs('reshape', reshape.attrs, given)['shape']).toEqual([2, 4]);
  });

  it('a mutable object is parsed anew after each change', () => {
    const given: Record<string, unknown> = { shape: [6] };
    expect(parseAttrs('reshape', reshape.attrs, given)['shape']).toEqual([6]);
    given['shape'] = [3, 2];
    expect(parseAttrs('reshape', reshape.attrs, given)['shape']).toEqual([3, 2]);
  });

  it('one frozen object given to two ops is parsed against each op\'s own specs', () => {
    const specs = { axis: attr.int({ default: 0 }) };
    const given = Object.freeze({ perm: null });
    expect(parseAttrs('transpose', transpose.attrs, given)).toEqual({ perm: null });
    expect(() => parseAttrs('other', specs, given)).toThrow(expect.objectContaining({ code: 'E_ATTR' }));
    expect(parseAttrs('transpose', transpose.attrs, given)).toEqual({ perm: null });
  });

  it('a frozen object that fails to parse fails every time', () => {
    const given = Object.freeze({ shape: Object.freeze(['x']) });
    expect(() => parseAttrs('reshape', reshape.attrs, given)).toThrow(expect.objectContaining({ code: 'E_ATTR' }));
    expect(() => parseAttrs('reshape', reshape.attrs, given)).toThrow(expect.objectContaining({ code: 'E_ATTR' }));
  });
});

describe('parseAttrs of no attributes', () => {
  it('gives every default, each time, and a required one is an error each time', () => {
    const specs = Object.freeze({ axis: attr.int({ default: -1 }), shape: attr.int() });
    expect(() => parseAttrs('op', specs, undefined)).toThrow(expect.objectContaining({ code: 'E_ATTR' }));
    expect(() => parseAttrs('op', specs, undefined)).toThrow(expect.objectContaining({ code: 'E_ATTR' }));
    const optional = Object.freeze({ axis: attr.int({ default: -1 }) });
    expect(parseAttrs('op', optional, undefined)).toEqual({ axis: -1 });
    expect(parseAttrs('op', optional, undefined)).toEqual({ axis: -1 });
  });
});
