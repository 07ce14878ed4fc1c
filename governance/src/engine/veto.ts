import { seatsOf } from '../model/query.js';
import type { VetoRule } from '../model/types.js';
import { commandText, commandsUpTo, dedupe, includesLogin, refuseIfEdited, type EvalContext, type EvalOutput } from './context.js';

/** A veto: an `/object` from a veto holder (a body's lead when the decision opened, or a named person) fails the decision. */
export function evaluateVeto(ctx: EvalContext, rule: VetoRule, out: EvalOutput): void {
  const leads = seatsOf(ctx.model, rule.leadOf, ctx.openedAt).filter((s) => s.role === 'lead').map((s) => s.person);
  const holders = dedupe([...leads, ...(rule.people ?? [])]);
  const vetoes = commandsUpTo(ctx, 'object').filter((c) => includesLogin(holders, c.user) && !refuseIfEdited(out, c));
  out.requirements.push({
    id: 'veto:none',
    description: `no veto from ${holders.join(', ') || 'a veto holder'}`,
    status: vetoes.length === 0 ? 'met' : 'failed',
    satisfiedBy: [],
    couldSatisfy: [],
    ref: ctx.ref(`${ctx.decisionPointer}/rule/veto`),
  });
  for (const v of vetoes) out.explanations.push({ message: `${v.user} vetoed with '${commandText(v)}'`, ref: ctx.ref(`${ctx.decisionPointer}/rule/veto`) });
}
