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
    ];
    if (c.float) out.push(c.ref('special-values', [c.t([2, 2], [1, Infinity, NaN, 0]), c.t([2, 2], [0, 1, 1, -0])]));
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
    ];
    if (c.dtype === 'float32') out.push(c.ref('int32-input', [c.rand('i', [1, 1, 3, 3], -5, 5, 'int32'), w('i', [1, 1, 2, 2])]));
    return out;
  },
  errors: (c) => [
    c.err('not-nchw', [c.rand('e', [3, 4, 4]), c.rand('e', [1, 3, 2, 2])], undefined, 'E_SHAPE'),
    c.err('channel-mismatch', [c.rand('e', [1, 3, 4, 4]), c.rand('e', [1, 2, 2, 2])], undefined, 'E_SHAPE'),
    c.err('groups-do-not-divide', [c.rand('e', [1, 3, 4, 4]), c.rand('e', [2, 1, 2, 2])], { groups: 2 }, 'E_ATTR'),
    c.err('kernel-too-big', [c.rand('e', [1, 1, 2, 2]), c.rand('e', [1, 1, 3, 3])], undefined, 'E_SHAPE'),
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
