import { HearthError, formatValue } from '../errors.js';
import { isDType, type DType } from '../dtype.js';

/**
 * How one attribute of an operator is checked. `parse` gets the user's value (or `undefined`) and returns
 * the normalized value, or a sentence saying what is wrong. Attribute specs are data: tools list them
 * (`hearth ops`) and the conformance suite derives its error cases from them.
 */
export interface AttrSpec<T = unknown> {
  /** A short description of the accepted values, e.g. `"int >= 1"`. */
  readonly type: string;
  /** Whether the attribute may be left out. */
  readonly optional: boolean;
  /** The value used when left out (undefined when the attribute has no default). */
  readonly default?: T;
  /** Normalizes a value, returning a string that says what is wrong when it is invalid. */
  parse(value: unknown): T | { error: string };
}

function spec<T>(type: string, check: (v: unknown) => T | { error: string }, dflt?: T, optional = dflt !== undefined): AttrSpec<T> {
  return {
    type,
    optional,
    default: dflt,
    parse: (v) => (v === undefined ? (optional ? (dflt as T) : { error: 'is required' }) : check(v)),
  };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function parsePair(v: unknown, min: number): [number, number] | { error: string } {
  const p = isInt(v) ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => isInt(x) && x >= min)) {
    return { error: `must be an integer >= ${min} or a pair of them, got ${formatValue(v)}` };
  }
  return [p[0], p[1]];
}

/** Builders of attribute specs. */
export const attr = {
  /** An integer, optionally bounded below. */
  int(opts: { default?: number; min?: number } = {}): AttrSpec<number> {
    const min = opts.min ?? -Infinity;
    return spec(min === -Infinity ? 'int' : `int >= ${min}`, (v) =>
      isInt(v) && v >= min ? v : { error: `must be an integer${min === -Infinity ? '' : ` >= ${min}`}, got ${formatValue(v)}` }, opts.default);
  },
  /** An integer or null (null means "all axes" or "flattened"). */
  intOrNull(opts: { default?: number | null } = {}): AttrSpec<number | null> {
    return spec('int | null', (v) => (v === null || isInt(v) ? v : { error: `must be an integer or null, got ${formatValue(v)}` }), opts.default ?? null, true);
  },
  /** Any finite or non-finite number. */
  number(opts: { default?: number } = {}): AttrSpec<number> {
    return spec('number', (v) => (typeof v === 'number' ? v : { error: `must be a number, got ${formatValue(v)}` }), opts.default);
  },
  /** A boolean. */
  bool(opts: { default?: boolean } = {}): AttrSpec<boolean> {
    return spec('bool', (v) => (typeof v === 'boolean' ? v : { error: `must be true or false, got ${formatValue(v)}` }), opts.default);
  },
  /** A list of integers, optionally bounded below. */
  ints(opts: { default?: number[] | null; min?: number; length?: number; nullable?: boolean } = {}): AttrSpec<number[] | null> {
    const min = opts.min ?? -Infinity;
    const type = `int[]${opts.length !== undefined ? ` of length ${opts.length}` : ''}${min === -Infinity ? '' : `, each >= ${min}`}${opts.nullable ? ' | null' : ''}`;
    return spec(
      type,
      (v) => {
        if (v === null && opts.nullable) return null;
        if (!Array.isArray(v) || !v.every((x) => isInt(x) && x >= min)) return { error: `must be ${type}, got ${formatValue(v)}` };
        if (opts.length !== undefined && v.length !== opts.length) return { error: `must have ${opts.length} entries, got ${v.length}` };
        return v.slice();
      },
      opts.default,
      opts.default !== undefined || opts.nullable === true,
    );
  },
  /** An int or a pair of ints (height, width), normalized to a pair. */
  pair(opts: { default?: number; min: number }): AttrSpec<[number, number]> {
    const d = opts.default;
    return spec(`int >= ${opts.min} | [int, int]`, (v) => parsePair(v, opts.min), d === undefined ? undefined : ([d, d] as [number, number]));
  },
  /** Like {@link attr.pair}, or null (for a pool's stride, which defaults to its window). */
  pairOrNull(opts: { min: number }): AttrSpec<[number, number] | null> {
    return spec(`int >= ${opts.min} | [int] | [int, int] | null`, (v) => (v === null ? null : parsePair(v, opts.min)), null, true);
  },
  /** A number or null. */
  numberOrNull(opts: { default?: number | null } = {}): AttrSpec<number | null> {
    return spec('number | null', (v) => (v === null || typeof v === 'number' ? v : { error: `must be a number or null, got ${JSON.stringify(v)}` }), opts.default ?? null, true);
  },
  /** A list of `length` positive finite numbers, or null. */
  positives(opts: { length: number }): AttrSpec<number[] | null> {
    const type = `number[] of length ${opts.length}, each > 0 | null`;
    return spec(type, (v) => {
      if (v === null) return null;
      if (!Array.isArray(v) || v.length !== opts.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) return { error: `must be ${type}, got ${JSON.stringify(v)}` };
      return v.slice();
    }, null, true);
  },
  /** One of a fixed set of strings. */
  oneOf<T extends string>(values: readonly T[], opts: { default?: T } = {}): AttrSpec<T> {
    return spec(values.map((x) => JSON.stringify(x)).join(' | '), (v) =>
      values.includes(v as T) ? (v as T) : { error: `must be one of ${values.join(', ')}, got ${formatValue(v)}` }, opts.default);
  },
  /** A dtype name. */
  dtype(opts: { default?: DType } = {}): AttrSpec<DType> {
    return spec('dtype', (v) => (isDType(v) ? v : { error: `must be a dtype name, got ${formatValue(v)}` }), opts.default);
  },
};

/**
 * Parses of deeply frozen attribute objects, by identity: such an object cannot change, so a caller that
 * passes the same one on every call (a model's per-node attributes) has it parsed once. Keyed also by the
 * specs, as one object may be given to several ops.
 */
const parsed = new WeakMap<object, { readonly specs: object; readonly attrs: Readonly<Record<string, unknown>> }>();

/** The parse of no attributes at all, by frozen specs object. */
const defaults = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** True when nothing reachable from `v` can change: primitives, and frozen arrays and plain objects of them. */
function deeplyFrozen(v: unknown): boolean {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return true;
  if (!Object.isFrozen(v)) return false;
  if (Array.isArray(v)) return v.every(deeplyFrozen);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false; // a class instance may hold state elsewhere
  return Object.values(v).every(deeplyFrozen);
}

/**
 * Normalizes user attributes against specs: applies defaults, rejects unknown names, throws `E_ATTR`. The
 * result and the lists in it are frozen, and never the caller's own arrays: a kernel that receives them can
 * change neither the user's values nor the defaults every later call uses. A deeply frozen `given` is
 * parsed once (later calls with the same object get the same result); any other is parsed on every call.
 */
export function parseAttrs(op: string, specs: Readonly<Record<string, AttrSpec>>, given: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (given === undefined) {
    // Every default, which a frozen specs object gives the same each time.
    if (!Object.isFrozen(specs)) return parseNow(op, specs, given);
    let attrs = defaults.get(specs);
    if (attrs === undefined) defaults.set(specs, (attrs = parseNow(op, specs, given)));
    return attrs;
  }
  if (!Object.isFrozen(given)) return parseNow(op, specs, given);
  const hit = parsed.get(given);
  if (hit !== undefined && hit.specs === specs) return hit.attrs;
  const attrs = parseNow(op, specs, given);
  if (deeplyFrozen(given)) parsed.set(given, { specs, attrs });
  return attrs;
}

/** Each frozen specs object's entries, listed once (an op's specs are frozen; others may still change). */
const entriesOf = new WeakMap<object, readonly (readonly [string, AttrSpec])[]>();

function specEntries(specs: Readonly<Record<string, AttrSpec>>): readonly (readonly [string, AttrSpec])[] {
  if (!Object.isFrozen(specs)) return Object.entries(specs);
  let entries = entriesOf.get(specs);
  if (entries === undefined) entriesOf.set(specs, (entries = Object.entries(specs)));
  return entries;
}

function parseNow(op: string, specs: Readonly<Record<string, AttrSpec>>, given: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (given) {
    for (const name in given) {
      if (!Object.hasOwn(given, name)) continue;
      if (!Object.hasOwn(specs, name)) {
        const known = Object.keys(specs);
        throw new HearthError(
          'E_ATTR',
          `${op}: unknown attribute "${name}". ${known.length ? `Known attributes: ${known.join(', ')}.` : `${op} takes no attributes.`}`,
          { op, attr: name },
        );
      }
    }
  }
  for (const [name, spec] of specEntries(specs)) {
    const r = spec.parse(given?.[name]);
    if (r !== null && typeof r === 'object' && !Array.isArray(r) && 'error' in r) {
      throw new HearthError('E_ATTR', `${op}: attribute "${name}" ${(r as { error: string }).error}.`, { op, attr: name });
    }
    out[name] = Array.isArray(r) ? Object.freeze(Object.isFrozen(r) ? r : r.slice()) : r;
  }
  return Object.freeze(out);
}
