import { HearthError } from './errors.js';
import { DTYPES, dtypeCode, type DType } from './dtype.js';
import { OPSET_V1, opId } from './opset/index.js';
import type { KernelFn, KernelSpec, Provenance } from './kernel.js';

/** One registered kernel, as tools list it. */
export interface KernelEntry {
  /** The operator. */
  readonly op: string;
  /** The device type. */
  readonly device: string;
  /** The compute dtype. */
  readonly dtype: DType;
  /** Who registered it. */
  readonly provenance: Provenance;
  /** The kernel itself. */
  readonly run: KernelFn;
}

const NDT = DTYPES.length;

/**
 * Kernels keyed by (operator, device type, compute dtype). Lookups on the hot path are two array loads by
 * small integers: device-type id, then `opId * 5 + dtypeCode`.
 */
export class KernelTable {
  readonly #deviceIds = new Map<string, number>();
  readonly #slots: (KernelEntry | undefined)[][] = [];

  /** The small-integer id of a device type, assigned on first use. */
  deviceTypeId(type: string): number {
    let id = this.#deviceIds.get(type);
    if (id === undefined) {
      id = this.#slots.length;
      this.#deviceIds.set(type, id);
      this.#slots.push(new Array(OPSET_V1.length * NDT));
    }
    return id;
  }

  /** Registers a kernel; a taken key is `E_DUPLICATE_KERNEL` naming both owners unless `override` is set. */
  register(spec: KernelSpec, provenance: Provenance): KernelEntry[] {
    const op = opId(spec.op);
    const slots = this.#slots[this.deviceTypeId(spec.device)]!;
    const dtypes = typeof spec.dtypes === 'string' ? [spec.dtypes] : spec.dtypes;
    const added: KernelEntry[] = [];
    for (const dtype of dtypes) {
      const key = op * NDT + dtypeCode(dtype);
      const prev = slots[key];
      if (prev && !spec.override) {
        throw new HearthError(
          'E_DUPLICATE_KERNEL',
          `Kernel ${spec.op}(${dtype}) on "${spec.device}" is registered by ${prev.provenance.plugin}@${prev.provenance.version}; ` +
            `${provenance.plugin}@${provenance.version} registers it again. Remove one, or pass override: true to replace it.`,
          { op: spec.op, device: spec.device, dtype, owner: prev.provenance, other: provenance },
        );
      }
      const entry: KernelEntry = { op: spec.op, device: spec.device, dtype, provenance, run: spec.run as KernelFn };
      slots[key] = entry;
      added.push(entry);
    }
    return added;
  }

  /** Removes every kernel of a plugin (used when its `register` fails half-way). */
  unregisterPlugin(plugin: string): void {
    for (const slots of this.#slots) {
      for (let i = 0; i < slots.length; i++) if (slots[i]?.provenance.plugin === plugin) slots[i] = undefined;
    }
  }

  /** The hot-path lookup. */
  lookup(deviceTypeId: number, opIndex: number, dtypeCodeValue: number): KernelEntry | undefined {
    return this.#slots[deviceTypeId]?.[opIndex * NDT + dtypeCodeValue];
  }

  /** The kernel for names, or undefined. */
  find(op: string, device: string, dtype: DType): KernelEntry | undefined {
    const id = this.#deviceIds.get(device);
    return id === undefined ? undefined : this.lookup(id, opId(op), dtypeCode(dtype));
  }

  /** Every registered kernel, for tools. */
  entries(): KernelEntry[] {
    return this.#slots.flatMap((slots) => slots.filter((e): e is KernelEntry => e !== undefined));
  }
}
