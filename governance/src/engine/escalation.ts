import { durationMs } from '../model/dates.js';
import { sameLogin, seatsOf } from '../model/query.js';
import type { EscalationRule, EscalationStep } from '../model/types.js';
import { addMs, commandsUpTo, includesLogin, touchedOwners, type EvalContext, type EvalOutput } from './context.js';
import type { CommandEvent } from './snapshot.js';

/** Where a dispute stands: at a step of the chain, or resolved there. */
export interface EscalationState {
  /** Index in the chain of the step that holds (or resolved) the dispute. */
  readonly level: number;
  /** When the dispute began (the objection). */
  readonly since: string;
  /** When it moves to the next step, if it is unresolved and a next step exists. */
  readonly movesAt?: string;
  /** The resolution, if any: `approve` passes, `object` fails. */
  readonly resolution?: { readonly by: string; readonly outcome: 'approve' | 'object'; readonly at: string };
  /** Who decides at the current step. */
  readonly deciders: string[];
}

/**
 * Escalation as a timed state machine: a dispute starts at the objection, sits with the first step of
 * the chain, and moves one step up each `after` period until a decider of the step that holds it
 * answers: `/approve` resolves it in favour, `/object` against. The objector's own `/approve`
 * withdraws the objection. Answers from anyone else, or from a step that no longer holds it, do not count.
 */
export function escalationState(ctx: EvalContext, rule: EscalationRule, objection: CommandEvent, out: EvalOutput): EscalationState {
  const period = durationMs(rule.after);
  const last = rule.chain.length - 1;
  const levelAt = (instant: string): number => Math.min(last, Math.floor((Date.parse(instant) - Date.parse(objection.at)) / period));
  const answers = [...commandsUpTo(ctx, 'approve'), ...commandsUpTo(ctx, 'object')]
    .filter((c) => c.at > objection.at && !c.edited)
    .sort((a, b) => (a.at < b.at ? -1 : 1));
  for (const answer of answers) {
    const level = levelAt(answer.at);
    const withdrawn = answer.command === 'approve' && sameLogin(answer.user, objection.user);
    if (withdrawn || includesLogin(decidersAt(ctx, rule.chain[level] as EscalationStep, answer.at), answer.user)) {
      return { level, since: objection.at, resolution: { by: answer.user, outcome: answer.command === 'approve' ? 'approve' : 'object', at: answer.at }, deciders: [] };
    }
  }
  const level = levelAt(ctx.asOf);
  const deciders = decidersAt(ctx, rule.chain[level] as EscalationStep, ctx.asOf).filter((d) => !sameLogin(d, objection.user));
  const state: EscalationState = { level, since: objection.at, deciders };
  if (level < last) return { ...state, movesAt: addMs(objection.at, (level + 1) * period) };
  out.explanations.push({ message: 'the dispute has reached the last step of the escalation chain', ref: ctx.ref(`${ctx.decisionPointer}/rule/escalation/chain/${last}`) });
  return state;
}

/** Who decides at a step of the chain at an instant. */
function decidersAt(ctx: EvalContext, step: EscalationStep, instant: string): string[] {
  if (step === 'module-owners') return touchedOwners(ctx, instant);
  const seats = seatsOf(ctx.model, 'body' in step ? step.body : step.lead, instant);
  return ('lead' in step ? seats.filter((s) => s.role === 'lead') : seats).map((s) => s.person);
}

/** A step's name for people. */
export function stepName(step: EscalationStep): string {
  return step === 'module-owners' ? 'module owners' : 'body' in step ? step.body : `lead of ${step.lead}`;
}
