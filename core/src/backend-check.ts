import { HearthError, describeError } from './errors.js';
import { REQUIRED_DTYPES, isDType, type DType } from './dtype.js';
import type { Backend, DeviceInfo } from './backend.js';
import { PluginDataError, bindOnce, copyData, readOnce } from './snapshot.js';

const FUNCTIONS = ['allocate', 'write', 'read', 'free'] as const;
const OPTIONAL_FUNCTIONS = ['readSync', 'flush', 'stats', 'dispose'] as const;

/**
 * A backend as the core keeps it: a frozen snapshot of what the plugin's object said when it was created
 * (`info` deep-copied, `dtypes` copied, `syncRead`, `maxAllocationBytes`) and its functions, each read once
 * and bound to it. The core never reads the plugin's object again; kernels get the object itself as
 * `ctx.backend` ({@link CheckedBackend.source}).
 */
export interface CheckedBackend extends Backend {
  /** The plugin's own backend object. */
  readonly source: Backend;
}

/** Reads a backend once into a snapshot, collecting problems; throws what a getter or Proxy throws. */
function snapshot(b: unknown, type: string, problems: string[]): CheckedBackend | undefined {
  if (typeof b !== 'object' || b === null) {
    problems.push(`create() gave ${b === null ? 'null' : typeof b}, not a backend object`);
    return undefined;
  }
  let info: Record<string, unknown> | undefined;
  try {
    info = copyData(readOnce(b, 'info'), 'info') as Record<string, unknown> | undefined;
  } catch (e) {
    if (!(e instanceof PluginDataError)) throw e;
    problems.push(e.message);
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) problems.push('info is missing');
  else {
    if (info['type'] !== type) problems.push(`info.type is ${JSON.stringify(info['type'])}, not "${type}"`);
    if (typeof info['name'] !== 'string') problems.push('info.name must be a string');
    if (info['software'] !== undefined && typeof info['software'] !== 'boolean') problems.push('info.software must be true or false when present');
  }
  const rawDtypes = readOnce(b, 'dtypes');
  const dtypes = Array.isArray(rawDtypes) && rawDtypes.length <= 64 ? Array.from({ length: rawDtypes.length }, (_, i) => rawDtypes[i] as unknown) : undefined;
  if (!dtypes || !dtypes.every(isDType)) problems.push('dtypes must be an array of dtypes');
  else for (const d of REQUIRED_DTYPES) if (!dtypes.includes(d)) problems.push(`dtypes lacks ${d} (float32, int32 and bool are required)`);
  const syncRead = readOnce(b, 'syncRead');
  if (typeof syncRead !== 'boolean') problems.push('syncRead must be true or false');
  const fns: Record<string, unknown> = {};
  for (const f of [...FUNCTIONS, ...OPTIONAL_FUNCTIONS]) {
    const fn = readOnce(b, f);
    if (typeof fn === 'function') fns[f] = bindOnce(fn as () => unknown, b);
    else if (fn !== undefined || (FUNCTIONS as readonly string[]).includes(f)) problems.push((FUNCTIONS as readonly string[]).includes(f) ? `${f}() is missing` : `${f} must be a function when present`);
  }
  if (syncRead === true && fns['readSync'] === undefined) problems.push('syncRead is true but readSync() is missing');
  const max = readOnce(b, 'maxAllocationBytes');
  if (max !== undefined && !(typeof max === 'number' && max > 0)) problems.push('maxAllocationBytes must be a positive number when present');
  if (problems.length) return undefined;
  // One fixed shape (every key present) keeps property reads on the hot path fast.
  const fn = <F>(f: string) => fns[f] as F;
  const checked: CheckedBackend = {
    info: info as unknown as DeviceInfo,
    dtypes: Object.freeze([...new Set(dtypes as DType[])]),
    syncRead: syncRead as boolean,
    maxAllocationBytes: max as number | undefined,
    allocate: fn('allocate'),
    write: fn('write'),
    read: fn('read'),
    readSync: fn('readSync'),
    free: fn('free'),
    flush: fn('flush'),
    stats: fn('stats'),
    dispose: fn('dispose'),
    source: b as Backend,
  };
  return Object.freeze(checked);
}

/**
 * Checks that what a backend factory's `create` returned keeps the {@link Backend} contract: `info.type` is
 * the factory's type, `info.name` a string, `info` plain data, the required dtypes are stored, `syncRead`
 * is a boolean (with `readSync` when true) and the functions exist. Each property is read once. Returns the
 * list of problems (empty when it keeps it); a getter or Proxy that throws is a problem too.
 */
export function backendProblems(b: unknown, type: string): string[] {
  const problems: string[] = [];
  try {
    snapshot(b, type, problems);
  } catch (e) {
    problems.push(`reading it threw: ${describeError(e)}`);
  }
  return problems;
}

/**
 * Reads a backend once into a frozen {@link CheckedBackend}; throws `E_BACKEND_INIT` naming the plugin and
 * every problem when it does not keep the {@link Backend} contract, or when reading it throws.
 */
export function checkBackend(b: unknown, type: string, plugin: string, index: number): CheckedBackend {
  const problems: string[] = [];
  let checked: CheckedBackend | undefined;
  try {
    checked = snapshot(b, type, problems);
  } catch (e) {
    problems.push(`reading it threw: ${describeError(e)}`);
  }
  if (!checked || problems.length) {
    throw new HearthError('E_BACKEND_INIT', `The ${type} backend of ${plugin} (device ${index}) does not keep the Backend contract: ${problems.join('; ')}. This is a plugin bug; report it to its vendor.`, {
      backend: type,
      plugin,
      problems,
    });
  }
  return checked;
}
