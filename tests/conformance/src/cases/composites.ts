import { specials } from './data.js';
import type { Draft, OpSpec, SpecContext } from './spec.js';

/** An activation: random values, the dtype's special values, a wide range, and an attribute variant. */
function activation(attrs: Record<string, unknown> = {}): OpSpec {
  return {
    cases: (c) => [
      c.sample('basic', [c.rand('b', [2, 5])]),
      c.ref('special-values', [c.t([specials(c.dtype).length], specials(c.dtype))]),
      c.ref('wide', [c.rand('w', [4, 8], -40, 40)]),
      c.ref('small', [c.rand('s', [16], -1e-3, 1e-3)]),
      c.ref('empty', [c.t([0, 2], [])]),
      ...(Object.keys(attrs).length ? [c.ref('attrs', [c.rand('a', [3, 4])], attrs)] : []),
      ...(c.dtype === 'float32' ? [c.ref('int32-input', [c.t([5], [-3, -1, 0, 2, 7], 'int32')])] : []),
    ],
  };
}

/** A per-channel vector of `n` values in [lo, hi]. */
const channels = (c: SpecContext, name: string, n: number, lo = -2, hi = 2) => c.rand(name, [n], lo, hi);

/** A normalization of x [N, C, ...] with per-channel parameters; `extra` are the op's own attributes. */
function channelNorm(params: (c: SpecContext, n: number, name: string) => ReturnType<SpecContext['rand']>[], extra: Record<string, unknown> = {}): OpSpec {
  const call = (c: SpecContext, name: string, shape: number[], attrs: Record<string, unknown> = extra, kind: 'sample' | 'ref' = 'ref'): Draft =>
    (kind === 'sample' ? c.sample.bind(c) : c.ref.bind(c))(name, [c.rand(name, shape), ...params(c, shape[1]!, name)], attrs);
  return {
    cases: (c) => [
      call(c, 'basic', [2, 4, 3, 3], extra, 'sample'),
      call(c, 'rank3', [2, 4, 5]),
      call(c, 'rank5', [1, 4, 2, 2, 3]),
      call(c, 'epsilon', [1, 4, 2, 2], { ...extra, epsilon: 0.5 }),
      c.ref('constant-plane', [c.t([1, 4, 1, 2], [3, 3, -1, -1, 0, 0, 2, 2]), ...params(c, 4, 'cp')], extra),
      c.ref('large-offset', [c.rand('lo', [1, 4, 2, 3], 1000, 1001), ...params(c, 4, 'lo')], extra),
      c.ref('nan', [c.t([1, 4, 1, 2], [NaN, 1, 2, 3, 4, 5, 6, 7]), ...params(c, 4, 'nan')], extra),
    ],
    errors: (c) => [
      c.err('param-shape', [c.rand('e', [1, 4, 2, 2]), ...params(c, 3, 'e')], extra, 'E_SHAPE'),
      c.err('rank1', [c.rand('e', [4]), ...params(c, 4, 'e1')], extra, 'E_SHAPE'),
    ],
  };
}

const scaleBias = (c: SpecContext, n: number, name: string) => [channels(c, `${name}:s`, n), channels(c, `${name}:b`, n)];

/** Specs of the composites: each checked against its decomposition, evaluated by the suite's float64 oracles. */
export const COMPOSITE_SPECS: Record<string, OpSpec> = {
  layer_norm: {
    cases: (c) => [
      c.sample('basic', [c.rand('b', [3, 8])]),
      c.sample('scale-bias', [c.rand('sb', [2, 3, 6]), c.rand('sbs', [6]), c.rand('sbb', [6])]),
      c.ref('axis1', [c.rand('a1', [2, 3, 4]), c.rand('a1s', [3, 4]), c.rand('a1b', [4])], { axis: 1 }),
      c.ref('axis0', [c.rand('a0', [3, 4])], { axis: 0, epsilon: 1e-3 }),
      c.ref('scale-only', [c.rand('so', [4, 5]), c.rand('sos', [5])]),
      c.ref('constant-row', [c.t([2, 3], [2, 2, 2, -1, 0, 1])]),
      c.ref('large-offset', [c.rand('lo', [2, 16], 1000, 1001)]),
      c.ref('long-row', [c.lazyRand('lr', [2, 1025])]),
      c.ref('nan-row', [c.t([2, 3], [NaN, 1, 2, 3, 4, 5])]),
    ],
    errors: (c) => [
      c.err('scale-shape', [c.rand('e', [2, 3]), c.rand('es', [2])], undefined, ['E_SHAPE', 'E_BROADCAST']),
      c.err('axis-out-of-range', [c.rand('e', [2, 3])], { axis: 2 }, 'E_AXIS'),
    ],
  },
  batch_norm: channelNorm((c, n, name) => [...scaleBias(c, n, name), channels(c, `${name}:m`, n), channels(c, `${name}:v`, n, 0.1, 3)]),
  instance_norm: {
    ...channelNorm(scaleBias),
    errors: (c) => [c.err('param-shape', [c.rand('e', [1, 4, 2, 2]), ...scaleBias(c, 3, 'e')], undefined, 'E_SHAPE'), c.err('rank2', [c.rand('e', [2, 4]), ...scaleBias(c, 4, 'e2')], undefined, 'E_SHAPE')],
  },
  group_norm: {
    ...channelNorm(scaleBias, { numGroups: 2 }),
    errors: (c) => [
      c.err('groups-indivisible', [c.rand('e', [1, 4, 2, 2]), ...scaleBias(c, 4, 'e')], { numGroups: 3 }, 'E_ATTR'),
      c.err('param-shape', [c.rand('e', [1, 4, 2, 2]), ...scaleBias(c, 2, 'e2')], { numGroups: 2 }, 'E_SHAPE'),
    ],
  },
  clip: {
    cases: (c) => [
      c.sample('both', [c.rand('b', [2, 5])], { min: -1, max: 2 }),
      c.ref('min-only', [c.rand('mi', [8])], { min: 0.5 }),
      c.ref('max-only', [c.rand('ma', [8])], { max: -0.5 }),
      c.ref('none', [c.rand('n', [6])]),
      c.ref('min-above-max', [c.rand('mm', [6])], { min: 3, max: 1 }),
      c.ref('special-values', [c.t([specials(c.dtype).length], specials(c.dtype))], { min: -1, max: 1 }),
      c.ref('infinite-bounds', [c.rand('inf', [6])], { min: -Infinity, max: Infinity }),
      ...(c.dtype === 'int32' ? [c.ref('int32-fractional-bounds', [c.t([5], [-3, -1, 0, 2, 7])], { min: -1.5, max: 2.5 })] : []),
    ],
  },
  hard_sigmoid: activation({ alpha: 0.5, beta: 0.25 }),
  hard_swish: activation(),
  leaky_relu: activation({ alpha: 0.3 }),
  elu: activation({ alpha: 0.5 }),
  softplus: activation(),
  softsign: activation(),
  silu: activation(),
  gelu_tanh: activation(),
  linear: {
    cases: (c) => [
      c.sample('basic', [c.rand('a', [3, 4]), c.rand('b', [4, 5])]),
      c.sample('bias', [c.rand('ba', [3, 4]), c.rand('bb', [4, 5]), c.rand('bc', [5])]),
      c.ref('trans-a', [c.rand('ta', [4, 3]), c.rand('tb', [4, 2]), c.rand('tc', [3, 2])], { transA: true, alpha: 0.5, beta: 2 }),
      c.ref('trans-b', [c.rand('tba', [3, 4]), c.rand('tbb', [6, 4]), c.rand('tbc', [3, 1])], { transB: true }),
      c.ref('trans-both', [c.rand('tta', [4, 2]), c.rand('ttb', [5, 4]), c.rand('ttc', [])], { transA: true, transB: true, alpha: -1, beta: 0 }),
      c.ref('empty-k', [c.t([2, 0], []), c.t([0, 3], []), c.rand('ek', [3])]),
    ],
    errors: (c) => [
      c.err('inner-mismatch', [c.rand('e', [2, 3]), c.rand('e2', [4, 2])], undefined, 'E_SHAPE'),
      c.err('rank3', [c.rand('e', [2, 2, 3]), c.rand('e2', [3, 2])], undefined, 'E_SHAPE'),
      c.err('bias-shape', [c.rand('e', [2, 3]), c.rand('e2', [3, 4]), c.rand('e3', [3])], undefined, ['E_SHAPE', 'E_BROADCAST']),
    ],
  },
  ...Object.fromEntries(
    (['global_avg_pool2d', 'global_max_pool2d'] as const).map((op) => [
      op,
      {
        cases: (c: SpecContext) => [
          c.sample('basic', [c.rand('b', [2, 3, 4, 5])]),
          c.ref('one-pixel', [c.rand('o', [1, 2, 1, 1])]),
          c.ref('nan', [c.t([1, 2, 2, 1], [1, NaN, 3, 4])]),
          c.ref('large-plane', [c.lazyRand('lp', [1, 2, 64, 65])]),
        ],
        errors: (c: SpecContext) => [c.err('rank3', [c.rand('e', [2, 3, 4])], undefined, 'E_SHAPE')],
      } satisfies OpSpec,
    ]),
  ),
  squeeze: {
    cases: (c) => [
      c.sample('all', [c.rand('a', [1, 3, 1, 2])]),
      c.ref('listed', [c.rand('l', [1, 3, 1, 2])], { axes: [2] }),
      c.ref('negative', [c.rand('n', [2, 1])], { axes: [-1] }),
      c.ref('to-scalar', [c.rand('s', [1, 1])]),
    ],
    errors: (c) => [c.err('not-one', [c.rand('e', [2, 3])], { axes: [0] }, 'E_SHAPE'), c.err('axis-out-of-range', [c.rand('e', [1, 3])], { axes: [2] }, 'E_AXIS')],
  },
  unsqueeze: {
    cases: (c) => [
      c.sample('front', [c.rand('f', [2, 3])], { axes: [0] }),
      c.ref('several', [c.rand('s', [2, 3])], { axes: [0, 2, -1] }),
      c.ref('scalar', [c.rand('sc', [])], { axes: [0] }),
    ],
    errors: (c) => [c.err('repeated', [c.rand('e', [2])], { axes: [0, 0] }, 'E_AXIS'), c.err('out-of-range', [c.rand('e', [2])], { axes: [3] }, 'E_AXIS')],
  },
  flatten: {
    cases: (c) => [
      c.sample('default', [c.rand('d', [2, 3, 4])]),
      c.ref('axis0', [c.rand('a0', [2, 3])], { axis: 0 }),
      c.ref('axis-rank', [c.rand('ar', [2, 3])], { axis: 2 }),
      c.ref('negative', [c.rand('n', [2, 3, 4])], { axis: -1 }),
    ],
    errors: (c) => [c.err('axis-out-of-range', [c.rand('e', [2, 3])], { axis: 3 }, 'E_AXIS')],
  },
};
