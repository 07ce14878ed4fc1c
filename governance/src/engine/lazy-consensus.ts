import { durationMs, iso } from '../model/dates.js';
import { sameLogin, seatsOf, seatsOn } from '../model/query.js';
import type { EscalationRule, EscalationStep, LazyConsensusRule } from '../model/types.js';
import { commandText, dedupe, includesLogin, refuseIfEdited, touchedOwners, type EvalContext, type EvalOutput, type TimedCommand } from './context.js';
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
    if ((c.command !== 'object' && c.command !== 'approve') || against !== undefined) continue;
    if (refuseIfEdited(out, c)) continue;
    const refuse = (reason: RefusalReason, message: string): void => {
      out.refusals.push({ user: c.user, input: commandText(c), reason, message });
    };
    const key = c.user.toLowerCase();
    const level = dispute === undefined || escalation === undefined ? undefined : escalationLevel(escalation, dispute.since, c.t);
    const step = level === undefined ? undefined : (escalation?.chain[level] as EscalationStep);
    const isParty = dispute !== undefined && includesLogin(dispute.parties, c.user);
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
      refuse('party-to-dispute', `${c.user} is a party to this dispute (${sameLogin(c.user, author) ? 'its author' : 'an objector'}), so cannot decide it`);
    } else if (dispute !== undefined) {
      refuse('not-entitled', `${c.user} does not decide the dispute at its current step${step === undefined ? '' : ` (${stepName(step)})`}`);
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
  const deciders = decidersAt(ctx, step, ctx.asOf).filter((d) => !includesLogin(dispute.parties, d));
  return {
    id: 'escalation',
    description: `the dispute raised by ${objectors.join(', ')} is with ${stepName(step)}${movesAt === undefined ? ' (the last step)' : ` until ${iso(movesAt)}`}; /approve or /object from one of them resolves it`,
    status: 'open',
    satisfiedBy: [],
    couldSatisfy: deciders,
    ref: ctx.ref(`${ctx.decisionPointer}/rule/escalation/chain/${level}`),
  };
}

/** Who may object at an instant. */
function objectorsAt(ctx: EvalContext, rule: LazyConsensusRule, instant: number): string[] {
  const objectors = rule.objectors ?? 'owners';
  if (objectors === 'owners') return touchedOwners(ctx, instant);
  if (objectors === 'any-member') return dedupe(ctx.model.bodies.flatMap((b) => seatsOn(b, instant).map((s) => s.person)));
  return seatsOf(ctx.model, objectors.body, instant).map((s) => s.person);
}
