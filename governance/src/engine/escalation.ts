import { durationMs } from '../model/dates.js';
import { seatsOf } from '../model/query.js';
import type { EscalationRule, EscalationStep } from '../model/types.js';
import { touchedOwners, type EvalContext } from './context.js';

/**
 * Escalation as a timed ladder: a dispute starts at an objection and sits with the first step of the
 * chain, moving up one step every `after` until it is resolved. The level at an instant follows from
 * the dispute's start alone, so it is the same whenever it is evaluated.
 */
export function escalationLevel(rule: EscalationRule, since: number, instant: number): number {
  const last = rule.chain.length - 1;
  return Math.max(0, Math.min(last, Math.floor((instant - since) / durationMs(rule.after))));
}

/** When a dispute that began at `since` moves past `level`, if a next step exists. */
export function nextMoveAt(rule: EscalationRule, since: number, level: number): number | undefined {
  return level < rule.chain.length - 1 ? since + (level + 1) * durationMs(rule.after) : undefined;
}

/** Who decides at a step of the chain at an instant (before excluding the parties to the dispute). */
export function decidersAt(ctx: EvalContext, step: EscalationStep, instant: number): string[] {
  if (step === 'module-owners') return touchedOwners(ctx, instant);
  const seats = seatsOf(ctx.model, 'body' in step ? step.body : step.lead, instant);
  return ('lead' in step ? seats.filter((s) => s.role === 'lead') : seats).map((s) => s.person);
}

/** A step's name for people. */
export function stepName(step: EscalationStep): string {
  return step === 'module-owners' ? 'module owners' : 'body' in step ? step.body : `lead of ${step.lead}`;
}
