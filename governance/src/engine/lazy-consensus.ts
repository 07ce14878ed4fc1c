import { durationMs } from '../model/dates.js';
import { findBody, seatsOn } from '../model/query.js';
import type { LazyConsensusRule } from '../model/types.js';
import { addMs, commandText, commandsUpTo, dedupe, includesLogin, ownersOf, refuseIfEdited, type EvalContext, type EvalOutput } from './context.js';
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
export function objectorsAt(ctx: EvalContext, rule: LazyConsensusRule, instant: string): string[] {
  const objectors = rule.objectors ?? 'owners';
  if (objectors === 'owners') return dedupe(ctx.touched.flatMap((m) => ownersOf(ctx.model, m, instant)));
  if (objectors === 'any-member') return dedupe(ctx.model.bodies.flatMap((b) => seatsOn(b, instant).map((s) => s.person)));
  const body = findBody(ctx.model, objectors.body);
  return body === undefined ? [] : seatsOn(body, instant).map((s) => s.person);
}
