import { ABOVE_2P24, LARGE_INNER, ODD_SIZES, THREAD_MATMUL } from './data.js';
import type { OpSpec } from './spec.js';

/** matmul: 2-D, vectors (NumPy rules), batches with broadcasting, empty dims, long inner size, NaN/Inf, int32 wrap. */
export const MATMUL_SPEC: OpSpec = {
  cases(c) {
    const mm = (name: string, sa: number[], sb: number[], kind: 'sample' | 'ref' = 'ref') =>
      (kind === 'sample' ? c.sample.bind(c) : c.ref.bind(c))(name, [c.rand(`${name}:a`, sa), c.rand(`${name}:b`, sb)]);
    const out = [
      mm('basic', [2, 3], [3, 4], 'sample'),
      mm('vector-matrix', [3], [3, 4], 'sample'),
      mm('matrix-vector', [2, 3], [3]),
      mm('vector-vector', [3], [3]),
      mm('batch', [2, 2, 3], [2, 3, 2]),
      mm('batch-broadcast', [2, 1, 2, 3], [3, 3, 2]),
      mm('batch-one-side', [2, 2, 3], [3, 4]),
      mm('rank5-broadcast', [2, 1, 2, 2, 3], [3, 1, 3, 2]),
      mm('empty-inner', [2, 0], [0, 3]),
      mm('empty-rows', [0, 3], [3, 2]),
      mm('long-inner', [2, 128], [128, 3]),
      // Past fast-path thresholds: inner sizes off every vector width, rows and columns straddling a tile.
      ...ODD_SIZES.map((k) => mm(`inner-${k}`, [5, k], [k, 7])),
      mm('tile-straddle', [65, 33], [33, 67]),
      mm('empty-cols', [3, 2], [2, 0]),
      // Full 4×8 (and 8×16) tiles with K past one and two 256-deep slices: a micro-kernel that drops a
      // slice in full tiles only is wrong here (every tile of the K > 256 cases above is partial).
      // Small integers: the products' sums are exact, so the bound is 0.5 ULP and any lost slice fails.
      c.ref('tile-full-k-300', [c.ints('tfk300:a', [4, 300], -3, 3), c.ints('tfk300:b', [300, 8], -3, 3)]),
      c.ref('tile-full-k-513', [c.ints('tfk513:a', [8, 513], -3, 3), c.ints('tfk513:b', [513, 16], -3, 3)]),
      c.ref('tiles-16x16x16', [c.ints('t16:a', [16, 16], -3, 3), c.ints('t16:b', [16, 16], -3, 3)]),
      mm('rank8', [2, 1, 1, 2, 1, 1, 3, 5], [1, 1, 2, 1, 1, 5, 2]),
      // State between calls: the same shapes again with new values, after the first call's tensors are disposed.
      c.sequence('values', [1, 2, 3].map((k) => ({ inputs: [c.rand(`seq${k}:a`, [4, 9]), c.rand(`seq${k}:b`, [9, 5])], attrs: {} }))),
    ];
    // Thread splits: M·N·K >= 2^20, twice with other values (a worker result not waited for shows on the second).
    if (c.dtype === 'float32') {
      const [m, k, n] = THREAD_MATMUL;
      out.push(c.sequence(`threads-${m}x${k}x${n}`, [1, 2].map((i) => ({ inputs: [c.ints(`thr${i}:a`, [m, k], -3, 3), c.ints(`thr${i}:b`, [k, n], -3, 3)], attrs: {} }))));
    }
    if (c.float) out.push(c.ref('special-values', [c.t([2, 2], [1, Infinity, NaN, 0]), c.t([2, 2], [0, 1, 1, -0])]));
    // The large tier: an inner size past 65,536; same-sign floats, so a dropped part of the sum shows.
    // Positive small integers in float32: Σ|a·b| stays under 2^24, so the sum is exact and a dropped slice fails.
    if (c.dtype === 'float32') out.push(c.large('inner', [c.ints('large:a', [2, LARGE_INNER], 1, 3), c.ints('large:b', [LARGE_INNER, 3], 1, 3)]));
    if (c.dtype === 'int32') out.push(c.large('inner', [c.lazyRand('large:a', [2, LARGE_INNER], -5, 5), c.lazyRand('large:b', [LARGE_INNER, 3], -5, 5)]));
    if (c.dtype === 'int32') out.push(c.ref('int32-above-2p24', [c.t([2, 2], [ABOVE_2P24[0]![0], 1, ABOVE_2P24[3]![0], -1]), c.t([2, 2], [1, 0, 1, 1])]));
    if (c.dtype === 'int32') out.push(c.ref('int32-wrap', [c.t([1, 3], [2 ** 31 - 1, 65536, -46341]), c.t([3, 1], [2, 65536, 46341])]));
    return out;
  },
  errors: (c) => [
    c.err('inner-mismatch', [c.rand('e', [2, 3]), c.rand('e', [4, 2])], undefined, 'E_SHAPE'),
    c.err('scalar-operand', [c.rand('e', []), c.rand('e', [3])], undefined, 'E_SHAPE'),
    c.err('batch-broadcast', [c.rand('e', [2, 2, 3]), c.rand('e', [3, 3, 2])], undefined, 'E_BROADCAST'),
  ],
};

/** conv2d: padding, stride, dilation, groups, bias, rectangular kernels, batches, NaN, int32 input (computes in float32). */
export const CONV2D_SPEC: OpSpec = {
  cases(c) {
    const x = (name: string, s: number[]) => c.rand(`${name}:x`, s, -2, 2);
    const w = (name: string, s: number[]) => c.rand(`${name}:w`, s, -1, 1);
    const out = [
      c.sample('basic', [x('basic', [1, 1, 4, 4]), w('basic', [1, 1, 3, 3])]),
      c.sample('padding', [x('pad', [1, 2, 5, 5]), w('pad', [3, 2, 3, 3])], { padding: 1 }),
      c.ref('padding-asymmetric-kernel', [x('pak', [1, 1, 4, 5]), w('pak', [2, 1, 2, 3])], { padding: [1, 0] }),
      c.ref('stride2', [x('s2', [1, 2, 7, 6]), w('s2', [2, 2, 3, 3])], { stride: 2, padding: 1 }),
      c.ref('dilation2', [x('d2', [1, 1, 7, 7]), w('d2', [1, 1, 3, 3])], { dilation: 2 }),
      c.ref('groups2', [x('g2', [2, 4, 5, 5]), w('g2', [6, 2, 3, 3])], { groups: 2, padding: 1 }),
      c.ref('depthwise', [x('dw', [1, 3, 4, 4]), w('dw', [3, 1, 3, 3])], { groups: 3, padding: 1 }),
      c.ref('bias', [x('b', [2, 2, 4, 4]), w('b', [3, 2, 2, 2]), c.rand('b:bias', [3])], { stride: [1, 2] }),
      c.ref('kernel-1x1', [x('k1', [1, 3, 3, 3]), w('k1', [2, 3, 1, 1])]),
      c.ref('empty-batch', [x('e', [0, 1, 3, 3]), w('e', [1, 1, 2, 2])]),
      c.ref('nan', [c.t([1, 1, 3, 3], [1, 2, 3, 4, NaN, 6, 7, 8, 9]), c.t([1, 1, 2, 2], [1, 0, 0, 1])]),
      // Asymmetric attribute pairs: each pair attribute with its two values different.
      c.ref('stride-2x1', [x('s21', [1, 2, 7, 6]), w('s21', [2, 2, 3, 3])], { stride: [2, 1] }),
      c.ref('stride-1x3-padding-2x1', [x('s13', [1, 1, 6, 9]), w('s13', [2, 1, 3, 3])], { stride: [1, 3], padding: [2, 1] }),
      c.ref('padding-0x2', [x('p02', [1, 2, 5, 5]), w('p02', [1, 2, 3, 3])], { padding: [0, 2] }),
      c.ref('dilation-1x2', [x('d12', [1, 1, 6, 8]), w('d12', [2, 1, 2, 3])], { dilation: [1, 2] }),
      c.ref('dilation-3x1-stride-1x2', [x('d31', [1, 2, 9, 7]), w('d31', [1, 2, 2, 2])], { dilation: [3, 1], stride: [1, 2], padding: [1, 0] }),
      c.ref('kernel-1x1-stride2-padding1', [x('k1s2', [1, 3, 5, 6]), w('k1s2', [2, 3, 1, 1])], { stride: 2, padding: 1 }),
      c.ref('kernel-1x1-stride-2x3-padding-1x2', [x('k1a', [2, 2, 5, 7]), w('k1a', [3, 2, 1, 1]), c.rand('k1a:bias', [3])], { stride: [2, 3], padding: [1, 2] }),
      // Past fast-path thresholds: a reduction (channels × window) off every vector width.
      c.ref('channels-17', [x('c17', [1, 17, 5, 4]), w('c17', [3, 17, 3, 2])], { padding: [1, 0] }),
      c.ref('outputs-33', [x('o33', [1, 1, 7, 9]), w('o33', [33, 1, 3, 3])]),
      // Wide outputs (8 and more columns, a vector of output pixels) with a width stride or dilation > 1.
      c.ref('wide-stride-1x2', [x('ws', [1, 1, 1, 20]), w('ws', [1, 1, 1, 1])], { stride: [1, 2] }),
      c.ref('wide-dilation-1x2', [x('wd', [1, 1, 2, 14]), w('wd', [2, 1, 1, 3])], { dilation: [1, 2] }),
      c.ref('wide-stride-2x3-dilation-1x2-padding-1x2', [x('wsd', [1, 3, 5, 40]), w('wsd', [4, 3, 3, 3]), c.rand('wsd:bias', [4])], { stride: [2, 3], dilation: [1, 2], padding: [1, 2] }),
      // Empty dimensions: no input channels gives the bias (or zeros), no output channels an empty output.
      c.ref('empty-channels-bias', [x('ec', [1, 0, 3, 3]), w('ec', [2, 0, 2, 2]), c.t([2], [1.5, -2])]),
      c.ref('empty-channels', [x('ec0', [2, 0, 3, 4]), w('ec0', [3, 0, 1, 2])]),
      c.ref('empty-out-channels', [x('eo', [1, 2, 3, 3]), w('eo', [0, 2, 2, 2])]),
      // State between calls: one pair of input shapes, other attributes each time, then new values.
      c.sequence('attributes', [{}, { stride: 2 }, { padding: [1, 2] }, { dilation: [2, 1] }, { stride: [1, 2], padding: 1 }, { stride: [1, 2], padding: 1 }].map((attrs, k) => ({ inputs: [x(`seq${k}`, [1, 2, 7, 7]), w(`seq${k}`, [2, 2, 3, 3])], attrs }))),
    ];
    // Thread splits: output channels × pixels × window = 32 × 1,024 × 72 >= 2^20 multiply-adds, exact sums.
    if (c.dtype === 'float32') out.push(c.ref('threads', [c.ints('thr:x', [1, 8, 34, 34], -2, 2), c.ints('thr:w', [32, 8, 3, 3], -2, 2), c.ints('thr:bias', [32], -2, 2)]));
    if (c.dtype === 'float32') out.push(c.ref('int32-input', [c.rand('i', [1, 1, 3, 3], -5, 5, 'int32'), w('i', [1, 1, 2, 2])]));
    // The large tier: channels × window = 7,779 × 9 = 70,011, past 65,536. Same-sign values, so the bound
    // (γ_n·Σ|x·w|, order-free) is far below what a dropped part of the reduction costs.
    if (c.dtype === 'float32') out.push(c.large('window', [c.ints('large:x', [1, 7779, 3, 4], 1, 2), c.ints('large:w', [2, 7779, 3, 3], 1, 2)], { padding: [0, 1] }));
    return out;
  },
  errors: (c) => [
    c.err('not-nchw', [c.rand('e', [3, 4, 4]), c.rand('e', [1, 3, 2, 2])], undefined, 'E_SHAPE'),
    c.err('channel-mismatch', [c.rand('e', [1, 3, 4, 4]), c.rand('e', [1, 2, 2, 2])], undefined, 'E_SHAPE'),
    c.err('groups-do-not-divide', [c.rand('e', [1, 3, 4, 4]), c.rand('e', [2, 1, 2, 2])], { groups: 2 }, 'E_ATTR'),
    c.err('kernel-too-big', [c.rand('e', [1, 1, 2, 2]), c.rand('e', [1, 1, 3, 3])], undefined, 'E_SHAPE'),
    c.err('empty-kernel', [c.rand('e', [1, 1, 3, 3]), c.rand('e', [1, 1, 0, 0])], undefined, 'E_SHAPE'),
    c.err('bias-shape', [c.rand('e', [1, 1, 3, 3]), c.rand('e', [2, 1, 2, 2]), c.rand('e', [3])], undefined, 'E_SHAPE'),
  ],
};

/** The pools: window, stride, padding (padding never wins a max), ceil mode, countIncludePad. */
function pool(avg: boolean): OpSpec {
  return {
    cases(c) {
      const x = (name: string, s: number[], lo = -3, hi = 3) => c.rand(name, s, lo, hi);
      const out = [
        c.sample('basic', [x('basic', [1, 2, 4, 4])], { kernelSize: 2 }),
        c.sample('stride1', [x('s1', [1, 1, 5, 5])], { kernelSize: 3, stride: [1] }),
        c.ref('padding', [x('pad', [1, 1, 4, 4], -5, -1)], { kernelSize: 3, stride: [1], padding: 1 }),
        c.ref('rect', [x('rect', [2, 1, 5, 6])], { kernelSize: [2, 3], stride: [1, 2] }),
        c.ref('ceil-mode', [x('ceil', [1, 1, 5, 5])], { kernelSize: 2, ceilMode: true }),
        c.ref('ceil-mode-padding', [x('cp', [1, 1, 6, 6])], { kernelSize: 3, stride: [2], padding: 1, ceilMode: true }),
        c.ref('nan', [c.t([1, 1, 2, 4], [1, NaN, 3, 4, 5, 6, -Infinity, 8])], { kernelSize: 2 }),
        c.ref('empty-batch', [x('e', [0, 2, 4, 4])], { kernelSize: 2 }),
      ];
      // Asymmetric attribute pairs.
      out.push(
        c.ref('kernel-3x2-stride-2x1', [x('k32', [1, 2, 7, 6])], { kernelSize: [3, 2], stride: [2, 1] }),
        c.ref('kernel-2x3-padding-1x0', [x('k23', [1, 1, 5, 7])], { kernelSize: [2, 3], stride: [1, 2], padding: [1, 0] }),
        c.ref('kernel-3x3-padding-0x1-stride-1x3', [x('k33', [1, 1, 6, 8])], { kernelSize: 3, stride: [1, 3], padding: [0, 1] }),
        c.ref('kernel-1x1-stride-2x3', [x('k11', [1, 2, 5, 7])], { kernelSize: 1, stride: [2, 3] }),
        c.ref('size-17x33', [x('s17', [1, 3, 17, 33])], { kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true }),
        c.ref('wide-kernel-1x3-stride-1x2', [x('w13', [1, 2, 3, 21])], { kernelSize: [1, 3], stride: [1, 2] }),
        c.ref('empty-channels', [x('ec', [2, 0, 4, 4])], { kernelSize: 2 }),
        c.sequence('attributes', [{ kernelSize: 2 }, { kernelSize: 3, stride: [1] }, { kernelSize: [2, 3], padding: [1, 0] }, { kernelSize: 2, ceilMode: true }].map((attrs, k) => ({ inputs: [x(`seq${k}`, [1, 1, 5, 7])], attrs }))),
      );
      if (avg) out.push(c.ref('exclude-padding-asymmetric', [x('exa', [1, 1, 5, 6])], { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], countIncludePad: false }));
      if (avg) out.push(c.ref('exclude-padding', [x('ex', [1, 1, 4, 4])], { kernelSize: 3, stride: [1], padding: 1, countIncludePad: false }));
      return out;
    },
    errors: (c) => [
      c.err('not-nchw', [c.rand('e', [4, 4])], { kernelSize: 2 }, 'E_SHAPE'),
      c.err('padding-over-half', [c.rand('e', [1, 1, 4, 4])], { kernelSize: 2, padding: 2 }, 'E_ATTR'),
      c.err('window-too-big', [c.rand('e', [1, 1, 2, 2])], { kernelSize: 3 }, 'E_SHAPE'),
    ],
  };
}

/** Specs of matmul and the conv family. */
export const LINALG_SPECS: Record<string, OpSpec> = { matmul: MATMUL_SPEC, conv2d: CONV2D_SPEC, max_pool2d: pool(false), avg_pool2d: pool(true) };
