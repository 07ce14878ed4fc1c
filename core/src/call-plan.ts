import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { OpSchema } from './opset/schema.js';
import type { Device } from './device.js';
import type { KernelEntry } from './kernel-table.js';

/** The plan for one call: what `explain` reports and what `call` executes. */
export interface CallPlan {
  /** The operator. */
  readonly schema: OpSchema;
  /** The normalized attributes. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The compute dtype (keys the kernel). */
  readonly dtype: DType;
  /** The output dtype. */
  readonly outDtype: DType;
  /** The output shape. */
  readonly shape: Shape;
  /** The device the inputs are on (or the creation target). */
  readonly device: Device;
  /** The kernel there, if any. */
  readonly kernel: KernelEntry | undefined;
  /** True when an input is pending or must first come off a device that reads asynchronously. */
  readonly wait: boolean;
  /**
   * True when the call runs as it stands: every input ready on one device in the compute dtype, a kernel
   * there, and both dtypes stored; no copy, cast, decomposition or fallback to arrange first.
   */
  readonly direct: boolean;
}
