import type { Tensor } from '@hearth/core';
import type { OpContext, OpTable } from './ops/context.js';

/** The domain of nodes the optimiser makes by fusing several ONNX nodes into one Hearth op. */
export const FUSED_DOMAIN = 'hearth.fused';

/**
 * MatMul(x, W) + b with constant W [K, N] and b [N], as opset v2's `linear` (a device may register a fused
 * kernel for it). x may have batch axes: they are flattened into the rows and restored.
 */
function linear(c: OpContext): Tensor {
  const h = c.hearth;
  const [x, w, b] = [c.tensor(0), c.tensor(1), c.tensor(2)];
  if (x.rank === 2) return h.op('linear', [x, w, b]);
  return h.scope(() => {
    const y = h.op('linear', [h.reshape(x, [-1, x.shape[x.rank - 1]!]), w, b]);
    return h.reshape(y, [...x.shape.slice(0, -1), w.shape[1]!]);
  });
}

/** The fused ops the optimiser may produce. */
export const FUSED_OPS: OpTable = {
  /** x * 0.5 * (1 + erf(x / sqrt 2)), as exported from PyTorch, is Hearth's `gelu`. */
  Gelu: { kind: 'primitive', attrs: [], run: (c): Tensor => c.hearth.gelu(c.tensor(0)) },
  Linear: { kind: 'primitive', attrs: [], run: linear },
  /** x * Clip(x + 3, 0, 6) / 6, as PaddlePaddle and TensorFlow export a hard swish, is Hearth's `hard_swish`. */
  HardSwish: { kind: 'primitive', attrs: [], run: (c): Tensor => c.hearth.op('hard_swish', [c.tensor(0)]) },
  /** A layer norm written out in ops (see optimize.ts), as Hearth's `layer_norm` over the trailing axes from `axis`. */
  LayerNorm: {
    kind: 'primitive',
    attrs: ['axis', 'epsilon'],
    run: (c): Tensor => c.hearth.layer_norm(c.tensor(0), c.inputCount > 1 ? c.tensor(1) : null, c.inputCount > 2 ? c.tensor(2) : null, { axis: c.attr('axis', -1), epsilon: c.attr('epsilon', 1e-5) }),
  },
};
