import { HearthError, formatValue } from './errors.js';
import type { FallbackOptions, FallbackPolicy } from './dispatcher.js';

const POLICIES: readonly FallbackPolicy[] = ['error', 'warn', 'allow'];

/** An environment variable where there is one (Node), trimmed; undefined in browsers or when unset or blank. */
export function envVar(name: string): string | undefined {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]?.trim();
  return v ? v : undefined;
}

/**
 * The runtime's fallback settings: `createHearth({ fallback })` first, then `HEARTH_FALLBACK`, then the default
 * (`warn` on any ready device with the kernel), so a plugin that implements part of the opset is usable as is.
 */
export function fallbackOptions(option: Partial<FallbackOptions> | FallbackPolicy | undefined, env: string | undefined): FallbackOptions {
  const given = typeof option === 'string' ? { policy: option } : (option ?? {});
  if (given.policy !== undefined && !POLICIES.includes(given.policy)) {
    throw new HearthError('E_ARG', `fallback policy must be "error", "warn" or "allow", got ${formatValue(given.policy)}.`, { policy: given.policy });
  }
  if (given.device !== undefined && (typeof given.device !== 'string' || !given.device)) {
    throw new HearthError('E_ARG', `fallback.device names a device ("cpu:0") or "auto", got ${formatValue(given.device)}.`, { device: given.device });
  }
  let policy = given.policy;
  if (policy === undefined && env !== undefined) {
    const fromEnv = env.toLowerCase() as FallbackPolicy;
    if (!POLICIES.includes(fromEnv)) {
      throw new HearthError('E_ARG', `HEARTH_FALLBACK must be "error", "warn" or "allow", got ${formatValue(env)}; unset it for the default ("warn").`, { HEARTH_FALLBACK: env });
    }
    policy = fromEnv;
  }
  return { policy: policy ?? 'warn', device: given.device ?? 'auto' };
}
