import { groupOfOrg, groupOn, sameLogin } from '../model/query.js';
import type { GovernanceModel, Recusal } from '../model/types.js';
import { dedupe } from './logins.js';

/**
 * The people recused from a decision: the subject, the subject's company group, the applicant's
 * company group, as the rule says, from the subject and applicant frozen when it opened and the
 * groups of that instant. Recusal is of the person, not of one kind of input: a recused person's
 * votes, vetoes, objections, dispute answers and approvals are all refused.
 */
export function recusedPeople(model: GovernanceModel, recuse: readonly Recusal[], subject: string | undefined, applicant: string | undefined, openedAt: number): string[] {
  const out: string[] = [];
  const everyone = model.people.map((p) => p.github);
  for (const r of recuse) {
    if (r === 'subject' && subject !== undefined) out.push(...everyone.filter((p) => sameLogin(p, subject)));
    if (r === 'subject-group' && subject !== undefined) {
      const g = groupOn(model, subject, openedAt);
      out.push(...everyone.filter((p) => g !== undefined && groupOn(model, p, openedAt) === g));
    }
    if (r === 'applicant-group' && applicant !== undefined) {
      const g = groupOfOrg(model, applicant);
      out.push(...everyone.filter((p) => groupOn(model, p, openedAt) === g));
    }
  }
  return dedupe(out);
}
