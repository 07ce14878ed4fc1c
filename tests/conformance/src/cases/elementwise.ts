import { DTYPES, OPSET, getOp } from '@hearth/core';
import { ABOVE_2P24, BROADCAST_ROWS, cycle, LONG_SIZES, RANK8, specials } from './data.js';
import type { Draft, OpSpec, SpecContext } from './spec.js';

/** The value range random inputs of each unary op come from (inside its domain). */
const DOMAIN: Record<string, [number, number]> = {
  log: [0.01, 100],
  sqrt: [0, 100],
  rsqrt: [0.01, 100],
  exp: [-10, 10],
  sin: [-6.3, 6.3],
  cos: [-6.3, 6.3],
  reciprocal: [0.1, 10],
};

/** Wide arguments: near overflow and underflow, where naive formulas break. */
const WIDE: Record<string, number[]> = {
  exp: [80, 88, 88.7, 89, 100, -80, -87, -100, -104, -110],
  sigmoid: [-100, -89, -50, -20, 20, 50, 89, 100],
  tanh: [-100, -20, -9, -1e-4, 1e-4, 9, 20, 100, 1e-10, -3e-8, 1e-30, 2 ** -20],
  erf: [-10, -6, -4, -2.5, -1, -1e-3, 1e-3, 0.5, 1, 2.5, 4, 6, 10, 1e-10, -1e-30, 2 ** -20],
  gelu: [-30, -10, -5, -3, -1e-3, 1e-3, 3, 5, 10, 30, 1e-10, -1e-10, 2 ** -20],
  log: [1e-30, 1e-10, 0.999, 1, 1.001, 1e10, 1e30, 3e38],
  sqrt: [1e-30, 1e-10, 2, 1e10, 1e30, 3e38],
  rsqrt: [1e-30, 1e-10, 2, 1e10, 1e30, 3e38],
  reciprocal: [1e-30, -1e-30, 1e30, -1e30, 3e38, 1e-38],
  sin: [-100, -10, 1e-4, 3.14159, 10, 100],
  cos: [-100, -10, 1e-4, 3.14159, 10, 100],
  round: [-2.5, -1.5, -0.5, -0.4, 0.4, 0.5, 1.5, 2.5, 3.5, 4.5, 0.49999997, 8388609, -8388609, 1e30],
  floor: [-2.5, -0.5, -0.4, 0.4, 0.5, 2.5, 8388609, 1e30, -1e30],
  ceil: [-2.5, -0.5, -0.4, 0.4, 0.5, 2.5, 8388609, 1e30, -1e30],
};

function unary(op: string): OpSpec {
  // Float-only ops also take int32 and bool inputs, which the core promotes to float32.
  const floatOnly = getOp(op).compute === 'float';
  return {
    cases(c) {
      const [lo, hi] = DOMAIN[op] ?? [-5, 5];
      const out: Draft[] = [c.sample('basic', [c.rand('basic', [2, 3], lo, hi)]), c.sample('scalar', [c.rand('scalar', [], lo, hi)])];
      const sp = specials(c.dtype);
      out.push(c.ref('special-values', [c.t([sp.length], sp)]));
      if (c.float && WIDE[op]) out.push(c.ref('wide-range', [c.t([WIDE[op]!.length], WIDE[op]!)]));
      out.push(c.ref('empty', [c.t([0, 3], [])]), c.ref('rank6', [c.rand('rank6', [1, 2, 1, 3, 1, 2], lo, hi)]));
      // Past fast-path thresholds and at the top of the rank range.
      for (const n of c.dtype === 'float32' ? LONG_SIZES : LONG_SIZES.slice(0, 1)) out.push(c.ref(`size-${n}`, [c.lazyRand(`size-${n}`, [n], lo, hi)]));
      out.push(c.ref('rank8', [c.rand('rank8', [...RANK8], lo, hi)]));
      // State between calls: the same shape again with new values, after the first call's tensors are disposed.
      out.push(c.sequence('values', [1, 2, 3].map((k) => ({ inputs: [c.rand(`seq${k}`, [3, 5], lo, hi)], attrs: {} }))));
      if (c.dtype === 'int32') out.push(c.ref('int32-above-2p24', [c.t([ABOVE_2P24.length * 2], ABOVE_2P24.flat())]));
      if (floatOnly && c.dtype === 'float32') {
        out.push(c.ref('int32-input', [c.t([6], [-3, 0, 1, 2, 7, 16777217], 'int32')]), c.ref('bool-input', [c.t([2], [0, 1], 'bool')]));
      }
      return out;
    },
  };
}

/** Pairs of every special value with every other, as two flat tensors. */
function crossSpecials(c: SpecContext, keep: (a: number, b: number) => boolean = () => true): Draft {
  const sp = specials(c.dtype);
  const a: number[] = [];
  const b: number[] = [];
  for (const x of sp) for (const y of sp) if (keep(x, y)) (a.push(x), b.push(y));
  return c.ref('special-values', [c.t([a.length], a), c.t([b.length], b)]);
}

/** The broadcasting patterns every binary op is run on. */
function broadcastCases(c: SpecContext, lo: number, hi: number, lo2 = lo, hi2 = hi): Draft[] {
  const pair = (name: string, sa: number[], sb: number[], kind: 'sample' | 'ref' = 'ref') =>
    (kind === 'sample' ? c.sample.bind(c) : c.ref.bind(c))(name, [c.lazyRand(`${name}:a`, sa, lo, hi), c.lazyRand(`${name}:b`, sb, lo2, hi2)]);
  return [
    pair('basic', [2, 3], [2, 3], 'sample'),
    pair('broadcast-row', [2, 3], [3], 'sample'),
    pair('broadcast-col', [2, 3], [2, 1]),
    pair('broadcast-scalar', [2, 3], []),
    pair('broadcast-scalar-left', [], [2, 3]),
    pair('broadcast-both', [2, 1], [1, 3]),
    pair('broadcast-rank', [2, 1, 3], [4, 1]),
    pair('broadcast-lower-rank-first', [3], [2, 2, 3]),
    pair('broadcast-6d', [2, 1, 2, 1, 2, 1], [1, 2, 1, 2, 1, 2]),
    pair('scalar', [], []),
    pair('empty', [0, 3], [3]),
    pair('empty-broadcast', [2, 0], [2, 1]),
    // Past fast-path thresholds: same shapes one past a 4096 and a 65536 block, a row of 17 broadcast.
    ...(c.dtype === 'float32' ? LONG_SIZES : LONG_SIZES.slice(0, 1)).map((n) => pair(`size-${n}`, [n], [n])),
    pair('broadcast-row-17', [9, 17], [17]),
    // Both operand orders of every repeating-operand pattern, with rows that enter a 16-wide loop: a fast
    // path that swaps the operands there (b − a for a − b) is wrong only when the left operand repeats.
    ...BROADCAST_ROWS.flatMap((w) => [pair(`broadcast-row-${w}-right`, [3, w], [w]), pair(`broadcast-row-${w}-left`, [w], [3, w])]),
    pair('broadcast-scalar-17', [17], []),
    pair('broadcast-scalar-17-left', [], [17]),
    pair('broadcast-col-17-left', [17, 1], [17, 17]),
    pair('broadcast-rank8', [...RANK8], [1, 2, 1, 3, 1, 2, 2]),
    // State between calls: the same shapes again with new values, after the first call's tensors are disposed.
    c.sequence('values', [1, 2, 3].map((k) => ({ inputs: [c.rand(`seq${k}:a`, [3, 5], lo, hi), c.rand(`seq${k}:b`, [3, 5], lo2, hi2)], attrs: {} }))),
  ];
}

const INT_WRAP = [2 ** 31 - 1, -(2 ** 31), 123456789, -987654321, 65536, 46341, -46341, 2 ** 30];

function binary(op: string): OpSpec {
  return {
    cases(c) {
      const isPow = op === 'pow';
      const out = isPow && c.dtype !== 'int32' ? broadcastCases(c, 0.1, 4, -3, 3) : broadcastCases(c, -5, 5);
      if (c.dtype === 'bool') return out.concat(c.ref('truth-table', [c.t([4], [0, 0, 1, 1]), c.t([4], [0, 1, 0, 1])]));
      if (isPow) {
        // pow(1, NaN) and pow(±1, ±Inf) differ between C and JS; the opset leaves them unspecified.
        out.push(crossSpecials(c, (a, b) => !(Math.abs(a) === 1 && !Number.isFinite(b))));
        if (c.dtype === 'int32') {
          const bases = [-3, -2, -1, 0, 1, 2, 3, 7];
          const exps = [-2, -1, 0, 1, 2, 5, 31, 40];
          const a = bases.flatMap((x) => exps.map(() => x));
          const b = bases.flatMap(() => exps);
          out.push(c.ref('int32-exponents', [c.t([a.length], a), c.t([b.length], b)]));
        } else out.push(c.ref('negative-base', [c.t([6], [-2, -2, -0.5, -3, -2, -8]), c.t([6], [2, 3, -2, 0.5, -1, 1 / 3])]));
      } else out.push(crossSpecials(c));
      if (c.dtype === 'int32' && ['add', 'sub', 'mul'].includes(op)) {
        const a = INT_WRAP.flatMap((x) => INT_WRAP.map(() => x));
        const b = INT_WRAP.flatMap(() => INT_WRAP);
        out.push(c.ref('int32-wrap', [c.t([a.length], a), c.t([b.length], b)]));
      }
      if (c.dtype === 'int32' && op !== 'pow') out.push(c.ref('int32-above-2p24', [c.t([ABOVE_2P24.length], ABOVE_2P24.map((p) => p[0])), c.t([ABOVE_2P24.length], ABOVE_2P24.map((p) => p[1]))]));
      if (c.dtype === 'float32') out.push(c.ref('promote-int32', [c.t([2, 2], [1, -2, 3, 16777217], 'int32'), c.rand('promote', [2], -3, 3)]));
      if (c.dtype === 'float32' && op === 'div') out.push(c.ref('int32-inputs', [c.t([4], [7, -7, 1, 0], 'int32'), c.t([4], [2, 2, 3, 0], 'int32')]));
      return out;
    },
    errors: (c) => [c.err('broadcast', [c.rand('e', [2, 3]), c.rand('e', [4])], undefined, 'E_BROADCAST')],
  };
}

/** mod: the binary cases (floored, the default), and each again truncated (fmod), with signs crossed. */
function mod(): OpSpec {
  const base = binary('mod');
  return {
    cases(c) {
      const floored = base.cases(c);
      const a = [7, -7, 7, -7, 5.5, -5.5, 0, -0, 6, -6, 2 ** 30 + 3, 1];
      const b = [3, 3, -3, -3, 2, 2, 3, -3, 3, 3, 7, -1];
      const signs = c.t([a.length], c.float ? a : a.map(Math.trunc));
      const divisors = c.t([b.length], b);
      return [
        ...floored,
        c.ref('signs', [signs, divisors]),
        c.ref('signs-fmod', [signs, divisors], { fmod: true }),
        ...floored.filter((d) => d.kind === 'reference' && !d.then).map((d) => ({ ...d, name: `fmod-${d.name}`, attrs: { fmod: true } })),
        ...(c.float ? [c.ref('infinite-divisor', [c.t([4], [3, -3, 0, -0]), c.t([4], [-Infinity, Infinity, -Infinity, Infinity])]), c.ref('huge-quotient', [c.t([3], [1e30, -3e38, 123456789]), c.t([3], [0.7, 1.1, 0.001])])] : []),
      ];
    },
    errors: base.errors!,
  };
}

/** Specs of the unary and binary families: every op of the opset's `unary` and `binary` families. */
export const ELEMENTWISE_SPECS: Record<string, OpSpec> = Object.fromEntries(
  OPSET.filter((o) => o.family === 'unary' || o.family === 'binary').map((o) => [o.name, o.name === 'mod' ? mod() : o.family === 'unary' ? unary(o.name) : binary(o.name)]),
);

/** where(cond, a, b). */
export const WHERE_SPEC: OpSpec = {
  cases(c) {
    const cond = (name: string, shape: number[]) => c.rand(`cond:${name}`, shape, 0, 1, 'bool');
    const sp = specials(c.dtype);
    return [
      c.sample('basic', [cond('basic', [2, 3]), c.rand('a', [2, 3]), c.rand('b', [2, 3])]),
      c.ref('broadcast', [cond('bc', [2, 1]), c.rand('a', [3]), c.rand('b', [])]),
      c.ref('broadcast-cond-scalar', [c.t([], [1], 'bool'), c.rand('a', [2, 3]), c.rand('b', [2, 3])]),
      c.ref('special-values', [c.t([sp.length], cycle([1, 0], sp.length), 'bool'), c.t([sp.length], sp), c.t([sp.length], sp.slice().reverse())]),
      c.ref('empty', [cond('e', [0, 2]), c.rand('a', [0, 2]), c.rand('b', [2])]),
      c.ref('size-4097', [cond('s', [4097]), c.rand('a', [4097]), c.rand('b', [4097])]),
      c.ref('rank8', [cond('r8', [...RANK8]), c.rand('a', [1, 3, 1, 2, 2]), c.rand('b', [2, 1, 1, 1, 1, 1, 1, 1])]),
      ...(c.dtype === 'float32' ? [c.ref('promote-int32', [cond('p', [4]), c.t([4], [1, 2, 3, 4], 'int32'), c.rand('b', [4])])] : []),
    ];
  },
  errors: (c) => [c.err('broadcast', [c.rand('c', [2], 0, 1, 'bool'), c.rand('a', [3]), c.rand('b', [3])], undefined, 'E_BROADCAST')],
};

/** Values that test each conversion rule (truncation, saturation, NaN, rounding to nearest even). */
const CAST_EXTRA = [2.9, -2.9, -0.5, 3e9, -3e9, 2147483647.5, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 65520, 1e5, 3.4028235677973366e38, 1e39, 2 ** -25];

/** cast: the kernel is keyed by the input dtype; one case per target dtype. */
export const CAST_SPEC: OpSpec = {
  cases(c) {
    const values = c.float ? [...specials(c.dtype), ...CAST_EXTRA] : specials(c.dtype);
    const out: Draft[] = [];
    for (const to of DTYPES) {
      out.push(c.ref(`to-${to}`, [c.t([values.length], values)], { dtype: to }));
    }
    out.unshift(c.sample('basic', [c.rand('basic', [2, 3], -100, 100)], { dtype: c.dtype === 'int32' ? 'float32' : 'int32' }));
    out.push(c.ref('size-4097', [c.rand('size', [4097], -100, 100)], { dtype: c.dtype === 'int32' ? 'float32' : 'int32' }));
    if (c.dtype === 'int32') out.push(c.ref('above-2p24-to-float32', [c.t([ABOVE_2P24.length * 2], ABOVE_2P24.flat())], { dtype: 'float32' }));
    out.push(c.ref('empty', [c.t([0], [])], { dtype: 'float32' }), c.ref('rank6-to-bool', [c.rand('r6', [1, 2, 1, 2, 1, 2], -2, 2)], { dtype: 'bool' }));
    return out;
  },
};
