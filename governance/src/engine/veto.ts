import { iso } from '../model/dates.js';
import { seatsOf } from '../model/query.js';
import type { VetoRule } from '../model/types.js';
import { commandText, commandsUpTo, dedupe, includesLogin, refuseIfEdited, refuseIfRecused, type EvalContext, type EvalOutput } from './context.js';

/**
 * A veto: an `/object` from a veto holder (a body's lead when the decision opened, or a named person)
 * fails the decision, if it comes by the decision's deadline (the close of its vote or lazy-consensus
 * window, whichever is later). A veto after that is refused, so a decision that has closed stays closed.
 * A recused veto holder (the lead voting on her own removal) has no veto: recusal covers every input.
 * `objectionsReadElsewhere`: lazy consensus also reads `/object`, so another person's is not refused here.
 */
export function evaluateVeto(ctx: EvalContext, rule: VetoRule, deadline: number | undefined, out: EvalOutput, objectionsReadElsewhere = false): void {
  const leads = seatsOf(ctx.model, rule.leadOf, ctx.openedAt).filter((s) => s.role === 'lead').map((s) => s.person);
  const holders = dedupe([...leads, ...(rule.people ?? [])]);
  // Without lazy consensus, an /object from anyone else would otherwise vanish without a word.
  if (!objectionsReadElsewhere) {
    for (const c of commandsUpTo(ctx, 'object').filter((c) => !includesLogin(holders, c.user))) {
      out.refusals.push({ user: c.user, input: commandText(c), reason: 'not-entitled', message: `${c.user} holds no veto on this decision (${holders.join(', ') || 'nobody'} does), and it has no lazy-consensus window to object in; request changes in a review` });
    }
  }
  const vetoes = commandsUpTo(ctx, 'object').filter((c) => includesLogin(holders, c.user) && !refuseIfEdited(out, c) && !refuseIfRecused(ctx, out, c.user, commandText(c)));
  const inTime = vetoes.filter((v) => deadline === undefined || v.t <= deadline);
  for (const v of vetoes.filter((v) => !inTime.includes(v))) {
    out.refusals.push({ user: v.user, input: commandText(v), reason: 'after-deadline', message: `the decision closed at ${iso(deadline ?? 0)}; a veto must come by then` });
  }
  out.requirements.push({
    id: 'veto:none',
    description: `no veto from ${holders.join(', ') || 'a veto holder'}${deadline === undefined ? '' : ` by ${iso(deadline)}`}`,
    status: inTime.length === 0 ? 'met' : 'failed',
    satisfiedBy: [],
    couldSatisfy: [],
    ref: ctx.ref(`${ctx.decisionPointer}/rule/veto`),
  });
  for (const v of inTime) out.explanations.push({ message: `${v.user} vetoed with '${commandText(v)}'`, ref: ctx.ref(`${ctx.decisionPointer}/rule/veto`) });
}
