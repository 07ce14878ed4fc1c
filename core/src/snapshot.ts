/**
 * Crossing the line between the core and a plugin. What the core hands a plugin is frozen (so no plugin can
 * change what another plugin or runtime sees); what it reads from a plugin is read once, copied into
 * objects of the core's own (so a getter, a Proxy or a later mutation can't change it behind the core's
 * back), and validated by the caller.
 */

/** Freezes `x` and everything reachable from its own properties (objects, arrays, functions); returns it. */
export function deepFreeze<T>(x: T): T {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
    seen.add(v);
    for (const key of Reflect.ownKeys(v)) {
      const d = Reflect.getOwnPropertyDescriptor(v, key);
      if (d && 'value' in d) visit(d.value);
    }
    Object.freeze(v);
  };
  visit(x);
  return x;
}

/** The most entries (array elements, object keys, nesting levels) a copy of plugin data takes. */
const MAX_ENTRIES = 10_000;
const MAX_DEPTH = 8;

/**
 * A deep, frozen copy of plain data read from a plugin: strings, finite or non-finite numbers, booleans,
 * null, undefined, arrays and objects of them (own enumerable string keys). Each property is read once.
 * Returns the copy, or a sentence saying what is not plain data (a function, a symbol, a cycle, too deep).
 * Throws whatever a getter or Proxy trap throws: callers read inside a guard.
 */
export function copyData(x: unknown, path: string, depth = 0): unknown {
  switch (typeof x) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return x;
    case 'object':
      break;
    default:
      throw new PluginDataError(`${path} is a ${typeof x}, not plain data`);
  }
  if (x === null) return null;
  if (depth >= MAX_DEPTH) throw new PluginDataError(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(x)) {
    const n = (x as unknown[]).length;
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= MAX_ENTRIES)) throw new PluginDataError(`${path} has ${String(n)} entries (at most ${MAX_ENTRIES})`);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copyData((x as unknown[])[i], `${path}[${i}]`, depth + 1);
    return Object.freeze(out);
  }
  const keys = Object.keys(x);
  if (keys.length > MAX_ENTRIES) throw new PluginDataError(`${path} has ${keys.length} keys (at most ${MAX_ENTRIES})`);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = copyData((x as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    Object.defineProperty(out, k, { value: v, enumerable: true });
  }
  return Object.freeze(out);
}

/** The reason a plugin's data could not be copied; callers turn it into their own coded `HearthError`. */
export class PluginDataError extends Error {}

/**
 * Reads `key` of an object a plugin gave, once (a getter runs once; a Proxy's trap is called once). Returns
 * undefined for anything that is not an object. Throws whatever the getter throws: callers read inside a guard.
 */
export function readOnce(o: unknown, key: string): unknown {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null) return undefined;
  return (o as Record<string, unknown>)[key];
}

/**
 * A function a plugin gave, bound to its object once: later changes to the object's property don't change
 * what the core calls, and an own `bind` on the function is never consulted.
 */
export function bindOnce<F extends (...args: never[]) => unknown>(fn: F, self: unknown): F {
  return Function.prototype.bind.call(fn, self) as F;
}
