import type { Hearth, Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';
import { hasOp } from './elementwise.js';

/**
 * NegativeLogLikelihoodLoss of `logProb` [N, C, d...] at `target` [N, d...]: -logProb[n, target, d...] times
 * the class weight (1 without `weight`), 0 where the target is `ignoreIndex`; then `none`, the sum, or the
 * mean over the weights taken (ONNX's `mean` divides by the weights' sum, not the count).
 */
function nllLoss(h: Hearth, logProb: Tensor, target: Tensor, weight: Tensor | undefined, reduction: string, ignoreIndex: number | undefined): Tensor {
  const t = h.cast(target, 'int32');
  const ignored = ignoreIndex === undefined ? undefined : h.eq(t, ignoreIndex);
  const index = ignored ? h.where(ignored, 0, t) : t; // an ignored target still has to be a valid index
  const indexShape = [t.shape[0]!, 1, ...t.shape.slice(1)];
  const picked = h.reshape(h.op('gather_elements', [logProb, h.reshape(index, indexShape)], { axis: 1 }), t.shape);
  let w = weight ? h.gather(weight, index, 0) : h.full(t.shape, 1, { dtype: logProb.dtype, device: logProb.device });
  if (ignored) w = h.where(ignored, 0, w);
  const loss = h.neg(h.mul(picked, w));
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? h.sum(loss) : h.div(h.sum(loss), h.sum(w));
}

const REDUCTIONS = ['none', 'sum', 'mean'];
const checkReduction = (node: Parameters<NonNullable<OnnxOp['check']>>[0]) => {
  const r = node.attrs.get('reduction') as string | undefined;
  return r === undefined || REDUCTIONS.includes(r) ? undefined : `reduction "${r}"`;
};
const ignoreIndexOf = (c: OpContext) => (c.node.attrs.has('ignore_index') ? c.attr('ignore_index', 0) : undefined);

/** The loss ops, where the core has `gather_elements` (opset v2); each runs in its node's scope. */
export const LOSS_OPS: OpTable = hasOp('gather_elements')
  ? {
      NegativeLogLikelihoodLoss: {
        kind: 'decomposed',
        attrs: ['reduction', 'ignore_index'],
        since: 12,
        check: checkReduction,
        run: (c) => nllLoss(c.hearth, c.tensor(0), c.tensor(1), c.optTensor(2), c.attr('reduction', 'mean'), ignoreIndexOf(c)),
      },
      // NegativeLogLikelihoodLoss of log_softmax over the classes; the second output, when named, is that log_softmax.
      SoftmaxCrossEntropyLoss: {
        kind: 'decomposed',
        attrs: ['reduction', 'ignore_index'],
        since: 12,
        check: checkReduction,
        run: (c) => {
          const logProb = c.hearth.log_softmax(c.tensor(0), 1);
          const loss = nllLoss(c.hearth, logProb, c.tensor(1), c.optTensor(2), c.attr('reduction', 'mean'), ignoreIndexOf(c));
          return c.node.outputs[1] ? [loss, logProb] : loss;
        },
      },
    }
  : {};
