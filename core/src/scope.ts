import type { Tensor } from './tensor.js';

/** The tensors made inside one `hearth.scope(...)` call. */
export class Scope {
  readonly tensors: Tensor[] = [];
}

interface AsyncStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/**
 * Which scope is current. Where the platform has AsyncLocalStorage (Node, Deno, Bun), a scope follows its
 * async code across `await`; elsewhere (browsers) a stack is used, which is exact for synchronous scopes.
 */
export class ScopeTracker {
  readonly #als: AsyncStore<Scope | undefined> | undefined = makeAsyncStore();
  readonly #stack: Scope[] = [];

  /** True when async scopes are tracked exactly. */
  get asyncAware(): boolean {
    return this.#als !== undefined;
  }

  /** The innermost scope, if any. */
  current(): Scope | undefined {
    return this.#als ? this.#als.getStore() : this.#stack[this.#stack.length - 1];
  }

  /** Runs `fn` with `scope` current. The stack variant pops when `fn`'s promise settles. */
  run<R>(scope: Scope, fn: () => R): R {
    if (this.#als) return this.#als.run(scope, fn);
    this.#stack.push(scope);
    let result: R;
    try {
      result = fn();
    } catch (e) {
      this.#stack.pop();
      throw e;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.#stack.splice(this.#stack.lastIndexOf(scope), 1)) as R;
    }
    this.#stack.pop();
    return result;
  }
}

function makeAsyncStore(): AsyncStore<Scope | undefined> | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: new () => AsyncStore<Scope | undefined> } | undefined;
  return mod?.AsyncLocalStorage ? new mod.AsyncLocalStorage() : undefined;
}
