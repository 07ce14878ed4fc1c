import type { OpSchema } from '../schema.js';
import { ACTIVATION_COMPOSITES } from './activations.js';
import { LAYOUT_COMPOSITES } from './layout.js';
import { LINEAR_COMPOSITES } from './linear.js';
import { NORMALIZATION_COMPOSITES } from './normalization.js';

/** The composite operators of opset v2: each defined by its decomposition into other operators. */
export const COMPOSITES_V2: readonly OpSchema[] = [...NORMALIZATION_COMPOSITES, ...ACTIVATION_COMPOSITES, ...LINEAR_COMPOSITES, ...LAYOUT_COMPOSITES];
