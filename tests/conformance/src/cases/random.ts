import type { OpSpec } from './spec.js';

/** Specs of the seeded random creation ops: the values are the generator's, identical on every backend. */
export const RANDOM_SPECS: Record<string, OpSpec> = {
  random_uniform: {
    cases: (c) => [
      c.sample('basic', [], { shape: [2, 3], seed: 0, dtype: c.dtype }),
      c.ref('seed-42', [], { shape: [4, 5], seed: 42, dtype: c.dtype }),
      c.ref('seed-above-2p32', [], { shape: [7], seed: 2 ** 40 + 12345, dtype: c.dtype }),
      c.ref('range', [], { shape: [9], seed: 7, low: -3, high: 5, dtype: c.dtype }),
      c.ref('empty', [], { shape: [0, 4], seed: 1, dtype: c.dtype }),
      c.ref('scalar', [], { shape: [], seed: 3, dtype: c.dtype }),
      c.ref('size-4097', [], { shape: [4097], seed: 99, dtype: c.dtype }),
    ],
    errors: (c) => [
      c.err('low-above-high', [], { shape: [2], seed: 0, low: 2, high: 1, dtype: c.dtype }, 'E_ATTR'),
      c.err('negative-seed', [], { shape: [2], seed: -1, dtype: c.dtype }, 'E_ATTR'),
      c.err('int32', [], { shape: [2], seed: 0, dtype: 'int32' }, 'E_DTYPE'),
    ],
  },
  random_normal: {
    cases: (c) => [
      c.sample('basic', [], { shape: [2, 3], seed: 0, dtype: c.dtype }),
      c.ref('seed-42-odd', [], { shape: [3, 3], seed: 42, dtype: c.dtype }),
      c.ref('seed-above-2p32', [], { shape: [6], seed: 2 ** 45 + 1, dtype: c.dtype }),
      c.ref('mean-std', [], { shape: [10], seed: 5, mean: 3, std: 0.5, dtype: c.dtype }),
      c.ref('std-zero', [], { shape: [4], seed: 5, mean: -1, std: 0, dtype: c.dtype }),
      c.ref('size-4097', [], { shape: [4097], seed: 11, dtype: c.dtype }),
    ],
    errors: (c) => [c.err('negative-std', [], { shape: [2], seed: 0, std: -1, dtype: c.dtype }, 'E_ATTR'), c.err('infinite-mean', [], { shape: [2], seed: 0, mean: Infinity, dtype: c.dtype }, 'E_ATTR')],
  },
};
