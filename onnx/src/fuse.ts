import type { Tensor } from '@hearth/core';
import type { OpTable } from './ops/context.js';

/** The domain of nodes the optimiser makes by fusing several ONNX nodes into one Hearth op. */
export const FUSED_DOMAIN = 'hearth.fused';

/** The fused ops the optimiser may produce. */
export const FUSED_OPS: OpTable = {
  /** x * 0.5 * (1 + erf(x / sqrt 2)), as exported from PyTorch, is Hearth's `gelu`. */
  Gelu: { kind: 'primitive', attrs: [], run: (c): Tensor => c.hearth.gelu(c.tensor(0)) },
};
