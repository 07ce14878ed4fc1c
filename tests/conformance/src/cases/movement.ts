import { RANK8 } from './data.js';
import type { OpSpec, SpecContext } from './spec.js';

/** Data that shows any reordering: distinct values, plus NaN and -0 for floats (moved bit-exactly). */
function data(c: SpecContext, name: string, shape: number[]) {
  const t = c.rand(name, shape, -100, 100);
  if (!c.float || t.data.length < 4) return t;
  const d = t.data.slice();
  d[1] = NaN;
  d[2] = -0;
  d[3] = -Infinity;
  return c.t(shape, d);
}

/** Specs of reshape, transpose, slice, concat, expand, gather and pad: all exact. */
export const MOVEMENT_SPECS: Record<string, OpSpec> = {
  reshape: {
    cases: (c) => [
      c.sample('basic', [data(c, 'b', [2, 3])], { shape: [3, 2] }),
      c.ref('infer', [data(c, 'i', [2, 3, 4])], { shape: [4, -1] }),
      c.ref('to-scalar', [data(c, 's', [1, 1])], { shape: [] }),
      c.ref('from-scalar', [data(c, 'fs', [])], { shape: [1, 1, 1] }),
      c.ref('empty', [data(c, 'e', [0, 3])], { shape: [3, 0] }),
      c.ref('rank6', [data(c, 'r6', [24])], { shape: [1, 2, 1, 3, 2, 2] }),
      c.ref('rank8', [data(c, 'r8', [6, 8])], { shape: [...RANK8] }),
    ],
    errors: (c) => [
      c.err('size-mismatch', [data(c, 'e', [2, 3])], { shape: [4] }, 'E_SHAPE'),
      c.err('two-holes', [data(c, 'e', [2, 3])], { shape: [-1, -1] }, 'E_SHAPE'),
    ],
  },
  transpose: {
    cases: (c) => [
      c.sample('default-2d', [data(c, 'b', [2, 3])]),
      c.sample('perm-102', [data(c, 'p', [2, 3, 4])], { perm: [1, 0, 2] }),
      c.ref('perm-201', [data(c, 'p201', [2, 3, 4])], { perm: [2, 0, 1] }),
      c.ref('perm-120', [data(c, 'p120', [2, 3, 4])], { perm: [1, 2, 0] }),
      c.ref('negative-perm', [data(c, 'np', [2, 3, 4])], { perm: [-1, 0, 1] }),
      c.ref('default-3d', [data(c, 'd3', [2, 3, 4])]),
      c.ref('rank6', [data(c, 'r6', [2, 1, 3, 2, 1, 2])], { perm: [5, 3, 0, 4, 2, 1] }),
      c.ref('empty', [data(c, 'e', [2, 0, 3])], { perm: [2, 0, 1] }),
      c.ref('scalar', [data(c, 's', [])]),
      c.ref('size-17x33', [data(c, 's17', [17, 33])]),
      c.ref('rank8', [data(c, 'r8', [...RANK8])], { perm: [7, 0, 6, 1, 5, 2, -4, 3] }),
      c.sequence('perm', [{ perm: [1, 2, 0] }, { perm: [2, 0, 1] }, {}, { perm: [0, 2, 1] }].map((attrs, k) => ({ inputs: [data(c, `seq${k}`, [2, 3, 4])], attrs }))),
    ],
    errors: (c) => [c.err('not-a-permutation', [data(c, 'e', [2, 3])], { perm: [0, 0] }, ['E_ATTR', 'E_AXIS'])],
  },
  slice: {
    cases: (c) => [
      c.sample('basic', [data(c, 'b', [4, 5])], { starts: [1, 0], ends: [3, 4] }),
      c.ref('negative-indices', [data(c, 'n', [4, 5])], { starts: [-3], ends: [-1], axes: [1] }),
      c.ref('step2', [data(c, 's2', [7, 3])], { starts: [0], ends: [7], steps: [2] }),
      c.ref('negative-step', [data(c, 'ns', [6, 2])], { starts: [-1], ends: [-100], axes: [0], steps: [-2] }),
      c.ref('clamped', [data(c, 'c', [3, 3])], { starts: [-100, 1], ends: [100, 100] }),
      c.ref('empty-result', [data(c, 'er', [3, 3])], { starts: [2], ends: [1] }),
      c.ref('rank6', [data(c, 'r6', [2, 3, 2, 3, 2, 2])], { starts: [1, 0, 1], ends: [3, 2, 2], axes: [1, 3, 4] }),
      c.ref('negative-axes', [data(c, 'na', [4, 5, 6])], { starts: [1, -4], ends: [-1, 100], axes: [-1, -3], steps: [2, 1] }),
      c.ref('negative-axis-negative-step', [data(c, 'nans', [5, 6])], { starts: [-2], ends: [0], axes: [-2], steps: [-1] }),
      c.ref('rank8', [data(c, 'r8', [...RANK8])], { starts: [1, 1], ends: [3, 2], axes: [4, -1] }),
      c.sequence('attributes', [{ starts: [1], ends: [3] }, { starts: [1], ends: [3], axes: [1] }, { starts: [3], ends: [0], steps: [-1] }, { starts: [0, 1], ends: [4, 4], steps: [2, 2] }].map((attrs, k) => ({ inputs: [data(c, `seq${k}`, [4, 5])], attrs }))),
    ],
    errors: (c) => [
      c.err('zero-step', [data(c, 'e', [3])], { starts: [0], ends: [3], steps: [0] }, 'E_ATTR'),
      c.err('length-mismatch', [data(c, 'e', [3])], { starts: [0], ends: [3, 1] }, 'E_ATTR'),
    ],
  },
  concat: {
    cases: (c) => [
      c.sample('axis0', [data(c, 'a', [2, 3]), data(c, 'b', [1, 3])]),
      c.ref('axis1', [data(c, 'a1', [2, 3]), data(c, 'b1', [2, 2])], { axis: 1 }),
      c.ref('three-inputs-negative-axis', [data(c, 'x', [2, 1]), data(c, 'y', [2, 3]), data(c, 'z', [2, 2])], { axis: -1 }),
      c.ref('empty-input', [data(c, 'e1', [0, 3]), data(c, 'e2', [2, 3])]),
      c.ref('single', [data(c, 's', [2, 2])]),
      c.ref('rank6', [data(c, 'r1', [1, 2, 1, 2, 1, 2]), data(c, 'r2', [1, 2, 1, 1, 1, 2])], { axis: 3 }),
      c.ref('negative-axis-middle', [data(c, 'nm1', [2, 3, 4]), data(c, 'nm2', [2, 1, 4]), data(c, 'nm3', [2, 2, 4])], { axis: -2 }),
      c.ref('axis0-sizes-17-33', [data(c, 'a17', [17, 3]), data(c, 'a33', [33, 3])], { axis: -2 }),
      c.ref('rank8', [data(c, 'r81', [...RANK8]), data(c, 'r82', [2, 1, 2, 1, 3, 1, 2, 1])], { axis: 7 }),
      c.sequence('axis', [{ axis: 0 }, { axis: 1 }, { axis: -1 }].map((attrs, k) => ({ inputs: [data(c, `seq${k}:a`, [2, 2]), data(c, `seq${k}:b`, [2, 2])], attrs }))),
      ...(c.dtype === 'float32' ? [c.ref('promote-int32', [c.t([2], [1, 2], 'int32'), data(c, 'p', [3])])] : []),
    ],
    errors: (c) => [
      c.err('shape-mismatch', [data(c, 'e', [2, 3]), data(c, 'e', [2, 2])], undefined, 'E_SHAPE'),
      c.err('scalars', [data(c, 'e', []), data(c, 'e', [])], undefined, 'E_SHAPE'),
    ],
  },
  expand: {
    cases: (c) => [
      c.sample('row', [data(c, 'r', [3])], { shape: [2, 3] }),
      c.ref('column', [data(c, 'c', [2, 1])], { shape: [2, 4] }),
      c.ref('keep-minus-one', [data(c, 'k', [2, 1])], { shape: [3, -1, 2] }),
      c.ref('scalar', [data(c, 's', [])], { shape: [2, 2] }),
      c.ref('to-empty', [data(c, 'e', [1, 3])], { shape: [0, 3] }),
      c.ref('rank6', [data(c, 'r6', [2, 1, 3])], { shape: [2, 1, 2, 2, 2, 3] }),
      c.ref('rank8', [data(c, 'r8', [2, 1, 3, 1, 2])], { shape: [1, 2, 2, 1, 3, 2, 2] }),
    ],
    errors: (c) => [c.err('not-broadcastable', [data(c, 'e', [3])], { shape: [2, 4] }, 'E_BROADCAST'), c.err('lower-rank', [data(c, 'e', [2, 3])], { shape: [3] }, 'E_SHAPE')],
  },
  gather: {
    cases: (c) => [
      c.sample('axis0', [data(c, 'a', [4, 3]), c.t([2], [3, 1], 'int32')]),
      c.ref('axis1', [data(c, 'a1', [2, 4]), c.t([3], [0, 3, 3], 'int32')], { axis: 1 }),
      c.ref('negative-indices', [data(c, 'n', [5]), c.t([3], [-1, -5, 2], 'int32')]),
      c.ref('indices-2d', [data(c, 'i2', [3, 2]), c.t([2, 2], [2, 0, 1, 2], 'int32')]),
      c.ref('scalar-index', [data(c, 's', [3, 4]), c.t([], [2], 'int32')], { axis: 1 }),
      c.ref('empty-indices', [data(c, 'e', [3, 2]), c.t([0], [], 'int32')]),
      c.ref('rank6', [data(c, 'r6', [1, 2, 3, 1, 2, 1]), c.t([2], [2, 0], 'int32')], { axis: 2 }),
      c.ref('negative-axis', [data(c, 'na', [3, 4, 2]), c.t([3], [3, -1, 0], 'int32')], { axis: -2 }),
      c.ref('negative-last-axis', [data(c, 'nl', [2, 17]), c.t([2, 2], [16, -17, 8, 0], 'int32')], { axis: -1 }),
      c.ref('rank8', [data(c, 'r8', [...RANK8]), c.t([3], [2, 0, -1], 'int32')], { axis: -4 }),
      c.sequence('axis', [{ axis: 0 }, { axis: 1 }, { axis: -1 }].map((attrs, k) => ({ inputs: [data(c, `seq${k}`, [3, 3]), c.t([2], [2, 0], 'int32')], attrs }))),
    ],
    errors: (c) => [
      c.err('index-out-of-range', [data(c, 'e', [3]), c.t([2], [0, 3], 'int32')], undefined, 'E_INDEX_OUT_OF_RANGE', true),
    ],
  },
  pad: {
    cases: (c) => {
      const value = c.dtype === 'bool' ? 1 : c.dtype === 'int32' ? -7 : 2.5;
      const out = [
        c.sample('constant', [data(c, 'c', [2, 3])], { pads: [1, 0, 2, 1], value }),
        c.ref('reflect', [data(c, 'r', [3, 4])], { pads: [2, 1, 1, 3], mode: 'reflect' }),
        c.ref('edge', [data(c, 'e', [2, 3])], { pads: [2, 2, 0, 3], mode: 'edge' }),
        c.ref('zero-pads', [data(c, 'z', [2, 2])], { pads: [0, 0, 0, 0] }),
        c.ref('empty-axis-constant', [data(c, 'ea', [0, 2])], { pads: [1, 1, 0, 0] }),
        c.ref('rank3', [data(c, 'r3', [2, 2, 2])], { pads: [0, 1, 1, 0, 1, 1], value }),
        c.ref('asymmetric-reflect', [data(c, 'ar', [4, 5])], { pads: [3, 0, 0, 4], mode: 'reflect' }),
        c.ref('rank8', [data(c, 'r8', [...RANK8])], { pads: [0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1], value }),
        c.sequence('attributes', [{ pads: [1, 0, 0, 2], value }, { pads: [1, 0, 0, 2], mode: 'reflect' }, { pads: [1, 0, 0, 2], mode: 'edge' }, { pads: [0, 1, 2, 0], value }].map((attrs, k) => ({ inputs: [data(c, `seq${k}`, [3, 4])], attrs }))),
      ];
      if (c.float) out.push(c.ref('nan-value', [data(c, 'nv', [2])], { pads: [1, 1], value: NaN }));
      return out;
    },
    errors: (c) => [
      c.err('reflect-too-wide', [data(c, 'e', [2, 3])], { pads: [2, 0, 0, 0], mode: 'reflect' }, 'E_ATTR'),
      c.err('pads-length', [data(c, 'e', [2, 3])], { pads: [1, 1] }, 'E_ATTR'),
    ],
  },
};

/** Specs of the creation ops: the dtype is the output dtype; `full`'s value must fit it as tensor() requires, arange's values convert as cast does. */
export const CREATION_SPECS: Record<string, OpSpec> = {
  full: {
    cases(c) {
      // int32 takes only integers in range (anything else is E_ARG, the rule tensor() follows).
      const values = c.dtype === 'bool' ? [2, 0, NaN, -0.5] : c.dtype === 'int32' ? [-7, 2 ** 31 - 1, -(2 ** 31)] : [1.5, -0, NaN, -Infinity, 1e40, 0.1];
      return [
        c.sample('basic', [], { shape: [2, 3], value: 1, dtype: c.dtype }),
        ...values.map((v, i) => c.ref(`value-${i}`, [], { shape: [3], value: v, dtype: c.dtype })),
        c.ref('scalar', [], { shape: [], value: 1, dtype: c.dtype }),
        c.ref('empty', [], { shape: [0, 2], value: 1, dtype: c.dtype }),
        c.ref('rank6', [], { shape: [1, 2, 1, 2, 1, 2], value: 1, dtype: c.dtype }),
      ];
    },
    errors: (c) => [
      c.err('negative-dim', [], { shape: [-1, 2], dtype: c.dtype }, 'E_ATTR'),
      ...(c.dtype === 'int32'
        ? [3.7, NaN, 2 ** 31, -1e10].map((value, i) => c.err(`not-an-int32-${i}`, [], { shape: [2], value, dtype: c.dtype }, 'E_ARG'))
        : []),
    ],
  },
  arange: {
    cases(c) {
      const r = (name: string, start: number, stop: number, step: number) => c.ref(name, [], { start, stop, step, dtype: c.dtype });
      return [
        c.sample('basic', [], { start: 0, stop: 5, dtype: c.dtype }),
        r('fractional-step', 1, 2, 0.25),
        r('negative-step', 5, 0, -1.5),
        r('empty', 5, 0, 1),
        r('tenths', 0, 1, 0.1),
        r('fractional-start', 0.5, 5, 1),
        r('large', -1000, 1000, 7),
      ];
    },
    errors: (c) => [c.err('zero-step', [], { start: 0, stop: 3, step: 0, dtype: c.dtype }, 'E_ATTR'), c.err('infinite', [], { start: 0, stop: Infinity, dtype: c.dtype }, 'E_ATTR')],
  },
};

