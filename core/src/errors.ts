/**
 * The stable error codes of Hearth. Each is part of the public API: a code never changes meaning, and new
 * codes are only added. The table in `docs/errors.md` explains each one and what to do about it.
 */
export const ERROR_CODES = [
  'E_ARG',
  'E_ATTR',
  'E_DTYPE',
  'E_SHAPE',
  'E_BROADCAST',
  'E_AXIS',
  'E_EMPTY',
  'E_INDEX_OUT_OF_RANGE',
  'E_UNKNOWN_OP',
  'E_NO_KERNEL',
  'E_DUPLICATE_KERNEL',
  'E_DEVICE',
  'E_DEVICE_MISMATCH',
  'E_NO_BACKEND',
  'E_NOT_READY',
  'E_SYNC_READ',
  'E_DISPOSED',
  'E_PLUGIN',
  'E_PLUGIN_VERSION',
  'E_BACKEND_INIT',
  'E_DEVICE_LOST',
  'E_GPU_VALIDATION',
  'E_OUT_OF_MEMORY',
  'E_KERNEL',
  'E_NOT_INSTALLED',
  'E_BACKEND',
  'E_MODEL',
  'E_UNSUPPORTED',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** True when `code` is one of {@link ERROR_CODES} (e.g. a code read from a report or another process). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The brand every {@link HearthError} carries, registered in the global symbol registry so that an error
 * made by one installed copy of `@hearth/core` is recognised by another (a plugin may resolve its own copy).
 */
const HEARTH_ERROR_BRAND: unique symbol = Symbol.for('@hearth/core:HearthError') as never;

/**
 * Every error a user can cause in Hearth. `code` is stable and machine-readable; `message` says what went
 * wrong and what to do about it. `details` carries structured context (the op, the shapes, the plugin...).
 */
export class HearthError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** Structured context for tools; never needed to understand the message. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HearthError';
    this.code = code;
    this.details = details;
    Object.defineProperty(this, HEARTH_ERROR_BRAND, { value: true });
  }

  /**
   * `e instanceof HearthError` holds for errors of every copy of `@hearth/core` in the process, by the
   * registered brand rather than class identity; subclasses keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== HearthError) return Function.prototype[Symbol.hasInstance].call(this, value);
    if (typeof value !== 'object' || value === null) return false;
    try {
      return (value as Record<symbol, unknown>)[HEARTH_ERROR_BRAND] === true;
    } catch {
      return false; // a hostile object (a Proxy whose get throws) is not a HearthError
    }
  }
}

/** True when `e` is a {@link HearthError}, optionally with the given code. */
export function isHearthError(e: unknown, code?: ErrorCode): e is HearthError {
  return e instanceof HearthError && (code === undefined || e.code === code);
}

/**
 * A short description of anything thrown (a plugin may throw a non-Error, an object with a `message` like
 * a GPUError, or an object whose getters throw),
 * as a clause: without its closing period and spaces, since every message that quotes one ends the sentence
 * itself (no "failed: out of memory.. Dispose").
 */
export function describeError(e: unknown): string {
  let text: string;
  try {
    const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
    text = typeof message === 'string' ? message : typeof e === 'string' ? e : String(e);
  } catch {
    return 'an unprintable error';
  }
  const clause = text.replace(/[\s.]+$/, '');
  return clause === '' ? 'an error with no message' : clause;
}

/**
 * A user's value as messages print it: like `JSON.stringify` (strings quoted, compact arrays and objects),
 * except that numbers print as JavaScript writes them (`NaN`, `Infinity`, `-0`, not `null`), and long or
 * deep values are cut short. Never throws.
 */
export function formatValue(x: unknown, depth = 0): string {
  try {
    switch (typeof x) {
      case 'number':
        return Object.is(x, -0) ? '-0' : String(x);
      case 'string':
        return JSON.stringify(x.length > 200 ? `${x.slice(0, 200)}...` : x);
      case 'bigint':
        return `${x}n`;
      case 'undefined':
      case 'boolean':
        return String(x);
      case 'function':
        return 'a function';
      case 'symbol':
        return x.toString();
    }
    if (x === null) return 'null';
    if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
    if (depth > 3) return Array.isArray(x) ? '[...]' : '{...}';
    if (Array.isArray(x)) {
      const items = x.slice(0, 16).map((v: unknown) => formatValue(v, depth + 1));
      if (x.length > 16) items.push(`...${x.length - 16} more`);
      return `[${items.join(',')}]`;
    }
    const keys = Object.keys(x as object);
    const items = keys.slice(0, 16).map((k) => `${JSON.stringify(k)}:${formatValue((x as Record<string, unknown>)[k], depth + 1)}`);
    if (keys.length > 16) items.push(`...${keys.length - 16} more`);
    return `{${items.join(',')}}`;
  } catch {
    return 'an unprintable value';
  }
}
