import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Backend, DeviceStorage } from './backend.js';

/** What a kernel sees of a tensor: its storage on the kernel's device, shape, dtype and element count. */
export interface KernelTensor {
  /** The storage, made by the kernel's own backend. Contiguous, row-major. */
  readonly storage: DeviceStorage;
  /** The shape. */
  readonly shape: Shape;
  /** The dtype. */
  readonly dtype: DType;
  /** The element count. */
  readonly size: number;
}

/**
 * Services the core gives a kernel. Temporary storage must come from {@link KernelContext.allocate} and be
 * returned with {@link KernelContext.release} before the kernel returns (the conformance suite checks).
 */
export interface KernelContext<B extends Backend = Backend> {
  /** The backend the kernel runs on. */
  readonly backend: B;
  /** Allocates counted scratch storage. */
  allocate(dtype: DType, size: number): DeviceStorage;
  /** Returns scratch storage. */
  release(storage: DeviceStorage, dtype: DType, size: number): void;
}

/**
 * A kernel: computes one operator for one compute dtype on one device type. It writes `output`, which the
 * core has allocated with the shape and dtype the operator's `meta` gave. It never allocates outputs,
 * never validates (the core has), and never changes its inputs. `attrs` are normalized (defaults applied).
 */
export type KernelFn<B extends Backend = Backend> = (
  inputs: readonly KernelTensor[],
  output: KernelTensor,
  attrs: Readonly<Record<string, unknown>>,
  ctx: KernelContext<B>,
) => void;

/** A kernel registration. */
export interface KernelSpec<B extends Backend = Backend> {
  /** The operator name, e.g. `"add"`. */
  readonly op: string;
  /** The device type, e.g. `"cpu"`. */
  readonly device: string;
  /**
   * The compute dtype(s) this kernel handles: after promotion, the dtype the operator computes in (for
   * `cast`, the input's dtype; for creation operators, the output's). One registration per dtype results.
   */
  readonly dtypes: DType | readonly DType[];
  /** The kernel. */
  readonly run: KernelFn<B>;
  /** Replace an existing registration of another plugin for the same key, instead of failing. */
  readonly override?: boolean;
}

/** Who registered a kernel. */
export interface Provenance {
  /** The plugin's package name. */
  readonly plugin: string;
  /** The plugin's version. */
  readonly version: string;
}
