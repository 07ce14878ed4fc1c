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

/** The events of a runtime, by name. */
export interface HearthEvents {
  /** A fallback happened. */
  fallback: FallbackEvent;
  /** Data moved between devices. */
  transfer: TransferEvent;
  /** Something the user should know (the `warn` fallback policy, a failed backend). */
  warning: { readonly message: string; readonly code: string };
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
