import { HearthError } from './errors.js';
import { REQUIRED_DTYPES, isDType } from './dtype.js';
import type { Backend } from './backend.js';

const FUNCTIONS = ['allocate', 'write', 'read', 'free'] as const;
const OPTIONAL_FUNCTIONS = ['readSync', 'flush', 'stats', 'dispose'] as const;

/**
 * Checks that what a backend factory's `create` returned keeps the {@link Backend} contract: `info.type` is
 * the factory's type, `info.name` a string, the required dtypes are stored, `syncRead` is a boolean (with
 * `readSync` when true) and the functions exist. Returns the list of problems (empty when it keeps it).
 */
export function backendProblems(b: unknown, type: string): string[] {
  if (typeof b !== 'object' || b === null) return [`create() gave ${b === null ? 'null' : typeof b}, not a backend object`];
  const o = b as Record<string, unknown>;
  const problems: string[] = [];
  const info = o['info'] as Record<string, unknown> | undefined;
  if (typeof info !== 'object' || info === null) problems.push('info is missing');
  else {
    if (info['type'] !== type) problems.push(`info.type is ${JSON.stringify(info['type'])}, not "${type}"`);
    if (typeof info['name'] !== 'string') problems.push('info.name must be a string');
  }
  const dtypes = o['dtypes'];
  if (!Array.isArray(dtypes) || !dtypes.every(isDType)) problems.push('dtypes must be an array of dtypes');
  else for (const d of REQUIRED_DTYPES) if (!dtypes.includes(d)) problems.push(`dtypes lacks ${d} (float32, int32 and bool are required)`);
  if (typeof o['syncRead'] !== 'boolean') problems.push('syncRead must be true or false');
  for (const f of FUNCTIONS) if (typeof o[f] !== 'function') problems.push(`${f}() is missing`);
  for (const f of OPTIONAL_FUNCTIONS) if (o[f] !== undefined && typeof o[f] !== 'function') problems.push(`${f} must be a function when present`);
  if (o['syncRead'] === true && typeof o['readSync'] !== 'function') problems.push('syncRead is true but readSync() is missing');
  const max = o['maxAllocationBytes'];
  if (max !== undefined && !(typeof max === 'number' && max > 0)) problems.push('maxAllocationBytes must be a positive number when present');
  return problems;
}

/** Throws `E_BACKEND_INIT` naming every problem when `b` does not keep the {@link Backend} contract. */
export function checkBackend(b: unknown, type: string, plugin: string, index: number): Backend {
  const problems = backendProblems(b, type);
  if (problems.length) {
    throw new HearthError('E_BACKEND_INIT', `The ${type} backend of ${plugin} (device ${index}) does not keep the Backend contract: ${problems.join('; ')}. This is a plugin bug; report it to its vendor.`, {
      backend: type,
      plugin,
      problems,
    });
  }
  return b as Backend;
}
