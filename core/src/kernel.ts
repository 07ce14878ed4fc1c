import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Backend, DeviceStorage } from './backend.js';

/**
 * What a kernel sees of a tensor: a plain object made for this one call, with its storage on the kernel's
 * device, its shape (a frozen array), dtype and element count. It is not a `Tensor` and leads nowhere
 * else: a kernel gets data, never the runtime, its kernel table or another plugin's objects.
 */
export interface KernelTensor {
  /** The storage, made by the backend of the kernel's device type. Contiguous, row-major. */
  readonly storage: DeviceStorage;
  /** The shape (frozen). */
  readonly shape: Shape;
  /** The dtype. */
  readonly dtype: DType;
  /** The element count. */
  readonly size: number;
}

/**
 * Services the core gives a kernel (one frozen object per device). Temporary storage must come from
 * {@link KernelContext.allocate} and be returned with {@link KernelContext.release} before the kernel
 * returns (the conformance suite checks); releasing anything else is refused with `E_KERNEL`.
 */
export interface KernelContext<B extends Backend = Backend> {
  /** The backend the kernel runs on. */
  readonly backend: B;
  /** Allocates counted scratch storage. */
  allocate(dtype: DType, size: number): DeviceStorage;
  /** Returns scratch storage that {@link KernelContext.allocate} gave. */
  release(storage: DeviceStorage, dtype: DType, size: number): void;
}

/**
 * A kernel: computes one operator for one compute dtype on one device type. It writes `output`'s storage,
 * which the core has allocated with the shape and dtype the operator's `meta` gave, and returns
 * `undefined` (a kernel returning anything else, a result or a promise, is refused with `E_KERNEL`: the
 * core reads the output as soon as `run` returns). It never allocates outputs, never validates (the core
 * has), and never changes its inputs. `inputs` is a fresh array of {@link KernelTensor} views; `attrs`
 * are normalized (defaults applied) and frozen, lists included.
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
