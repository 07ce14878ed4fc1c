import { durationMs } from '../model/dates.js';
import { seatsOf, seatsOn } from '../model/query.js';
import type { EscalationRule, LazyConsensusRule } from '../model/types.js';
import { addMs, commandText, commandsUpTo, dedupe, includesLogin, refuseIfEdited, touchedOwners, type EvalContext, type EvalOutput } from './context.js';
import { escalationState, stepName } from './escalation.js';
import type { CommandEvent } from './snapshot.js';

/** Where lazy consensus stands: window open, passed in silence, or stopped by an objection. */
export type LazyConsensusState =
  | { readonly state: 'open'; readonly closesAt: string }
  | { readonly state: 'passed'; readonly closesAt: string }
  | { readonly state: 'objected'; readonly closesAt: string; readonly objection: CommandEvent };

/**
 * Lazy consensus as a timed state machine: `open` from the decision's opening; `objected` at the
 * first entitled, unedited `/object` inside the window; otherwise `passed` once the window closes.
 * Pure: the state at `asOf` follows from the inputs that happened by then.
 */
export function lazyConsensusState(ctx: EvalContext, rule: LazyConsensusRule, out: EvalOutput): LazyConsensusState {
  const closesAt = addMs(ctx.openedAt, durationMs(rule.window));
  for (const cmd of commandsUpTo(ctx, 'object')) {
    if (refuseIfEdited(out, cmd)) continue;
    if (cmd.at > closesAt) {
      out.refusals.push({ user: cmd.user, input: commandText(cmd), reason: 'after-deadline', message: `the lazy-consensus window closed at ${closesAt}; the proposal had already passed` });
      continue;
    }
    if (!includesLogin(objectorsAt(ctx, rule, cmd.at), cmd.user)) {
      out.refusals.push({ user: cmd.user, input: commandText(cmd), reason: 'not-entitled', message: `${cmd.user} may not stop lazy consensus under this rule` });
      continue;
    }
    return { state: 'objected', closesAt, objection: cmd };
  }
  return ctx.asOf >= closesAt ? { state: 'passed', closesAt } : { state: 'open', closesAt };
}

/** Who may object at an instant. */
function objectorsAt(ctx: EvalContext, rule: LazyConsensusRule, instant: string): string[] {
  const objectors = rule.objectors ?? 'owners';
  if (objectors === 'owners') return touchedOwners(ctx, instant);
  if (objectors === 'any-member') return dedupe(ctx.model.bodies.flatMap((b) => seatsOn(b, instant).map((s) => s.person)));
  return seatsOf(ctx.model, objectors.body, instant).map((s) => s.person);
}

/**
 * The requirement of lazy consensus: open inside the window, met once it closes in silence. An
 * objection fails it, unless the rule escalates: then the dispute's state at its step decides.
 */
export function evaluateLazyConsensus(ctx: EvalContext, rule: LazyConsensusRule, escalation: EscalationRule | undefined, out: EvalOutput): void {
  const at = `${ctx.decisionPointer}/rule/lazyConsensus`;
  const lazy = lazyConsensusState(ctx, rule, out);
  const base = { id: 'lazy-consensus', description: `no objection before ${lazy.closesAt}`, satisfiedBy: [] as string[], couldSatisfy: [] as string[], ref: ctx.ref(`${at}/window`) };
  if (lazy.state !== 'objected') {
    out.requirements.push({ ...base, status: lazy.state === 'passed' ? 'met' : 'open' });
    return;
  }
  const { objection } = lazy;
  out.explanations.push({ message: `${objection.user} objected at ${objection.at}, stopping lazy consensus`, ref: ctx.ref(at) });
  if (escalation === undefined) {
    out.requirements.push({ ...base, description: `${base.description} (${objection.user} objected)`, status: 'failed' });
    return;
  }
  const esc = escalationState(ctx, escalation, objection, out);
  const step = escalation.chain[esc.level];
  const name = step === undefined ? '' : stepName(step);
  const escalated = { ...base, id: 'escalation', ref: ctx.ref(`${ctx.decisionPointer}/rule/escalation/chain/${esc.level}`) };
  if (esc.resolution !== undefined) {
    const { by, outcome } = esc.resolution;
    out.requirements.push({
      ...escalated,
      description: `the dispute raised by ${objection.user} resolved by ${name}: ${outcome === 'approve' ? 'in favour' : 'against'} (${by})`,
      status: outcome === 'approve' ? 'met' : 'failed',
      satisfiedBy: outcome === 'approve' ? [by] : [],
    });
    return;
  }
  out.requirements.push({
    ...escalated,
    description: `the dispute raised by ${objection.user} is with ${name}${esc.movesAt === undefined ? '' : ` until ${esc.movesAt}`}; /approve or /object from one of them resolves it`,
    status: 'open',
    couldSatisfy: esc.deciders,
  });
}
