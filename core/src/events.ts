import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Provenance } from './kernel.js';

/** A kernel ran on another device than its inputs' because theirs has none (policy `warn` or `allow`). */
export interface FallbackEvent {
  /** The operator. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: string;
  /** The inputs' device. */
  readonly from: string;
  /** The device it ran on. */
  readonly to: string;
  /** Bytes moved both ways. */
  readonly bytes: number;
}

/** Data moved between devices, by `to()`, a fallback or a mixed-device call the policy allowed. */
export interface TransferEvent {
  /** The source device. */
  readonly from: string;
  /** The target device. */
  readonly to: string;
  /** Bytes moved. */
  readonly bytes: number;
  /** Why: `to`, `fallback` or `mixed-devices`. */
  readonly reason: 'to' | 'fallback' | 'mixed-devices';
}

/** A kernel about to run or just run, as hooks see it. */
export interface KernelEvent {
  /** The operator. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: string;
  /** The device. */
  readonly device: string;
  /** The plugin whose kernel it is. */
  readonly plugin: string;
  /** The inputs' shapes (set by the dispatcher; hooks of older cores may lack it). */
  readonly inputShapes?: readonly (readonly number[])[];
  /** The output's shape. */
  readonly outputShape?: readonly number[];
}

/** An input of a call as saved for a reproduction: plain numbers, NaN and ±Infinity included. */
export interface SavedTensor {
  /** The dtype. */
  readonly dtype: DType;
  /** The shape. */
  readonly shape: readonly number[];
  /** The elements, row-major (bool as 0/1). */
  readonly data: readonly number[];
}

/** A kernel call whose result the reference disagrees with (the `disagreement` event). */
export interface DisagreementEvent {
  /** The operator. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: DType;
  /** The device it ran on, e.g. `webgpu:0`. */
  readonly device: string;
  /** The plugin whose kernel it was, and its version. */
  readonly plugin: Provenance;
  /** The reference plugin and its version. */
  readonly reference: Provenance;
  /** The input shapes. */
  readonly shapes: readonly Shape[];
  /** How many output elements differ beyond the tolerance. */
  readonly mismatches: number;
  /** The first differing element: its flat index, the plugin's value and the reference's. */
  readonly first: { readonly index: number; readonly observed: number; readonly expected: number };
  /** The call, saved whole: rerun it with `hearth conformance --repro <file>` (see @hearth/conformance `writeRepro`). */
  readonly repro: { readonly op: string; readonly attrs: Readonly<Record<string, unknown>>; readonly inputs: readonly SavedTensor[] };
}

/** The events of a runtime, by name. */
export interface HearthEvents {
  /** A fallback happened. */
  fallback: FallbackEvent;
  /** Data moved between devices. */
  transfer: TransferEvent;
  /** Something the user should know (the `warn` fallback policy, a failed backend). */
  warning: { readonly message: string; readonly code: string };
  /** A field check (`createHearth({ verify })`) found a kernel's result differing from the reference's. */
  disagreement: DisagreementEvent;
}

/** A minimal typed event emitter; listeners run synchronously in registration order. */
export class Events {
  readonly #listeners = new Map<keyof HearthEvents, Set<(e: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof HearthEvents>(name: K, listener: (e: HearthEvents[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (e: never) => void);
    return () => set!.delete(listener as (e: never) => void);
  }

  /** True when someone listens to `name`. */
  has(name: keyof HearthEvents): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  /** Emits an event. */
  emit<K extends keyof HearthEvents>(name: K, event: HearthEvents[K]): void {
    const set = this.#listeners.get(name);
    if (set) for (const l of [...set]) (l as (e: HearthEvents[K]) => void)(event);
  }
}
