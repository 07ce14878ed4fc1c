import { HearthError } from '../../errors.js';
import { broadcastShapes } from '../../shape.js';
import { attr } from '../attrs.js';
import { attrOf, promoted, type OpSchema } from '../schema.js';
import { bound, composite, ops } from './define.js';

/** `linear` (ONNX Gemm) and the global pools. */
export const LINEAR_COMPOSITES: readonly OpSchema[] = [
  composite({
    name: 'linear',
    family: 'linear',
    doc:
      'ONNX Gemm: alpha · A\' · B\' + beta · C, where A\' is the 2-D a transposed when `transA` (B\' likewise) and the optional ' +
      'c broadcasts to [M, N]. Products sum as matmul does.',
    inputs: [promoted('a', 'float'), promoted('b', 'float'), { ...promoted('c', 'float'), optional: true }],
    attrs: { transA: attr.bool({ default: false }), transB: attr.bool({ default: false }), alpha: attr.number({ default: 1 }), beta: attr.number({ default: 1 }) },
    bound: bound(4, 64, "4 ULP, or 64 epsilons of the call's scale: matmul's γ_K·Σ|a·b| for inner sizes to 16 on inputs of that scale, then the scaling and the addition of c."),
    meta(ins, attrs) {
      const [a, b, c] = ins.map((t) => t?.shape);
      if (a!.length !== 2 || b!.length !== 2) throw new HearthError('E_SHAPE', `linear: a and b must be 2-D, got [${a!.join(', ')}] and [${b!.join(', ')}].`, { a, b });
      const [m, k] = attrOf<boolean>(attrs, 'transA') ? [a![1]!, a![0]!] : [a![0]!, a![1]!];
      const [k2, n] = attrOf<boolean>(attrs, 'transB') ? [b![1]!, b![0]!] : [b![0]!, b![1]!];
      if (k !== k2) throw new HearthError('E_SHAPE', `linear: inner dimensions differ after the transposes (${k} vs ${k2}).`, { a, b });
      if (c && (c.length > 2 || broadcastShapes(c, [m, n]).some((d, i) => d !== [m, n][i]))) {
        throw new HearthError('E_SHAPE', `linear: c [${c.join(', ')}] must broadcast to [${m}, ${n}].`, { c });
      }
      return [m, n];
    },
    decompose(b, [a, w, c], attrs, dtype) {
      const f = ops(b, dtype);
      const t = (x: typeof a, yes: boolean) => (yes ? b.op('transpose', [x!]) : x!);
      const alpha = attrOf<number>(attrs, 'alpha');
      const beta = attrOf<number>(attrs, 'beta');
      const prod = b.op('matmul', [t(a, attrOf(attrs, 'transA')), t(w, attrOf(attrs, 'transB'))]);
      const scaled = alpha === 1 ? prod : f.mul(prod, alpha);
      return c ? f.add(scaled, beta === 1 ? c : f.mul(c, beta)) : scaled;
    },
  }),
  ...(['avg', 'max'] as const).map((kind) =>
    composite({
      name: `global_${kind}_pool2d`,
      family: 'conv',
      doc: `The ${kind === 'avg' ? 'mean' : 'maximum (NaN propagates)'} over each NCHW channel's H×W plane, giving [N, C, 1, 1] (ONNX Global${kind === 'avg' ? 'Average' : 'Max'}Pool).`,
      attrs: {},
      bound: kind === 'avg' ? { ...bound(0, 0, "mean's bound over the H·W plane."), inherits: 'mean' } : bound(0, 0, 'Exact.'),
      meta(ins) {
        const x = ins[0]!.shape;
        if (x.length !== 4) throw new HearthError('E_SHAPE', `global_${kind}_pool2d: x must be NCHW (rank 4), got [${x.join(', ')}].`, { shape: x });
        if (kind === 'max' && x[2]! * x[3]! === 0) throw new HearthError('E_EMPTY', 'global_max_pool2d of an empty plane is undefined; pass a non-empty H×W.', { shape: x });
        return [x[0]!, x[1]!, 1, 1];
      },
      decompose: (b, [x]) => b.op(kind === 'avg' ? 'mean' : 'max', [x!], { axes: [2, 3], keepdims: true }),
    }),
  ),
];
