import { attr } from '../attrs.js';
import { attrOf, promoted, type OpSchema } from '../schema.js';
import { bound, composite, elementwise, ops } from './define.js';

/** A number as `cast` converts it to int32: truncated toward zero, saturated, NaN to 0. */
function castToInt32(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(Math.max(Math.trunc(v), -(2 ** 31)), 2 ** 31 - 1);
}

const few = bound(8, 4, '8 ULP, or 4 epsilons near zero: a few roundings of the formula.');
const withExp = bound(16, 16, '16 ULP, or 16 epsilons near zero (exp and log inherit their bounds).');

/** Activations defined by a formula of v1 operators. NaN propagates through each of them. */
export const ACTIVATION_COMPOSITES: readonly OpSchema[] = [
  composite({
    name: 'clip',
    family: 'activation',
    doc: 'minimum(maximum(x, min), max), a null bound left out (ONNX Clip: when min > max every element becomes max); NaN stays NaN; for int32 the bounds convert as cast does.',
    attrs: { min: attr.numberOrNull(), max: attr.numberOrNull() },
    compute: 'promote',
    computeDtypes: 'numeric',
    inputs: [promoted('x')],
    bound: bound(0, 0, 'Exact.'),
    meta: (ins) => ins[0]!.shape,
    decompose(b, [x], attrs, dtype) {
      const f = ops(b, dtype);
      const bound = (name: string) => {
        const v = attrOf<number | null>(attrs, name);
        return v === null || dtype !== 'int32' ? v : castToInt32(v);
      };
      const lo = bound('min');
      const hi = bound('max');
      const low = lo === null ? x! : f.maximum(x!, lo);
      return hi === null ? (lo === null ? b.op('reshape', [x!], { shape: [...x!.shape] }) : low) : f.minimum(low, hi);
    },
  }),
  elementwise('hard_sigmoid', 'max(0, min(1, alpha·x + beta)) (ONNX HardSigmoid).', { alpha: attr.number({ default: 0.2 }), beta: attr.number({ default: 0.5 }) }, few, (b, [x], attrs, dtype) => {
    const f = ops(b, dtype);
    return f.maximum(f.minimum(f.add(f.mul(x!, attrOf<number>(attrs, 'alpha')), attrOf<number>(attrs, 'beta')), 1), 0);
  }),
  elementwise('hard_swish', 'x · max(0, min(1, x / 6 + 1/2)) (ONNX HardSwish).', {}, few, (b, [x], _a, dtype) => {
    const f = ops(b, dtype);
    return f.mul(x!, f.maximum(f.minimum(f.add(f.mul(x!, 1 / 6), 0.5), 1), 0));
  }),
  elementwise('leaky_relu', 'x where x >= 0, else alpha·x (ONNX LeakyRelu); -0 stays -0.', { alpha: attr.number({ default: 0.01 }) }, few, (b, [x], attrs, dtype) => {
    const f = ops(b, dtype);
    return f.where(b.op('ge', [x!, b.scalar(0, dtype)]), x!, f.mul(x!, attrOf<number>(attrs, 'alpha')));
  }),
  elementwise('elu', 'x where x > 0, else alpha·(e^x - 1) (ONNX Elu).', { alpha: attr.number({ default: 1 }) }, withExp, (b, [x], attrs, dtype) => {
    const f = ops(b, dtype);
    return f.where(f.gt(x!, 0), x!, f.mul(f.sub(f.exp(x!), 1), attrOf<number>(attrs, 'alpha')));
  }),
  elementwise('softplus', 'ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|) so large x does not overflow.', {}, withExp, (b, [x], _a, dtype) => {
    const f = ops(b, dtype);
    return f.add(f.relu(x!), f.log(f.add(f.exp(b.op('neg', [f.abs(x!)])), 1)));
  }),
  elementwise('softsign', 'x / (1 + |x|).', {}, few, (b, [x], _a, dtype) => {
    const f = ops(b, dtype);
    return f.div(x!, f.add(f.abs(x!), 1));
  }),
  elementwise('silu', 'x · sigmoid(x) (also called swish).', {}, withExp, (b, [x], _a, dtype) => {
    const f = ops(b, dtype);
    return f.mul(x!, f.sigmoid(x!));
  }),
  elementwise('gelu_tanh', "GELU's tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (ONNX Gelu with approximate = tanh).", {}, withExp, (b, [x], _a, dtype) => {
    const f = ops(b, dtype);
    const inner = f.mul(f.add(x!, f.mul(f.mul(f.mul(x!, x!), x!), 0.044715)), Math.sqrt(2 / Math.PI));
    return f.mul(f.mul(x!, 0.5), f.add(f.tanh(inner), 1));
  }),
];
