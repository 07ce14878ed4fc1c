/** The longest delay one `setTimeout` honours; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Settles with `work`'s outcome, or rejects with `onTimeout()` when it has not settled within `ms`. A plugin's
 * `register` or a backend's `create` that never settles must not hang the runtime; the timer is cleared as
 * soon as the work settles, so nothing is kept alive. Any limit works, days included (timers clamp delays
 * above 2^31 - 1 ms, so a longer one waits in steps).
 */
export function withTimeLimit<T>(work: PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout>;
    // Timers clamp delays above 2^31 - 1 ms to 1 ms: a longer limit waits in steps.
    const wait = (left: number): void => {
      timer = setTimeout(() => (left > MAX_TIMER_MS ? wait(left - MAX_TIMER_MS) : reject(onTimeout())), Math.min(left, MAX_TIMER_MS));
    };
    wait(ms);
    Promise.resolve(work).then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** True for anything with a callable `then` (a Promise from any realm, or a hand-made thenable). */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
