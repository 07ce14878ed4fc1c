import { durationMs, iso } from '../model/dates.js';
import { groupOn, sameLogin, seatsOf, seatsOn } from '../model/query.js';
import type { EscalationRule, EscalationStep, LazyConsensusRule } from '../model/types.js';
import { commandText, dedupe, includesLogin, refuseIfEdited, refuseIfRecused, touchedOwners, type EvalContext, type EvalOutput, type TimedCommand } from './context.js';
import { decidersAt, escalationLevel, nextMoveAt, stepName } from './escalation.js';
import type { RefusalReason, Requirement } from './result.js';

/** A dispute in progress: when it began, and who is party to it. */
interface Dispute {
  readonly since: number;
  /** The author and everyone who objected in this dispute (even if they withdrew): none of them decides it. */
  readonly parties: string[];
}

/**
 * Lazy consensus, with escalation when the rule has one, as one state machine over the commands in
 * time order:
 * - an entitled `/object` inside the window is an objection, and every objection stands until its
 *   author withdraws it (their own `/approve`); a withdrawal never shortens the window, so the
 *   proposal passes only once the window has closed with no objection standing;
 * - with escalation, the first standing objection starts a dispute that climbs the chain; a decider
 *   of the step holding it resolves it (`/approve` overrules the standing objections, `/object`
 *   fails the decision), and neither the author nor anyone who objected in the dispute decides it;
 * - without escalation a standing objection blocks the proposal until it is withdrawn.
 */
export function evaluateLazyConsensus(ctx: EvalContext, rule: LazyConsensusRule, escalation: EscalationRule | undefined, out: EvalOutput): void {
  const at = `${ctx.decisionPointer}/rule/lazyConsensus`;
  const closesAt = ctx.openedAt + durationMs(rule.window);
  const author = ctx.snapshot.author;
  const standing = new Map<string, TimedCommand>();
  let dispute: Dispute | undefined;
  let against: { by: string; t: number; step: string } | undefined;

  for (const c of ctx.commands) {
    if (c.command !== 'object' && c.command !== 'approve') continue;
    const refuse = (reason: RefusalReason, message: string): void => {
      out.refusals.push({ user: c.user, input: commandText(c), reason, message });
    };
    if (against !== undefined) {
      refuse('after-deadline', `the dispute was already resolved against the change by ${against.by} (${against.step}) at ${iso(against.t)}`);
      continue;
    }
    if (refuseIfEdited(out, c) || refuseIfRecused(ctx, out, c.user, commandText(c))) continue;
    const key = c.user.toLowerCase();
    const level = dispute === undefined || escalation === undefined ? undefined : escalationLevel(escalation, dispute.since, c.t);
    const step = level === undefined ? undefined : (escalation?.chain[level] as EscalationStep);
    const party = dispute === undefined || escalation === undefined ? undefined : partyOf(ctx, escalation, dispute, c.user, c.t);
    const isParty = party !== undefined;
    const decides = step !== undefined && !isParty && includesLogin(decidersAt(ctx, step, c.t), c.user);

    if (c.command === 'approve' && standing.has(key)) {
      standing.delete(key);
      out.explanations.push({ message: `${c.user} withdrew their objection at ${iso(c.t)}`, ref: ctx.ref(at) });
      if (standing.size === 0) dispute = undefined;
    } else if (decides && step !== undefined) {
      if (c.command === 'object') {
        against = { by: c.user, t: c.t, step: stepName(step) };
      } else {
        out.explanations.push({ message: `${c.user} (${stepName(step)}) overruled the objections of ${[...standing.values()].map((o) => o.user).join(', ')} at ${iso(c.t)}`, ref: ctx.ref(at) });
        standing.clear();
        dispute = undefined;
      }
    } else if (c.command === 'object') {
      if (c.t > closesAt) refuse('after-deadline', `the lazy-consensus window closed at ${iso(closesAt)}; an objection must come before it`);
      else if (!includesLogin(objectorsAt(ctx, rule, c.t), c.user)) refuse('not-entitled', `${c.user} may not stop lazy consensus under this rule`);
      else {
        standing.set(key, c);
        out.explanations.push({ message: `${c.user} objected at ${iso(c.t)}`, ref: ctx.ref(at) });
        if (escalation !== undefined) {
          if (dispute === undefined) dispute = { since: c.t, parties: [author, c.user] };
          else if (!includesLogin(dispute.parties, c.user)) dispute.parties.push(c.user);
        }
      }
    } else if (dispute !== undefined && isParty) {
      refuse('party-to-dispute', `${c.user} ${party ?? 'is a party to this dispute'}, so cannot decide it`);
    } else if (dispute !== undefined) {
      refuse('not-entitled', `${c.user} does not decide the dispute at its current step${step === undefined ? '' : ` (${stepName(step)})`}`);
    } else {
      refuse('not-counted', `${c.user} has no standing objection to withdraw and there is no dispute to resolve; approve the change in a review`);
    }
  }

  const base = { id: 'lazy-consensus', satisfiedBy: [] as string[], couldSatisfy: [] as string[], ref: ctx.ref(`${at}/window`) };
  if (against !== undefined) {
    out.requirements.push({ ...base, id: 'escalation', description: `the dispute was resolved against the change by ${against.by} (${against.step}) at ${iso(against.t)}`, status: 'failed' });
    return;
  }
  if (standing.size === 0) {
    const passed = ctx.asOf >= closesAt;
    out.requirements.push({ ...base, description: `no objection standing when the window closes at ${iso(closesAt)}`, status: passed ? 'met' : 'open' });
    return;
  }
  const objectors = [...standing.values()].map((o) => o.user);
  if (escalation === undefined || dispute === undefined) {
    out.requirements.push({ ...base, description: `no objection standing when the window closes at ${iso(closesAt)} (${objectors.join(', ')} objected; withdraw with /approve)`, status: 'open', couldSatisfy: objectors });
    return;
  }
  out.requirements.push(disputeRequirement(ctx, escalation, dispute, objectors));
}

/** The requirement of an unresolved dispute: who holds it now, until when, and who could resolve it. */
function disputeRequirement(ctx: EvalContext, escalation: EscalationRule, dispute: Dispute, objectors: string[]): Requirement {
  const level = escalationLevel(escalation, dispute.since, ctx.asOf);
  const step = escalation.chain[level] as EscalationStep;
  const movesAt = nextMoveAt(escalation, dispute.since, level);
  const deciders = decidersAt(ctx, step, ctx.asOf).filter((d) => partyOf(ctx, escalation, dispute, d, ctx.asOf) === undefined && !includesLogin(ctx.recused, d));
  return {
    id: 'escalation',
    description: `the dispute raised by ${objectors.join(', ')} is with ${stepName(step)}${movesAt === undefined ? ' (the last step)' : ` until ${iso(movesAt)}`}; /approve or /object from one of them resolves it`,
    status: 'open',
    satisfiedBy: [],
    couldSatisfy: deciders,
    ref: ctx.ref(`${ctx.decisionPointer}/rule/escalation/chain/${level}`),
  };
}

/**
 * Why a person is a party to a dispute, if they are: its author, an objector in it, or (unless the
 * rule says `recuseGroups: false`) a member of the company group of one of them at that instant, so
 * that no colleague of the author or of an objector resolves it.
 */
function partyOf(ctx: EvalContext, escalation: EscalationRule, dispute: Dispute, user: string, instant: number): string | undefined {
  const author = ctx.snapshot.author;
  if (sameLogin(user, author)) return 'is the author of the change, a party to this dispute';
  if (includesLogin(dispute.parties, user)) return 'objected in this dispute, so is a party to it';
  if (escalation.recuseGroups === false) return undefined;
  const group = groupOn(ctx.model, user, instant);
  const colleague = group === undefined ? undefined : dispute.parties.find((p) => groupOn(ctx.model, p, instant) === group);
  return colleague === undefined ? undefined : `is of company group '${group ?? ''}', as is ${colleague}, a party to this dispute (escalation recuses the parties' groups)`;
}

/** Who may object at an instant. */
function objectorsAt(ctx: EvalContext, rule: LazyConsensusRule, instant: number): string[] {
  const objectors = rule.objectors ?? 'owners';
  if (objectors === 'owners') return touchedOwners(ctx, instant);
  if (objectors === 'any-member') return dedupe(ctx.model.bodies.flatMap((b) => seatsOn(b, instant).map((s) => s.person)));
  return seatsOf(ctx.model, objectors.body, instant).map((s) => s.person);
}
