import { HearthError, describeError, isHearthError } from './errors.js';
import { isFloat, type DType, type HostArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { Provenance } from './kernel.js';
import type { HearthPlugin } from './plugin.js';
import type { Device } from './device.js';
import type { DisagreementEvent, Events } from './events.js';
import { tensorInternals, type Tensor } from './tensor.js';

/** The default share of kernel calls a field check re-runs: one in a thousand. */
export const DEFAULT_VERIFY_RATE = 0.001;

/** How many sampled calls may wait for their check; more are counted as dropped rather than queued. */
const MAX_QUEUED = 16;

/**
 * Field checks (`createHearth({ verify })`): a random share of kernel calls is re-run on a reference
 * plugin in the background and every disagreement is reported as a `disagreement` event. A plugin that
 * behaves only under test is caught where it is used; it cannot tell a sampled call from another, since
 * the sample is drawn after its kernel has returned.
 */
export interface VerifyOptions {
  /** The share of kernel calls re-run, in [0, 1] (default {@link DEFAULT_VERIFY_RATE}). */
  readonly rate?: number;
  /**
   * The reference plugin, run in a runtime of its own. When left out, the plugin given to `createHearth`
   * that provides the `cpu` device type is the reference (the core never imports a plugin).
   */
  readonly reference?: HearthPlugin;
  /** The reference's device type (default `cpu`). */
  readonly device?: string;
  /**
   * Allowed relative difference of float results (default 1e-3 for float32, 1e-2 for float16, 1e-9 for
   * float64), measured against the larger of the element and the output's largest magnitude times 1e-3.
   * A coarse check for wrong answers; the conformance suite judges accuracy.
   */
  readonly tolerance?: number;
}

/** What the field checks have done so far. */
export interface VerifyStats {
  /** The sampling rate. */
  readonly rate: number;
  /** The reference plugin, once known. */
  readonly reference: string | undefined;
  /** Calls drawn for a check. */
  readonly sampled: number;
  /** Checks made. */
  readonly checked: number;
  /** Checks that found a disagreement. */
  readonly disagreements: number;
  /** Drawn calls not checked: the reference lacks the kernel, or too many checks were waiting. */
  readonly skipped: number;
}

/** The part of a runtime the checker needs of its reference: created on first use, in its own instance. */
export interface ReferenceRuntime {
  /** Waits for the reference device. */
  ready(): Promise<unknown>;
  /** Makes a tensor on it. */
  tensor(data: HostArray, options: { dtype: DType; shape: readonly number[] }): Tensor;
  /** Runs an operator there. */
  op(name: string, inputs: readonly Tensor[], attrs?: Readonly<Record<string, unknown>>): Tensor;
  /** Releases it. */
  dispose(): Promise<void>;
}

/** Reads the rate of `HEARTH_VERIFY` (`0.001`, `on`/`true` for the default rate, `off`/`0`); undefined when unset. */
export function verifyRateFromEnv(value: string | undefined): number | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'on' || v === 'true') return DEFAULT_VERIFY_RATE;
  if (v === 'off' || v === 'false') return 0;
  const rate = Number(v);
  if (!(rate >= 0 && rate <= 1)) throw new HearthError('E_ARG', `HEARTH_VERIFY must be a sampling rate in [0, 1] (e.g. 0.001), "on" or "off"; got ${JSON.stringify(value)}.`);
  return rate;
}

const TOLERANCE: Partial<Record<DType, number>> = { float16: 1e-2, float32: 1e-3, float64: 1e-9 };

/** A sampled call's data, read when it ran. */
interface Sample {
  readonly op: string;
  readonly dtype: DType;
  readonly device: string;
  readonly plugin: Provenance;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly inputs: readonly { readonly dtype: DType; readonly shape: Shape; readonly data: Promise<HostArray> }[];
  readonly out: { readonly dtype: DType; readonly data: Promise<HostArray> };
}

/** Copies a tensor's data now (sync devices) or starts its read (the others), before the caller can dispose it. */
function readNow(device: Device, t: Tensor): Promise<HostArray> {
  if (device.backend.syncRead) {
    try {
      return Promise.resolve(device.readSync(tensorInternals.storage(t), t.dtype, t.size).slice() as HostArray);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return device.read(tensorInternals.storage(t), t.dtype, t.size);
}

/** The runtime's field checker: samples calls in the dispatcher, checks them one at a time in the background. */
export class FieldChecker {
  #reference: Promise<ReferenceRuntime> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #closed = false;
  #sampled = 0;
  #checked = 0;
  #disagreements = 0;
  #skipped = 0;

  constructor(
    /** The sampling rate. */
    readonly rate: number,
    private readonly referencePlugin: HearthPlugin | undefined,
    private readonly makeReference: (plugin: HearthPlugin) => ReferenceRuntime,
    private readonly events: Events,
    private readonly tolerance: number | undefined,
  ) {}

  /**
   * Called by the dispatcher after every kernel that returned: draws whether to check this call. Costs a
   * random draw when not sampled; allocates nothing then.
   */
  sample(provenance: Provenance, op: string, dtype: DType, attrs: Readonly<Record<string, unknown>>, device: Device, inputs: readonly Tensor[], out: Tensor): void {
    if (Math.random() >= this.rate || this.#closed) return;
    if (provenance.plugin === this.referencePlugin?.manifest.name) return; // the reference agrees with itself
    this.#sampled++;
    if (this.referencePlugin === undefined || this.#queued >= MAX_QUEUED) {
      this.#skipped++;
      return;
    }
    const s: Sample = {
      op,
      dtype,
      device: device.name,
      plugin: provenance,
      attrs,
      inputs: inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: readNow(device, t) })),
      out: { dtype: out.dtype, data: readNow(device, out) },
    };
    for (const x of [...s.inputs, s.out]) x.data.catch(() => undefined);
    this.#queued++;
    this.#queue = this.#queue.then(async () => {
      // Yield first: the check runs after the user's synchronous work, not inside the call.
      await new Promise((resolve) => setTimeout(resolve, 0));
      try {
        if (!this.#closed) await this.#check(s);
      } catch (e) {
        this.#skipped++;
        if (!isHearthError(e, 'E_NO_KERNEL') && !isHearthError(e, 'E_DTYPE')) this.events.emit('warning', { code: isHearthError(e) ? e.code : 'E_KERNEL', message: `A field check of ${op}(${dtype}) on ${s.device} could not run on the reference: ${describeError(e)}.` });
      } finally {
        this.#queued--;
      }
    });
  }

  async #check(s: Sample): Promise<void> {
    const ref = await (this.#reference ??= (async () => {
      const r = this.makeReference(this.referencePlugin!);
      await r.ready();
      return r;
    })());
    const inputs = await Promise.all(s.inputs.map(async (x) => ({ dtype: x.dtype, shape: x.shape, data: await x.data })));
    const observed = await s.out.data;
    const tensors = inputs.map((x) => ref.tensor(x.data, { dtype: x.dtype, shape: x.shape }));
    let expected: HostArray;
    try {
      const r = ref.op(s.op, tensors, s.attrs);
      try {
        expected = await r.data();
      } finally {
        r.dispose();
      }
    } finally {
      for (const t of tensors) t.dispose();
    }
    this.#checked++;
    const found = differences(observed, expected, s.out.dtype, this.tolerance ?? TOLERANCE[s.out.dtype] ?? 0);
    if (!found) return;
    this.#disagreements++;
    const m = this.referencePlugin!.manifest;
    this.events.emit('disagreement', {
      op: s.op,
      dtype: s.dtype,
      device: s.device,
      plugin: s.plugin,
      reference: { plugin: m.name, version: m.version },
      shapes: inputs.map((x) => x.shape),
      ...found,
      repro: { op: s.op, attrs: s.attrs, inputs: inputs.map((x) => ({ dtype: x.dtype, shape: [...x.shape], data: Array.from(x.data as ArrayLike<number>) })) },
    });
  }

  /** What the checks have done so far. */
  stats(): VerifyStats {
    return { rate: this.rate, reference: this.referencePlugin?.manifest.name, sampled: this.#sampled, checked: this.#checked, disagreements: this.#disagreements, skipped: this.#skipped };
  }

  /** Resolves once every check drawn so far has finished (before a program exits, or in a test). */
  async drain(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.#queue;
      await last;
    } while (last !== this.#queue);
  }

  /** Stops checking and releases the reference runtime. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
    if (this.#reference) await (await this.#reference.catch(() => undefined))?.dispose();
  }
}

/** Counts elements that differ beyond the tolerance; undefined when none does. */
function differences(observed: HostArray, expected: HostArray, dtype: DType, tolerance: number): { mismatches: number; first: DisagreementEvent['first'] } | undefined {
  if (observed.length !== expected.length) return { mismatches: Math.max(observed.length, expected.length), first: { index: 0, observed: observed.length, expected: expected.length } };
  let scale = 0;
  if (isFloat(dtype)) for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i] as number));
  let mismatches = 0;
  let first: DisagreementEvent['first'] | undefined;
  for (let i = 0; i < expected.length; i++) {
    const a = observed[i] as number;
    const b = expected[i] as number;
    const same = isFloat(dtype) ? (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= tolerance * Math.max(Math.abs(b), scale * 1e-3) : a === b;
    if (!same) {
      mismatches++;
      first ??= { index: i, observed: a, expected: b };
    }
  }
  return first ? { mismatches, first } : undefined;
}
