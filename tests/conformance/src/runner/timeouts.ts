import { sizeOf } from '@hearth/core';
import type { SuiteCase } from '../cases/types.js';

/** Elements a case may move and check within one base timeout (the default 10 s is ample for this many). */
export const ELEMENTS_PER_TIMEOUT = 1 << 20;

/**
 * The time a case may take, from the base timeout (`--timeout`, the time of a small case): scaled by the
 * elements its calls read (inputs of every call, a sequence's included), so a 6-million-element row gets
 * six times as long as a small case rather than the same 10 s; five times the base for a property (100 calls).
 */
export function caseTimeoutMs(c: SuiteCase, baseMs: number): number {
  if (c.kind === 'property') return baseMs * 5;
  if (c.kind === 'lifecycle') return baseMs;
  const calls = [c.inputs, ...(c.then ?? []).map((f) => f.inputs)];
  const elements = calls.reduce((n, inputs) => n + inputs.reduce((m, t) => m + sizeOf(t.shape), 0), 0);
  return Math.ceil(baseMs * Math.max(1, elements / ELEMENTS_PER_TIMEOUT));
}
