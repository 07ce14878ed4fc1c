import { Option } from 'commander';
import { HearthError } from '@hearth/core';
import { PROBE_TIMEOUT_MS } from './probe.js';

/** `--timeout <ms>`: how long plugins named with --plugin may take, in their probe process. */
export function timeoutOption(): Option {
  return new Option('--timeout <ms>', 'time limit for plugins named with --plugin, in ms').default(PROBE_TIMEOUT_MS).argParser((v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new HearthError('E_ARG', `--timeout must be a positive number of milliseconds, got "${v}".`);
    return n;
  });
}
