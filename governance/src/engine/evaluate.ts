import { GovernanceError } from '../error.js';
import { seatsOn } from '../model/query.js';
import type { Policy } from '../model/types.js';
import { evaluateApprovals } from './approvals.js';
import { makeContext, type EvalContext, type EvalOutput } from './context.js';
import { selectDecision, verifyFrozen } from './freeze.js';
import { evaluateLazyConsensus } from './lazy-consensus.js';
import type { DecisionStatus, Evaluation, Refusal, VoteTally } from './result.js';
import type { Snapshot } from './snapshot.js';
import { evaluateVeto } from './veto.js';
import { evaluateVote } from './votes.js';

/**
 * Evaluates a decision as of an instant. Pure: the same snapshot, policy and instant always give the
 * same evaluation. When the snapshot carries a frozen policy, that policy decides (and the current one
 * only gets a note if it differs), so a past decision replays to its result. Electorates and
 * affiliations are read as of the decision's opening; inputs after `asOf` have not happened yet.
 */
export function evaluate(snapshot: Snapshot, policy: Policy, asOf: string | Date): Evaluation {
  const instant = typeof asOf === 'string' ? asOf : asOf.toISOString();
  if (!Number.isFinite(Date.parse(instant))) throw new GovernanceError('E_GOV_INPUT', `'${instant}' is not a date; give an ISO date such as 2025-03-01T12:00:00Z`);
  const asOfIso = new Date(instant).toISOString();
  const frozen = snapshot.frozen;
  if (frozen !== undefined) verifyFrozen(frozen);
  const model = frozen?.model ?? policy.model;
  const openedAt = frozen?.openedAt ?? snapshot.openedAt;
  const index = frozen === undefined ? selectDecision(model, snapshot.labels) : model.decisions.findIndex((d) => d.id === frozen.decision);
  if (index < 0) throw new GovernanceError('E_GOV_FROZEN', `the frozen policy has no decision type '${frozen?.decision ?? ''}'; restore it from the bot's record`);
  const ctx = makeContext(model, frozen?.file ?? policy.file, frozen?.lines ?? policy.lines, index, snapshot, openedAt, asOfIso);
  const out: EvalOutput = { requirements: [], refusals: [], explanations: [] };

  if (frozen !== undefined && frozen.policyHash !== policy.hash) {
    out.explanations.push({ message: `the policy changed after this decision opened; the policy frozen then (${frozen.policyHash}) decides it` });
  }
  const rule = ctx.decision.rule ?? {};
  if (rule.approvals !== undefined) evaluateApprovals(ctx, rule.approvals, out);
  let tally: VoteTally | undefined;
  if (rule.vote !== undefined) tally = evaluateVote(ctx, rule.vote, out);
  if (rule.lazyConsensus !== undefined) evaluateLazyConsensus(ctx, rule.lazyConsensus, rule.escalation, out);
  if (rule.veto !== undefined) evaluateVeto(ctx, rule.veto, out);
  reportTeamDrift(ctx, out);

  const status: DecisionStatus = out.requirements.some((r) => r.status === 'failed')
    ? 'failing'
    : out.requirements.some((r) => r.status === 'open')
      ? 'pending'
      : 'passing';
  const evaluation: Evaluation = {
    decision: ctx.decision.id,
    status,
    asOf: asOfIso,
    openedAt,
    policyHash: frozen?.policyHash ?? policy.hash,
    frozen: frozen !== undefined,
    requirements: out.requirements,
    refusals: dedupeRefusals(out.refusals),
    explanations: out.explanations,
  };
  return tally === undefined ? evaluation : { ...evaluation, tally };
}

/** Notes where a GitHub team named by a body differs from the body's seats: the model is the truth. */
function reportTeamDrift(ctx: EvalContext, out: EvalOutput): void {
  ctx.model.bodies.forEach((body, i) => {
    const members = body.team === undefined ? undefined : ctx.snapshot.teams?.[body.team];
    if (members === undefined) return;
    const seats = seatsOn(body, ctx.asOf).map((s) => s.person.toLowerCase());
    const lower = members.map((m) => m.toLowerCase());
    const missing = seats.filter((s) => !lower.includes(s));
    const extra = lower.filter((m) => !seats.includes(m));
    if (missing.length + extra.length === 0) return;
    out.explanations.push({
      message: `GitHub team ${body.team} differs from body '${body.id}'${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not seated: ${extra.join(', ')}` : ''}; the model decides, so update the team`,
      ref: ctx.ref(`/bodies/${i}/team`),
    });
  });
}

function dedupeRefusals(refusals: Refusal[]): Refusal[] {
  const seen = new Set<string>();
  return refusals.filter((r) => {
    const key = `${r.user}\u0000${r.input}\u0000${r.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
