import { GovernanceError } from '../error.js';
import { dayOf, durationMs, iso, parseInstant } from '../model/dates.js';
import { capLimit, findBody, groupOn, sameLogin, seatsOn } from '../model/query.js';
import type { Body, VoteRule } from '../model/types.js';
import { commandText, commandsUpTo, dedupe, includesLogin, refuseIfEdited, type EvalContext, type EvalOutput, type TimedCommand } from './context.js';
import type { RefusalReason, VoteTally } from './result.js';
import type { FinalVote } from './snapshot.js';

type Choice = 'yes' | 'no' | 'abstain';

/** A voter's vote that counts (their latest before the deadline), and when they first voted. */
interface Counted {
  readonly choice: Choice;
  readonly cmd: TimedCommand;
  readonly firstAt: number;
  readonly firstComment: number;
}

/**
 * A vote of a body. The electorate is the body's seat holders on the day the vote opened, less those
 * recused; each person's last vote up to the deadline counts; a group's binding votes beyond the
 * body's cap are refused, the group's first voters kept. The threshold divides by the stated
 * denominator, and a quorum of the eligible electorate must take part (abstentions take part). The
 * vote is final at its deadline and not before: until then every voter may still change their vote,
 * so no outcome is reported as final that a later vote could reverse.
 */
export function evaluateVote(ctx: EvalContext, rule: VoteRule, out: EvalOutput): VoteTally {
  const at = `${ctx.decisionPointer}/rule/vote`;
  const body = findBody(ctx.model, rule.body);
  const seated = body === undefined ? [] : seatsOn(body, ctx.openedAt).map((s) => s.person);
  const closesAt = ctx.openedAt + durationMs(rule.window);
  const recused = seated.filter((p) => includesLogin(ctx.recused, p));
  const electorate = seated.filter((p) => !includesLogin(recused, p));
  for (const p of recused) out.explanations.push({ message: `${p} is recused from this vote`, ref: ctx.ref(`${at}/recuse`) });
  const openedDay = dayOf(ctx.openedAt);

  const counted = new Map<string, Counted>();
  for (const cmd of commandsUpTo(ctx, 'vote')) {
    if (refuseIfEdited(out, cmd)) continue;
    const input = commandText(cmd);
    const refuse = (reason: RefusalReason, message: string): void => {
      out.refusals.push({ user: cmd.user, input, reason, message });
    };
    const choice = cmd.argument?.trim().toLowerCase();
    const key = cmd.user.toLowerCase();
    if (choice !== 'yes' && choice !== 'no' && choice !== 'abstain') {
      refuse('invalid', `'${input}' is not a vote; write /vote yes, /vote no or /vote abstain`);
    } else if (includesLogin(recused, cmd.user)) {
      refuse('recused', `${cmd.user} is recused from this vote, so the vote is not counted`);
    } else if (!includesLogin(seated, cmd.user)) {
      const later = body !== undefined && body.seats.some((s) => sameLogin(s.person, cmd.user) && s.since > openedDay);
      if (later) refuse('joined-after-opening', `${cmd.user} joined ${rule.body} after the vote opened on ${openedDay}; the electorate is fixed when a vote opens`);
      else refuse('outside-electorate', `${cmd.user} held no seat on ${rule.body} when the vote opened, so cannot vote`);
    } else if (cmd.t > closesAt) {
      refuse('after-deadline', `the vote closed at ${iso(closesAt)}; this vote came at ${iso(cmd.t)}${counted.has(key) ? ', so the earlier vote stands' : ''}`);
    } else {
      const previous = counted.get(key);
      if (previous !== undefined) {
        out.refusals.push({ user: cmd.user, input: commandText(previous.cmd), reason: 'superseded', message: `${cmd.user} voted again; only the latest vote counts` });
      }
      counted.set(key, { choice, cmd, firstAt: previous?.firstAt ?? cmd.t, firstComment: previous?.firstComment ?? cmd.commentId });
    }
  }

  if (body !== undefined && (rule.capVotes ?? true)) applyCaps(ctx, body, seated.length, counted, out);

  const votes = [...counted.values()];
  const yes = votes.filter((v) => v.choice === 'yes').length;
  const no = votes.filter((v) => v.choice === 'no').length;
  const abstain = votes.filter((v) => v.choice === 'abstain').length;
  const eligible = electorate.length;
  const denominator = rule.denominator === 'eligible' ? eligible : rule.denominator === 'cast' ? yes + no : yes + no + abstain;
  const tally: VoteTally = { yes, no, abstain, eligible, denominator, closesAt: iso(closesAt), electorate };

  const final = ctx.asOf >= closesAt;
  if (final && ctx.snapshot.finalVote !== undefined) return recordedOutcome(ctx, rule, ctx.snapshot.finalVote, { closesAt, tally }, out);
  const notVoted = electorate.filter((p) => !counted.has(p.toLowerCase()));
  const quorum = rule.quorum ?? 0;
  const quorumMet = eligible > 0 && votes.length / eligible >= quorum - 1e-9;
  // A quorum reached is met as soon as it is (a changed vote still takes part); only an unreached one
  // waits for the close to fail.
  out.requirements.push({
    id: 'vote:quorum',
    description: `a quorum of ${pct(quorum)} of the ${eligible} eligible voters takes part (now ${votes.length}${quorumMet && !final ? ', reached' : ''})`,
    status: quorumMet ? 'met' : final ? 'failed' : 'open',
    satisfiedBy: votes.map((v) => v.cmd.user),
    couldSatisfy: final || quorumMet ? [] : notVoted,
    ref: ctx.ref(`${at}/quorum`),
  });
  const share = denominator === 0 ? 0 : yes / denominator;
  const passes = denominator > 0 && (rule.strict === true ? share > rule.threshold + 1e-9 : share >= rule.threshold - 1e-9);
  out.requirements.push({
    id: 'vote:threshold',
    description: `yes votes ${rule.strict === true ? 'above' : 'at least'} ${pct(rule.threshold)} of ${rule.denominator} (now ${yes} of ${denominator})`,
    status: final ? (passes ? 'met' : 'failed') : 'open',
    satisfiedBy: votes.filter((v) => v.choice === 'yes').map((v) => v.cmd.user),
    couldSatisfy: final ? [] : dedupe([...notVoted, ...votes.filter((v) => v.choice !== 'yes').map((v) => v.cmd.user)]),
    ref: ctx.ref(`${at}/threshold`),
  });
  if (!final) out.explanations.push({ message: `the vote is open until ${iso(closesAt)}; votes may change until then`, ref: ctx.ref(`${at}/window`) });
  return tally;
}

/**
 * The outcome recorded when the vote closed: it stands, whatever comments were edited or deleted
 * since (an edited vote is refused, a deleted one is gone, and neither may change a final result).
 */
function recordedOutcome(ctx: EvalContext, rule: VoteRule, recorded: FinalVote, now: { closesAt: number; tally: VoteTally }, out: EvalOutput): VoteTally {
  const at = `${ctx.decisionPointer}/rule/vote`;
  if (parseInstant(recorded.closesAt) !== now.closesAt) {
    throw new GovernanceError('E_GOV_FROZEN', `the recorded outcome of this vote closes at ${recorded.closesAt}, not at ${iso(now.closesAt)} as the frozen decision says; open a new pull request`);
  }
  const { yes, no, abstain, eligible, denominator } = recorded.tally;
  const counted = (t: VoteTally): string => `${t.yes} yes, ${t.no} no, ${t.abstain} abstain`;
  if (counted(recorded.tally) !== counted(now.tally)) {
    out.explanations.push({ message: `the vote's outcome was recorded when it closed (${counted(recorded.tally)}); comments edited or deleted since (now ${counted(now.tally)}) do not change it`, ref: ctx.ref(`${at}/window`) });
  }
  const base = { satisfiedBy: [] as string[], couldSatisfy: [] as string[] };
  out.requirements.push({ ...base, id: 'vote:quorum', description: `a quorum of ${pct(rule.quorum ?? 0)} of the ${eligible} eligible voters takes part (${yes + no + abstain} did, as recorded at the close)`, status: recorded.quorum, ref: ctx.ref(`${at}/quorum`) });
  out.requirements.push({ ...base, id: 'vote:threshold', description: `yes votes ${rule.strict === true ? 'above' : 'at least'} ${pct(rule.threshold)} of ${rule.denominator} (${yes} of ${denominator}, as recorded at the close)`, status: recorded.threshold, ref: ctx.ref(`${at}/threshold`) });
  return recorded.tally;
}

/**
 * Keeps each group's binding votes up to the body's cap, in the order the voters first voted: voting
 * again (even the same vote) keeps a voter's place, so it cannot hand the group's seat to another.
 */
function applyCaps(ctx: EvalContext, body: Body, seats: number, counted: Map<string, Counted>, out: EvalOutput): void {
  const limit = capLimit(body, seats);
  const perGroup = new Map<string, number>();
  const ordered = [...counted.entries()].sort(([, a], [, b]) => a.firstAt - b.firstAt || a.firstComment - b.firstComment);
  for (const [key, { choice, cmd }] of ordered) {
    if (choice === 'abstain') continue;
    const group = groupOn(ctx.model, cmd.user, ctx.openedAt) ?? `unaffiliated:${cmd.user}`;
    const n = (perGroup.get(group) ?? 0) + 1;
    perGroup.set(group, n);
    if (n > limit) {
      counted.delete(key);
      out.refusals.push({ user: cmd.user, input: commandText(cmd), reason: 'over-cap', message: `group '${group}' already has ${limit} binding vote(s), the cap on ${body.id}` });
    }
  }
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
