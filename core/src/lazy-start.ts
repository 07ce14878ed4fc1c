import type { HearthError } from './errors.js';
import type { Device } from './device.js';
import type { FactoryRecord } from './plugins.js';

/** A lazy backend's start: its failure (`F`, carrying the error), or undefined once its devices are up. */
export type StartBackend<F> = (type: string, rec: FactoryRecord, first: Device) => Promise<F | undefined>;

/**
 * The backends that start on first use (a plugin's `lazy` factory) and have not started, each with its first
 * device, which exists before the start (with no backend) so that programs can name it; and their starts:
 * each backend starts once, and a failed start keeps its one error for every later ask.
 */
export class LazyBackends<F extends { readonly error: HearthError }> {
  readonly #waiting = new Map<string, { readonly rec: FactoryRecord; readonly device: Device }>();
  readonly #starting = new Map<string, Promise<void>>();
  readonly #failures = new Map<string, HearthError>();

  constructor(
    private readonly startBackend: StartBackend<F>,
    /** Told after each start, whatever its outcome (the runtime refreshes its report). */
    private readonly settled: (type: string, failure: F | undefined) => void,
  ) {}

  /** Leaves a backend to start on first use; `device` is its first device, not started. */
  wait(type: string, rec: FactoryRecord, device: Device): void {
    this.#waiting.set(type, { rec, device });
  }

  /** The first device of a backend waiting to start (`type:0`), if `type` is one. */
  device(type: string): Device | undefined {
    return this.#waiting.get(type)?.device;
  }

  /** True while `type` waits to start or is starting. */
  pending(type: string): boolean {
    return this.#waiting.has(type) || this.#starting.has(type);
  }

  /** The error of a start that failed. */
  failure(type: string): HearthError | undefined {
    return this.#failures.get(type);
  }

  /** The backends waiting, with their plugins and first devices. */
  waiting(): { readonly backend: string; readonly plugin: string; readonly device: Device }[] {
    return [...this.#waiting].map(([backend, w]) => ({ backend, plugin: w.rec.plugin, device: w.device }));
  }

  /** The start of `type`, begun on the first ask (resolves when started, rejects with its one error); undefined for a backend that never waited. */
  start(type: string): Promise<void> | undefined {
    let starting = this.#starting.get(type);
    const w = this.#waiting.get(type);
    if (!starting && w) {
      starting = this.startBackend(type, w.rec, w.device).then((failure) => {
        this.#waiting.delete(type);
        if (failure) this.#failures.set(type, failure.error);
        this.settled(type, failure);
        if (failure) throw failure.error;
      });
      this.#starting.set(type, starting);
    }
    return starting;
  }
}
