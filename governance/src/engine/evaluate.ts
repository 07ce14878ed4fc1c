import { GovernanceError } from '../error.js';
import { durationMs, iso, parseInstant } from '../model/dates.js';
import { seatsOn } from '../model/query.js';
import type { DecisionRule, Policy } from '../model/types.js';
import { evaluateApprovals } from './approvals.js';
import { commandText, instantOf, makeContext, type EvalContext, type EvalOutput } from './context.js';
import { checkDecisionFields, chooseDecision, selectDecision, upgradeOf, verifyFrozen, type FieldSource } from './freeze.js';
import { evaluateLazyConsensus } from './lazy-consensus.js';
import type { DecisionStatus, Evaluation, Refusal, VoteTally } from './result.js';
import type { Snapshot } from './snapshot.js';
import { evaluateVeto } from './veto.js';
import { evaluateVote } from './votes.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Where the subject and applicant came from, for the advice when one is missing. Default `description`. */
  readonly fieldsFrom?: FieldSource;
}

/**
 * Evaluates a decision as of an instant. Pure: the same snapshot, policy and instant always give the
 * same evaluation. When the snapshot carries a frozen decision, it decides (the policy, the decision
 * type, the opening, the subject and applicant); the current policy and labels only get a note where
 * they differ, so a past decision replays to its result. Inputs after `asOf` have not happened yet.
 */
export function evaluate(snapshot: Snapshot, policy: Policy, asOf: string | Date, options: EvaluateOptions = {}): Evaluation {
  const asOfMs = typeof asOf === 'string' ? parseInstant(asOf) : asOf.getTime();
  if (asOfMs === undefined || !Number.isFinite(asOfMs)) {
    throw new GovernanceError('E_GOV_INPUT', `'${String(asOf)}' is not an instant; give an ISO date or date-time with a zone, such as 2025-03-01 or 2025-03-01T12:00:00Z`);
  }
  const frozen = snapshot.frozen;
  if (frozen !== undefined) verifyFrozen(frozen);
  const model = frozen?.model ?? policy.model;
  const openedAt = frozen === undefined ? instantOf(snapshot.openedAt, "the snapshot's openedAt") : (parseInstant(frozen.openedAt) as number);
  const chosen = frozen === undefined ? chooseDecision(model, snapshot.labels, snapshot.files) : { index: model.decisions.findIndex((d) => d.id === frozen.decision), requiredBy: [] };
  const index = chosen.index;
  if (index < 0) throw new GovernanceError('E_GOV_FROZEN', `the frozen policy has no decision type '${frozen?.decision ?? ''}'; restore it from the bot's record`);
  const subject = frozen === undefined ? snapshot.subject : frozen.subject;
  const applicant = frozen === undefined ? snapshot.applicant : frozen.applicant;
  const ctx = makeContext({ model, file: frozen?.file ?? policy.file, lines: frozen?.lines ?? policy.lines, decisionIndex: index, snapshot, openedAt, asOf: asOfMs, subject, applicant });
  checkDecisionFields(model, ctx.decision, subject, applicant, options.fieldsFrom);
  const out: EvalOutput = { requirements: [], refusals: [...ctx.refused], explanations: [] };

  if (chosen.requiredBy.length > 0) {
    out.explanations.push({ message: `a change to ${chosen.requiredBy.map((m) => `module '${m}'`).join(', ')} requires decision type '${ctx.decision.id}', the most demanding that applies, whatever the labels say` });
  }
  if (frozen !== undefined) noteChangesSinceFreezing(ctx, snapshot, policy, out);
  if (snapshot.incompleteFiles !== undefined) {
    const { listed, changed } = snapshot.incompleteFiles;
    out.requirements.push({
      id: 'files:complete',
      description: `GitHub listed ${listed} of the ${changed} files this pull request changes, so which modules it touches is unknown; split it into pull requests of at most 3,000 files`,
      status: 'failed',
      satisfiedBy: [],
      couldSatisfy: [],
      ref: ctx.ref('/modules'),
    });
  }
  const rule = ctx.decision.rule ?? {};
  if (rule.approvals !== undefined) evaluateApprovals(ctx, rule.approvals, out);
  let tally: VoteTally | undefined;
  if (rule.vote !== undefined) tally = evaluateVote(ctx, rule.vote, out);
  if (rule.lazyConsensus !== undefined) evaluateLazyConsensus(ctx, rule.lazyConsensus, rule.escalation, out);
  if (rule.veto !== undefined) evaluateVeto(ctx, rule.veto, deadlineOf(rule, openedAt), out, rule.lazyConsensus !== undefined);
  refuseUnread(ctx, rule, out);
  reportTeamDrift(ctx, out);

  const status: DecisionStatus = out.requirements.some((r) => r.status === 'failed')
    ? 'failing'
    : out.requirements.some((r) => r.status === 'open')
      ? 'pending'
      : 'passing';
  const evaluation: Evaluation = {
    decision: ctx.decision.id,
    status,
    asOf: iso(asOfMs),
    openedAt: iso(openedAt),
    policyHash: frozen?.policyHash ?? policy.hash,
    frozen: frozen !== undefined,
    requirements: out.requirements,
    refusals: dedupeRefusals(out.refusals),
    explanations: out.explanations,
  };
  return tally === undefined ? evaluation : { ...evaluation, tally };
}

/**
 * Gives a "not counted" line to every command that no part of the decision's rule reads (a `/vote` where
 * nothing is voted on, an `/object` where nothing can be objected to, an `/approve` without lazy
 * consensus), so that no command a person typed vanishes without a word.
 */
function refuseUnread(ctx: EvalContext, rule: DecisionRule, out: EvalOutput): void {
  const kind = `decision type '${ctx.decision.id}'`;
  const why: Partial<Record<'vote' | 'object' | 'approve', string>> = {
    ...(rule.vote === undefined ? { vote: `${kind} holds no vote, so votes are not counted; review the pull request instead` } : {}),
    ...(rule.lazyConsensus === undefined && rule.veto === undefined
      ? { object: `${kind} has no lazy-consensus window and no veto, so an objection does not block it; request changes in a review${rule.vote === undefined ? '' : ' or vote /vote no'}` }
      : {}),
    ...(rule.lazyConsensus === undefined ? { approve: `${kind} has no lazy consensus, so /approve has nothing to withdraw or resolve; approve in a review` } : {}),
  };
  for (const c of ctx.commands) {
    const message = why[c.command];
    if (message !== undefined) out.refusals.push({ user: c.user, input: commandText(c), reason: 'not-counted', message });
  }
}

/** The decision's deadline: the latest close of its vote and lazy-consensus windows; none without either. */
function deadlineOf(rule: DecisionRule, openedAt: number): number | undefined {
  const windows = [rule.vote?.window, rule.lazyConsensus?.window].filter((w): w is string => w !== undefined);
  return windows.length === 0 ? undefined : openedAt + Math.max(...windows.map(durationMs));
}

/** Says where the policy, labels or description changed after the decision was frozen: the frozen ones decide. */
function noteChangesSinceFreezing(ctx: EvalContext, snapshot: Snapshot, policy: Policy, out: EvalOutput): void {
  const frozen = snapshot.frozen;
  if (frozen === undefined) return;
  if (frozen.policyHash !== policy.hash) {
    out.explanations.push({ message: `the policy changed after this decision opened; the policy frozen then (${frozen.policyHash}) decides it` });
  }
  const upgrade = upgradeOf(frozen, policy, snapshot.labels, snapshot.files);
  if (upgrade !== undefined) {
    out.requirements.push({
      id: 'decision:upgraded',
      description: `the labels or the touched modules now need decision type '${upgrade}', more demanding than the frozen '${frozen.decision}'; a type is never lowered after freezing, and a stricter one opens a new decision of that type (the bot freezes it on its next run)`,
      status: 'open',
      satisfiedBy: [],
      couldSatisfy: [],
      ref: ctx.ref('/decisions'),
    });
    return;
  }
  let current: string;
  try {
    current = policy.model.decisions[selectDecision(policy.model, snapshot.labels, snapshot.files)]?.id ?? '';
  } catch (e) {
    if (!(e instanceof GovernanceError)) throw e;
    current = `nothing (${e.message})`;
  }
  if (current !== frozen.decision) {
    out.explanations.push({ message: `the pull request's labels now select ${current}, but the decision type is fixed when the decision opens: ${frozen.decision} decides it; open a new pull request to decide it another way` });
  }
  for (const field of ['subject', 'applicant'] as const) {
    if (snapshot[field] !== frozen[field]) {
      out.explanations.push({ message: `the description now names ${field} ${snapshot[field] ?? 'none'}, but the ${field} is fixed when the decision opens: ${frozen[field] ?? 'none'} decides it` });
    }
  }
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
