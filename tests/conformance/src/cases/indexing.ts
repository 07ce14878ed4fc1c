import { tensor } from './data.js';
import type { OpSpec, SpecContext } from './spec.js';

/** Distinct values, with NaN and -0 for floats, so any misplaced element shows. */
function data(c: SpecContext, name: string, shape: number[]) {
  const t = c.rand(name, shape, -100, 100);
  if (!c.float || t.data.length < 3) return t;
  const d = t.data.slice();
  d[1] = NaN;
  d[2] = -0;
  return c.t(shape, d);
}

/** int32 indices in [-n, n) of a shape, seeded by name. */
function indices(c: SpecContext, name: string, shape: number[], n: number) {
  const r = c.rng(name);
  return tensor('int32', shape, Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => r.int(-n, n - 1)));
}

/** Specs of gather_elements and tile: exact. */
export const INDEXING_SPECS: Record<string, OpSpec> = {
  gather_elements: {
    cases: (c) => [
      c.sample('basic', [data(c, 'b', [3, 4]), indices(c, 'bi', [3, 4], 4)], { axis: 1 }),
      c.sample('axis0', [data(c, 'a0', [3, 4]), indices(c, 'a0i', [2, 4], 3)], { axis: 0 }),
      c.ref('smaller-indices', [data(c, 's', [4, 5, 3]), indices(c, 'si', [2, 7, 1], 5)], { axis: 1 }),
      c.ref('negative-axis', [data(c, 'n', [2, 3, 4]), indices(c, 'ni', [2, 3, 2], 4)], { axis: -1 }),
      c.ref('empty-indices', [data(c, 'e', [2, 3]), tensor('int32', [2, 0], [])], { axis: 1 }),
      c.ref('rank1', [data(c, 'r1', [6]), indices(c, 'r1i', [9], 6)]),
    ],
    errors: (c) => [
      c.err('out-of-range', [data(c, 'e', [2, 3]), tensor('int32', [2, 1], [0, 3])], { axis: 1 }, 'E_INDEX_OUT_OF_RANGE', true),
      c.err('rank-mismatch', [data(c, 'e', [2, 3]), tensor('int32', [2], [0, 1])], { axis: 0 }, 'E_SHAPE'),
      c.err('too-large', [data(c, 'e', [2, 3]), tensor('int32', [3, 1], [0, 0, 0])], { axis: 1 }, 'E_SHAPE'),
      c.err('axis-out-of-range', [data(c, 'e', [2, 3]), tensor('int32', [2, 3], [0, 0, 0, 0, 0, 0])], { axis: 2 }, 'E_AXIS'),
    ],
  },
  tile: {
    cases: (c) => [
      c.sample('basic', [data(c, 'b', [2, 3])], { repeats: [2, 3] }),
      c.ref('ones', [data(c, 'o', [2, 3])], { repeats: [1, 1] }),
      c.ref('zero', [data(c, 'z', [2, 3])], { repeats: [0, 2] }),
      c.ref('rank3', [data(c, 'r3', [2, 1, 3])], { repeats: [1, 4, 2] }),
      c.ref('scalar', [data(c, 's', [])], { repeats: [] }),
      c.ref('empty', [c.t([0, 2], [])], { repeats: [3, 2] }),
    ],
    errors: (c) => [c.err('wrong-length', [data(c, 'e', [2, 3])], { repeats: [2] }, 'E_ATTR'), c.err('negative', [data(c, 'e', [2, 3])], { repeats: [1, -1] }, 'E_ATTR')],
  },
};
