import { ABOVE_2P24, cycle, lazyTensor, LARGE_REDUCTION, LARGE_ROW, RANK8, THREAD_REDUCTION, THREAD_ROWS } from './data.js';
import type { Draft, OpSpec, SpecContext } from './spec.js';

const NAN_ROWS = (c: SpecContext) =>
  c.float
    ? [c.ref('special-values', [c.t([4, 3], [1, NaN, 3, Infinity, 1, 2, -Infinity, -1, 5, Infinity, -Infinity, 0])], { axes: [1] })]
    : [c.ref('int32-limits', [c.t([2, 3], [2 ** 31 - 1, 1, 5, -(2 ** 31), -1, 3])], { axes: [1] })];

/** sum, mean, max, min, prod: axes patterns, keepdims, rank 6, empty axes, long rows, special values. */
function reduction(op: string): OpSpec {
  const nonEmpty = op === 'max' || op === 'min';
  const [lo, hi] = op === 'prod' ? [0.5, 1.5] : [-5, 5];
  return {
    cases(c) {
      const x = (name: string, shape: number[]) => c.rand(name, shape, lo, hi);
      const out: Draft[] = [
        c.sample('all-axes', [x('all', [2, 3])]),
        c.sample('axis0', [x('a0', [2, 3])], { axes: [0] }),
        c.ref('axis-last-keepdims', [x('a1', [2, 3])], { axes: [-1], keepdims: true }),
        c.ref('axes-0-2', [x('a02', [2, 3, 4])], { axes: [0, 2] }),
        c.ref('all-keepdims', [x('allk', [2, 3])], { keepdims: true }),
        c.ref('rank6', [x('r6', [2, 1, 2, 3, 1, 2])], { axes: [1, 3, 5] }),
        c.ref('scalar', [x('s', [])]),
        c.ref('long-row', [x('long', [3, 257])], { axes: [1] }),
        c.ref('empty-kept-axis', [x('ek', [0, 3])], { axes: [1] }),
        ...NAN_ROWS(c),
      ];
      // Axes patterns: leading, middle, several, all, none; negative axes; past fast-path sizes; rank 8.
      out.push(
        c.ref('leading-axis-17', [x('lead', [17, 9])], { axes: [0] }),
        c.ref('middle-axis', [x('mid', [3, 5, 4])], { axes: [1] }),
        c.ref('several-axes-rank4', [x('sev', [3, 2, 4, 5])], { axes: [0, 1, 3] }),
        c.ref('negative-axes', [x('neg', [2, 3, 4])], { axes: [-3, -1] }),
        c.ref('negative-middle-axis', [x('negm', [3, 5, 4])], { axes: [-2], keepdims: true }),
        c.ref('axes-none', [x('none', [2, 3])], { axes: [] }),
        c.ref('row-4097', [x('r4097', [2, 4097])], { axes: [1] }),
        c.ref('all-65537', [x('a65537', [65537])]),
        c.ref('rank8', [x('r8', [...RANK8])], { axes: [0, 4, -1] }),
        // State between calls: one input shape, other axes each time (a plan cached per shape is wrong here).
        c.sequence('axes', [{ axes: [0] }, { axes: [1], keepdims: true }, { axes: [] }, {}, { axes: [-1] }].map((attrs, k) => ({ inputs: [x(`seq${k}`, [3, 4])], attrs }))),
      );
      if (c.dtype === 'int32') out.push(c.ref('int32-above-2p24', [c.t([ABOVE_2P24.length, 2], ABOVE_2P24.flat())], { axes: [1] }));
      // Large same-sign values: the exact sum or mean is finite, a float32 accumulator overflows on the way.
      if (c.dtype === 'float32' && (op === 'sum' || op === 'mean')) {
        const big = op === 'sum' ? [1e38, 1e38, 1e38, 1.2e38, 1.2e38, 1e38] : [3e38, 3e38, 3e38, -3e38, -3e38, -3e38];
        out.push(c.ref('large-same-sign', [c.t([2, 3], big)], { axes: [1] }));
      }
      if (c.dtype === 'float32') {
        // Thread splits: one reduction past 4 × 65,536 elements and rows claimed by threads. Integer inputs
        // (±1 for prod) whose sums float32 holds exactly: the bound is the final rounding, so a chunk or a
        // row left out fails. 16 lanes of ±3e38, one sign per row (mixed signs would make overflow depend
        // on the order): a float32 sum of lanes overflows where the exact mean doesn't.
        const ints = (name: string, shape: readonly number[]) => (op === 'prod' ? c.ints(name, shape, 0, 1) : c.ints(name, shape, 1, 3));
        const signs = (t: ReturnType<typeof ints>) => (op === 'prod' ? lazyTensor(t.dtype, t.shape, () => t.data.map((v) => (v ? 1 : -1))) : t);
        out.push(
          c.ref(`threads-${THREAD_REDUCTION}`, [signs(ints('threads', [THREAD_REDUCTION]))]),
          c.ref('threads-rows', [signs(ints('threads-rows', [...THREAD_ROWS]))], { axes: [-1] }),
          c.ref('lanes-near-max', [c.t([2, 16], [...cycle([3e38], 16), ...cycle([-3e38], 16)])], { axes: [-1] }),
        );
        if (op === 'sum') out.push(c.ref('threads-ones-262145', [lazyTensor('float32', [2 ** 18 + 1], () => new Array<number>(2 ** 18 + 1).fill(1))]));
      }
      // The large tier: more than 2^24 elements in one reduction, inputs of -1, 0 and 1 whose sums are exact
      // (int32 always; float32 while Σ|x| <= 2^24), so a dropped element or a zero answer shows.
      if (c.dtype === 'int32' && op === 'sum') out.push(c.large('all-axes', [c.lazyRand('large', [LARGE_REDUCTION], -1000, 1000)]));
      if (c.dtype === 'float32' && op === 'sum') out.push(c.large('all-axes', [c.ints('large', [LARGE_REDUCTION], -1, 1)]));
      if (c.dtype === 'float32' && op === 'mean') out.push(c.large('rows', [c.ints('large-rows', [2, LARGE_REDUCTION >> 1], -1, 1)], { axes: [-1] }));
      // 1 then 1,000 terms of 2^-53: a plain float64 sum loses every term (error 1000·u, inside the bound
      // γ_(n+2)·Σ|x|); a compensation applied with the wrong sign doubles that and falls outside it.
      if (c.dtype === 'float64' && op === 'sum') out.push(c.ref('half-ulp-tail', [c.t([1001], [1, ...new Array<number>(1000).fill(2 ** -53)])]));
      if (!nonEmpty) out.push(c.ref('empty-axis', [x('ea', [2, 0])], { axes: [1] }));
      if (c.dtype === 'float32' && op === 'mean') out.push(c.ref('int32-input', [c.t([2, 3], [1, 2, 4, -7, 0, 2 ** 30], 'int32')], { axes: [1] }));
      if (c.dtype === 'int32' && op === 'prod') out.push(c.ref('int32-wrap', [c.t([2, 3], [65536, 65536, 3, 46341, 46341, -1])], { axes: [1] }));
      return out;
    },
    errors(c) {
      const base = c.rand('e', [2, 3]);
      const out = [c.err('axis-out-of-range', [base], { axes: [2] }, 'E_AXIS'), c.err('axis-repeated', [base], { axes: [1, -1] }, 'E_AXIS')];
      if (nonEmpty) out.push(c.err('empty-axis', [c.rand('e', [2, 0])], { axes: [1] }, 'E_EMPTY'));
      return out;
    },
  };
}

/** argmax/argmin: ties (the first wins), NaN (counts as the extreme), flattened and per-axis. */
function argReduction(op: string): OpSpec {
  return {
    cases(c) {
      const ties = c.t([3, 4], [1, 3, 3, 2, 5, 5, 5, 5, -1, -3, -3, -1]);
      const out: Draft[] = [
        c.sample('flattened', [c.rand('f', [2, 3])]),
        c.sample('axis1', [c.rand('a1', [3, 4])], { axis: 1 }),
        c.ref('ties-axis1', [ties], { axis: 1 }),
        c.ref('ties-axis0', [ties], { axis: 0 }),
        c.ref('ties-flattened', [ties]),
        c.ref('keepdims', [c.rand('k', [2, 3, 2])], { axis: 1, keepdims: true }),
        c.ref('flattened-keepdims', [c.rand('fk', [2, 3])], { keepdims: true }),
        c.ref('rank6', [c.rand('r6', [2, 1, 3, 1, 2, 2])], { axis: -4 }),
        c.ref('scalar', [c.rand('s', [])]),
        c.ref('empty-kept-axis', [c.rand('e', [0, 3])], { axis: 1 }),
        c.ref('negative-axis', [c.rand('n', [3, 4, 2])], { axis: -2 }),
        c.ref('leading-axis-17', [c.rand('l17', [17, 9])], { axis: 0 }),
        c.ref('row-4097', [c.rand('r4097', [2, 4097], -1000, 1000)], { axis: -1 }),
        c.ref('rank8', [c.rand('r8', [...RANK8])], { axis: 4 }),
        c.sequence('axis', [{ axis: 0 }, { axis: 1 }, {}, { axis: -2, keepdims: true }].map((attrs, k) => ({ inputs: [c.rand(`seq${k}`, [3, 4])], attrs }))),
      ];
      if (c.dtype === 'int32') out.push(c.ref('int32-above-2p24', [c.t([ABOVE_2P24.length, 2], ABOVE_2P24.flat())], { axis: 1 }));
      if (c.dtype === 'float32' && op === 'argmax') out.push(c.large('flattened', [c.lazyRand('large', [LARGE_REDUCTION])]));
      // Thread splits, with ties across chunks (few distinct values: the first index must still win).
      if (c.dtype === 'float32') out.push(c.ref(`threads-${THREAD_REDUCTION}`, [c.ints('threads', [THREAD_REDUCTION], -50, 50)]), c.ref('threads-rows', [c.ints('threads-rows', [...THREAD_ROWS], -50, 50)], { axis: -1 }));
      if (c.float) {
        out.push(
          c.ref('nan', [c.t([3, 4], [1, NaN, 5, NaN, -Infinity, -Infinity, 0, -0, Infinity, 2, Infinity, NaN])], { axis: 1 }),
          c.ref('signed-zero-tie', [c.t([4], [-0, 0, -0, -1])]),
        );
      } else out.push(c.ref('int32-limits', [c.t([5], [0, 2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31)])]));
      return out;
    },
    errors: (c) => [
      c.err('axis-out-of-range', [c.rand('e', [2, 3])], { axis: -3 }, 'E_AXIS'),
      c.err('empty-axis', [c.rand('e', [2, 0])], { axis: 1 }, 'E_EMPTY'),
      c.err('empty-flattened', [c.rand('e', [0, 2])], undefined, 'E_EMPTY'),
    ],
  };
}

/**
 * The large softmax row: -200 everywhere (e^-200 adds nothing to a float32 sum, whatever the order) but for
 * one element in 6,000 and the last, integers in [-3, 0]. Every element is read, and few terms count, so the
 * bound is tight: a halved output or a part of the row left out fails.
 */
function largeRow(c: SpecContext) {
  const base = c.ints('large-row', [1, LARGE_ROW], -3, 0);
  return lazyTensor('float32', [1, LARGE_ROW], () => base.data.map((v, i) => (i % 6000 === 17 || i === LARGE_ROW - 1 ? v : -200)));
}

/** softmax/log_softmax: axes, large inputs (stability), -Inf, NaN slices, long rows. */
function softmaxLike(op: 'softmax' | 'log_softmax'): OpSpec {
  return {
    cases(c) {
      const big = c.dtype === 'float16' ? [100, 101, 102, -100, 0, 100] : [1000, 1001, 1002, -1000, 0, 1000];
      return [
        c.sample('last-axis', [c.rand('l', [2, 5])]),
        c.sample('axis0', [c.rand('a0', [3, 4])], { axis: 0 }),
        c.ref('rank3-axis1', [c.rand('r3', [2, 3, 4])], { axis: 1 }),
        c.ref('large-inputs', [c.t([2, 3], big)]),
        c.ref('neg-inf', [c.t([2, 3], [-Infinity, 0, 1, -Infinity, -Infinity, 5])]),
        c.ref('nan-slice', [c.t([2, 3], [1, NaN, 2, 1, 2, 3])]),
        c.ref('long-row', [c.rand('long', [2, 300], -20, 20)]),
        c.ref('single', [c.rand('one', [3, 1])]),
        c.ref('empty', [c.rand('e', [0, 4])]),
        c.ref('rank6', [c.rand('r6', [1, 2, 1, 3, 1, 2])], { axis: 3 }),
        c.ref('negative-axis', [c.rand('n', [3, 4, 5])], { axis: -2 }),
        c.ref('leading-axis-17', [c.rand('l17', [17, 9])], { axis: 0 }),
        c.ref('row-4097', [c.rand('r4097', [2, 4097], -20, 20)]),
        c.ref('rank8', [c.rand('r8', [...RANK8])], { axis: -5 }),
        c.sequence('axis', [{ axis: 0 }, { axis: 1 }, { axis: -2 }, {}].map((attrs, k) => ({ inputs: [c.rand(`seq${k}`, [4, 4])], attrs }))),
        // Large same-sign values: fine after subtracting the max; a sum of raw values overflows.
        c.ref('large-same-sign', [c.t([2, 3], c.dtype === 'float16' ? [6e4, 6e4, 6.5e4, -6e4, -6e4, -6.5e4] : [3e38, 3e38, 3.2e38, -3e38, -3e38, -3.2e38])]),
        // exp's fast path on vectors where only some lanes underflow: rows of 0 and -100 across the lanes.
        c.ref('lanes-underflow-16', [c.t([2, 16], cycle([0, -100, -100, -100], 32))]),
        c.ref('lanes-underflow-67', [c.t([1, 67], cycle([-100, 0, -100, -100, -90, -100, -87.5], 67))]),
        ...(c.dtype === 'float32' ? [c.ref('threads-rows', [c.lazyRand('threads-rows', [17, 16_385], -20, 20)])] : []),
        ...(c.dtype === 'float32' && op === 'softmax' ? [c.large('row', [largeRow(c)])] : []),
      ];
    },
    errors: (c) => [c.err('axis-out-of-range', [c.rand('e', [2, 3])], { axis: 2 }, 'E_AXIS'), c.err('scalar', [c.rand('e', [])], undefined, 'E_AXIS')],
  };
}

/** Specs of the reduce and softmax families. */
export const REDUCE_SPECS: Record<string, OpSpec> = {
  sum: reduction('sum'),
  mean: reduction('mean'),
  max: reduction('max'),
  min: reduction('min'),
  prod: reduction('prod'),
  argmax: argReduction('argmax'),
  argmin: argReduction('argmin'),
  softmax: softmaxLike('softmax'),
  log_softmax: softmaxLike('log_softmax'),
};
