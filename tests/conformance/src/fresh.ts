import { randomBytes } from 'node:crypto';
import { caseId } from './ids.js';
import { hashSeed } from './numeric/rng.js';
import type { PropertyCase, SuiteCase } from './cases/types.js';

/** The prefix of a property's case name when it is drawn again from a fresh seed (`fresh-property`). */
export const FRESH_PREFIX = 'fresh-';

/**
 * A seed nobody knows before the run (32 bits from the operating system's CSPRNG). A certification rerun
 * draws one and records it in its report (`suite.freshSeed`), so the draws can be replayed afterwards
 * but not predicted, or recognised, beforehand.
 */
export function drawFreshSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}

/** The fresh twin of a property case: the same arbitrary, drawn from `seed` instead of the suite's seed. */
export function freshTwin(c: PropertyCase, seed: number): PropertyCase {
  const name = `${FRESH_PREFIX}${c.name}`;
  const id = caseId(['op', c.op], [['dtype', c.dtype], ['case', name]]);
  return { ...c, id, name, seed: hashSeed(seed >>> 0, id) };
}

/**
 * The cases with, after each property case, its fresh twin drawn from `seed`. A plugin that recognises
 * the suite's fixed inputs (its seed is public) meets inputs here that no one could list in advance.
 */
export function withFreshDraws(cases: readonly SuiteCase[], seed: number | undefined): SuiteCase[] {
  if (seed === undefined) return [...cases];
  return cases.flatMap((c) => (c.kind === 'property' && !c.name.startsWith(FRESH_PREFIX) ? [c, freshTwin(c, seed)] : [c]));
}
