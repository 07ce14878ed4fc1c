import { createHearth, CORE_API_VERSION, DTYPES, OPSET_VERSION, getOp, isHearthError, kindOf, pluginOpset, type DType, type Hearth, type HearthPlugin } from '@hearth/core';

/** What opening a plugin's device found: who, what it declares, or why it failed. */
export interface InitReport {
  /** True when the device is ready. */
  readonly ok: boolean;
  /** Why it is not (the plugin's or the runtime's message). */
  readonly reason?: string;
  /** The HearthError code of the failure, when there is one. */
  readonly code?: string;
  /** The plugin's manifest facts. */
  readonly plugin: {
    readonly name: string;
    readonly version: string;
    readonly vendor: string;
    readonly coreApi: string;
    /** The opset the plugin declares (1 when its manifest says none): the operators it is judged on. */
    readonly opset: number;
  };
  /** The device type run. */
  readonly deviceType: string;
  /** The device's name (`cpu:0`), once ready. */
  readonly device?: string;
  /** What the device says about itself (the adapter, for GPUs). */
  readonly deviceInfo?: Readonly<Record<string, unknown>>;
  /** The dtypes the device stores. */
  readonly stores: readonly DType[];
  /** Declared kernels on this device type, as `op:dtype`. */
  readonly declared: readonly string[];
  /** The core API version of the host running the suite. */
  readonly coreApi: string;
  /** The opset version of the host. */
  readonly opset: number;
}

/** Live storage on the device, from the core's ledger and the backend's own count. */
export interface Snapshot {
  readonly bytes: number;
  readonly tensors: number;
  readonly scratch: number;
  readonly backendAllocations: number;
  readonly backendBytes: number;
}

/** A runtime with one plugin's device, opened for the suite. */
export class Session {
  readonly #declared: Set<string>;
  /** The baseline storage right after opening, for the end-of-run leak check. */
  readonly baseline: Snapshot | undefined;

  private constructor(
    /** The runtime, when the device is ready. */
    readonly hearth: Hearth | undefined,
    /** What opening found. */
    readonly report: InitReport,
  ) {
    this.#declared = new Set(report.declared);
    this.baseline = hearth && report.ok ? this.snapshot() : undefined;
  }

  /** Opens `plugin`'s device of type `deviceType` (its first device type when left out), isolated if asked. Never throws. */
  static async open(plugin: HearthPlugin, deviceType?: string, backendOptions?: Readonly<Record<string, unknown>>, isolate?: boolean): Promise<Session> {
    const m = plugin.manifest ?? ({} as HearthPlugin['manifest']);
    const type = deviceType ?? m.deviceTypes?.[0] ?? 'unknown';
    const base = {
      plugin: { name: String(m.name), version: String(m.version), vendor: String(m.vendor), coreApi: String(m.coreApi), opset: Number.isSafeInteger(m.opset) ? pluginOpset(m) : 1 },
      deviceType: type,
      coreApi: CORE_API_VERSION,
      opset: OPSET_VERSION,
      stores: [] as DType[],
      declared: [] as string[],
    };
    let h: Hearth | undefined;
    try {
      h = createHearth({ plugins: [plugin], backends: [type], exclusive: true, fallback: 'error', ...(backendOptions ? { backendOptions: { [type]: backendOptions } } : {}), ...(isolate ? { isolate: true } : {}) });
      const ready = await h.ready();
      const failed = ready.failed.find((f) => f.backend === type);
      const pluginFailed = ready.plugins.find((p) => p.status === 'failed');
      const dev = ready.devices.find((d) => d.name === `${type}:0`);
      if (failed || !dev) {
        const e = failed?.error ?? pluginFailed?.error;
        return new Session(h, { ...base, ok: false, reason: e?.message ?? `no ${type} device is ready`, ...(e ? { code: e.code } : {}) });
      }
      const declared = h.kernels().filter((k) => k.device === type).map((k) => `${k.op}:${k.dtype}`);
      const info = JSON.parse(JSON.stringify(dev.info)) as Record<string, unknown>;
      return new Session(h, { ...base, ok: true, device: dev.name, deviceInfo: info, stores: DTYPES.filter((d) => dev.dtypes.includes(d)), declared });
    } catch (e) {
      // ready() sums up every failure in E_NO_BACKEND; the device's own error says what to fix.
      const own = h?.report?.failed.find((f) => f.backend === type)?.error;
      const err = own ?? e;
      return new Session(h, { ...base, ok: false, reason: (err as Error)?.message ?? String(err), ...(isHearthError(err) ? { code: err.code } : {}) });
    }
  }

  /** The device name. */
  get device(): string {
    return this.report.device!;
  }

  /**
   * True when the plugin registered a kernel for (op, compute dtype) on this device type, or when the op is
   * a composite: without a fused kernel it runs as its decomposition, judged like a kernel.
   */
  declared(op: string, dtype: DType): boolean {
    return this.#declared.has(`${op}:${dtype}`) || kindOf(getOp(op)) === 'composite';
  }

  /** The first of `dtypes` the device does not store, if any. */
  missingDtype(dtypes: readonly DType[]): DType | undefined {
    return dtypes.find((d) => !this.report.stores.includes(d));
  }

  /** Live storage now. */
  snapshot(): Snapshot {
    const l = this.hearth!.memoryOf(this.device);
    const b = this.hearth!.backendStats(this.device);
    return { bytes: l.bytes, tensors: l.tensors, scratch: l.scratch, backendAllocations: b?.liveAllocations ?? 0, backendBytes: b?.liveBytes ?? 0 };
  }

  /** Releases the runtime. */
  async close(): Promise<void> {
    await this.hearth?.dispose();
  }
}

/** Says how two snapshots differ, or undefined when storage is back where it was. */
export function leakBetween(before: Snapshot, after: Snapshot): string | undefined {
  const parts: string[] = [];
  if (after.tensors !== before.tensors) parts.push(`${after.tensors - before.tensors} tensor(s)`);
  if (after.scratch !== before.scratch) parts.push(`${after.scratch - before.scratch} scratch allocation(s) not released with ctx.release`);
  if (after.bytes !== before.bytes) parts.push(`${after.bytes - before.bytes} bytes in the core's ledger`);
  if (after.backendAllocations !== before.backendAllocations || after.backendBytes !== before.backendBytes) {
    parts.push(`${after.backendAllocations - before.backendAllocations} backend allocation(s) / ${after.backendBytes - before.backendBytes} bytes the backend still holds`);
  }
  return parts.length ? `leaked storage: ${parts.join(', ')}` : undefined;
}
