import { specials } from './data.js';
import type { OpSpec, SpecContext } from './spec.js';

/** Few distinct values, so ties are common; NaN, ±Inf and ±0 for floats. */
function ties(c: SpecContext, name: string, shape: number[]) {
  const r = c.rng(name);
  const pool = c.float ? [-1, 0, -0, 1, 2, NaN, Infinity, -Infinity] : [-1, 0, 1, 2];
  return c.t(shape, Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => pool[Math.floor(r.next() * pool.length)]!));
}

/** Specs of cumsum and topk. */
export const SCAN_SPECS: Record<string, OpSpec> = {
  cumsum: {
    cases: (c) => [
      c.sample('basic', [c.rand('b', [2, 5])], { axis: 1 }),
      c.sample('axis0', [c.rand('a0', [4, 3])], { axis: 0 }),
      c.ref('exclusive', [c.rand('ex', [3, 4])], { axis: 1, exclusive: true }),
      c.ref('reverse', [c.rand('rv', [3, 4])], { axis: -1, reverse: true }),
      c.ref('exclusive-reverse', [c.rand('er', [2, 3, 4])], { axis: 1, exclusive: true, reverse: true }),
      c.ref('scalar-axis', [c.rand('s', [5])], { axis: -1 }),
      c.ref('empty', [c.t([0, 3], [])], { axis: 0 }),
      c.ref('specials', [c.t([specials(c.dtype).length], specials(c.dtype))], { axis: 0 }),
      c.ref('long-4097', [c.lazyRand('long', [4097])], { axis: 0 }),
      ...(c.dtype === 'int32' ? [c.ref('int32-wrap', [c.t([4], [2 ** 31 - 1, 1, -(2 ** 31), -5])], { axis: 0 })] : []),
    ],
    errors: (c) => [c.err('axis-out-of-range', [c.rand('e', [2, 3])], { axis: 2 }, 'E_AXIS')],
  },
  topk: {
    cases: (c) => [
      c.sample('basic', [c.rand('b', [2, 6])], { k: 3 }),
      c.sample('smallest', [c.rand('s', [2, 6])], { k: 2, largest: false }),
      c.ref('axis0', [c.rand('a0', [5, 3])], { k: 5, axis: 0 }),
      c.ref('ties', [ties(c, 't', [4, 9])], { k: 9, axis: 1 }),
      c.ref('ties-smallest', [ties(c, 'ts', [4, 9])], { k: 9, axis: 1, largest: false }),
      c.ref('ties-middle-axis', [ties(c, 'tm', [2, 7, 3])], { k: 4, axis: 1 }),
      c.ref('k0', [c.rand('k0', [3, 4])], { k: 0 }),
      c.ref('specials', [c.t([specials(c.dtype).length], specials(c.dtype))], { k: specials(c.dtype).length }),
      c.ref('long-4097', [c.lazyRand('long', [4097])], { k: 17 }),
    ],
    errors: (c) => [
      c.err('k-too-large', [c.rand('e', [2, 3])], { k: 4 }, 'E_ATTR'),
      c.err('axis-out-of-range', [c.rand('e', [2, 3])], { k: 1, axis: 2 }, 'E_AXIS'),
      c.err('scalar', [c.rand('e', [])], { k: 0 }, 'E_AXIS'),
    ],
  },
};
