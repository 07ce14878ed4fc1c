import { HearthError } from './errors.js';
import { DTYPES, dtypeCode, type DType } from './dtype.js';
import { OPSET, opId } from './opset/index.js';
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

/** One kernel registration, as {@link KernelTable.rollback} undoes it. */
export interface Registration {
  /** The entry added. */
  readonly entry: KernelEntry;
  /** The entry it replaced (an `override`), if any. */
  readonly replaced: KernelEntry | undefined;
  /** @internal */
  readonly slots: (KernelEntry | undefined)[];
  /** @internal */
  readonly key: number;
}

const NDT = DTYPES.length;

/**
 * Kernels keyed by (operator, device type, compute dtype). Lookups on the hot path are two array loads by
 * small integers: device-type id, then `opId * 5 + dtypeCode`.
 */
export class KernelTable {
  readonly #deviceIds = new Map<string, number>();
  readonly #slots: (KernelEntry | undefined)[][] = [];
  #version = 0;

  /** Grows with every change to the table: what was looked up at an earlier version may have changed. */
  get version(): number {
    return this.#version;
  }

  /** The small-integer id of a device type (or a provider's key for it), assigned on first use. */
  deviceTypeId(type: string): number {
    let id = this.#deviceIds.get(type);
    if (id === undefined) {
      id = this.#slots.length;
      this.#deviceIds.set(type, id);
      this.#slots.push(new Array(OPSET.length * NDT));
    }
    return id;
  }

  /**
   * Registers a kernel under `key` (its device type, or `type@plugin` for a second provider of that type:
   * see `FactoryRecord.kernelKey`). A taken key is `E_DUPLICATE_KERNEL` naming both owners, unless the spec says
   * `override` and `mayOverride(owner)` allows replacing that owner. Returns what was added (and replaced),
   * so a failed plugin can be rolled back exactly with {@link KernelTable.rollback}.
   */
  register(spec: KernelSpec, provenance: Provenance, mayOverride: (owner: Provenance) => boolean, key: string = spec.device): Registration[] {
    const op = opId(spec.op);
    const slots = this.#slots[this.deviceTypeId(key)]!;
    const dtypes = typeof spec.dtypes === 'string' ? [spec.dtypes] : spec.dtypes;
    const keys = dtypes.map((dtype) => {
      const key = op * NDT + dtypeCode(dtype);
      const prev = slots[key];
      if (prev && !(spec.override === true && mayOverride(prev.provenance))) {
        const hint = spec.override === true
          ? ` Replacing another plugin's kernel needs the user's consent: createHearth({ allowOverrides: ["${provenance.plugin}"] }).`
          : ' Remove one, or pass override: true to replace it (the user must allow it with createHearth({ allowOverrides })).';
        throw new HearthError(
          'E_DUPLICATE_KERNEL',
          `Kernel ${spec.op}(${dtype}) on "${spec.device}" is registered by ${prev.provenance.plugin}@${prev.provenance.version}; ` +
            `${provenance.plugin}@${provenance.version} registers it again.${hint}`,
          { op: spec.op, device: spec.device, dtype, owner: prev.provenance, other: provenance },
        );
      }
      return { key, dtype, prev };
    });
    this.#version++;
    return keys.map(({ key, dtype, prev }) => {
      // Frozen: tools and users list entries, and nobody may rewrite a kernel or its provenance through one.
      const entry: KernelEntry = Object.freeze({ op: spec.op, device: spec.device, dtype, provenance: Object.freeze({ ...provenance }), run: spec.run as KernelFn });
      slots[key] = entry;
      return { entry, replaced: prev, slots, key };
    });
  }

  /** Undoes registrations, newest first: each slot gets back what it held, unless someone replaced it since. */
  rollback(registrations: readonly Registration[]): void {
    this.#version++;
    for (let i = registrations.length - 1; i >= 0; i--) {
      const r = registrations[i]!;
      if (r.slots[r.key] === r.entry) r.slots[r.key] = r.replaced;
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
