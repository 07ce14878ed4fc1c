/**
 * Settles with `work`'s outcome, or rejects with `onTimeout()` when it has not settled within `ms`. A plugin's
 * `register` or a backend's `create` that never settles must not hang the runtime; the timer is cleared as
 * soon as the work settles, so nothing is kept alive.
 */
export function withTimeLimit<T>(work: PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
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
