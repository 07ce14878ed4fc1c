import { durationMs } from '../model/dates.js';
import { capLimit, findBody, groupOfOrg, groupOn, sameLogin, seatsOn } from '../model/query.js';
import type { Body, VoteRule } from '../model/types.js';
import { addMs, commandText, commandsUpTo, includesLogin, refuseIfEdited, type EvalContext, type EvalOutput } from './context.js';
import type { RefusalReason, VoteTally } from './result.js';
import type { CommandEvent } from './snapshot.js';

type Choice = 'yes' | 'no' | 'abstain';

/** A vote that counts, keyed by the voter's lower-cased login. */
type Counted = Map<string, { choice: Choice; cmd: CommandEvent }>;

/**
 * A vote of a body. The electorate is the body's seat holders on the day the vote opened, less those
 * recused; each person's last vote before the deadline counts; a group's binding votes beyond the
 * body's cap are refused, earliest kept. The threshold divides by the stated denominator, and a quorum
 * of the eligible electorate must take part. Open until the deadline, unless everyone has voted.
 */
export function evaluateVote(ctx: EvalContext, rule: VoteRule, out: EvalOutput): VoteTally {
  const at = `${ctx.decisionPointer}/rule/vote`;
  const body = findBody(ctx.model, rule.body);
  const seated = body === undefined ? [] : seatsOn(body, ctx.openedAt).map((s) => s.person);
  const closesAt = addMs(ctx.openedAt, durationMs(rule.window));
  const recused = recusedOf(ctx, rule, seated);
  const electorate = seated.filter((p) => !includesLogin(recused, p));
  for (const p of recused) out.explanations.push({ message: `${p} is recused from this vote`, ref: ctx.ref(`${at}/recuse`) });

  const counted: Counted = new Map();
  for (const cmd of commandsUpTo(ctx, 'vote')) {
    if (refuseIfEdited(out, cmd)) continue;
    const input = commandText(cmd);
    const refuse = (reason: RefusalReason, message: string): void => {
      out.refusals.push({ user: cmd.user, input, reason, message });
    };
    const choice = cmd.argument?.trim().toLowerCase();
    if (choice !== 'yes' && choice !== 'no' && choice !== 'abstain') {
      refuse('invalid', `'${input}' is not a vote; write /vote yes, /vote no or /vote abstain`);
    } else if (includesLogin(recused, cmd.user)) {
      refuse('recused', `${cmd.user} is recused from this vote, so the vote is not counted`);
    } else if (!includesLogin(seated, cmd.user)) {
      const later = body !== undefined && body.seats.some((s) => sameLogin(s.person, cmd.user) && s.since > ctx.openedAt.slice(0, 10));
      if (later) refuse('joined-after-opening', `${cmd.user} joined ${rule.body} after the vote opened on ${ctx.openedAt.slice(0, 10)}; the electorate is fixed when a vote opens`);
      else refuse('outside-electorate', `${cmd.user} held no seat on ${rule.body} when the vote opened, so cannot vote`);
    } else if (cmd.at > closesAt) {
      refuse('after-deadline', `the vote closed at ${closesAt}; this vote came at ${cmd.at}${counted.has(cmd.user.toLowerCase()) ? ', so the earlier vote stands' : ''}`);
    } else {
      const previous = counted.get(cmd.user.toLowerCase());
      if (previous !== undefined) {
        out.refusals.push({ user: cmd.user, input: commandText(previous.cmd), reason: 'superseded', message: `${cmd.user} voted again; only the latest vote counts` });
      }
      counted.set(cmd.user.toLowerCase(), { choice, cmd });
    }
  }

  if (body !== undefined && (rule.capVotes ?? true)) applyCaps(ctx, body, seated.length, counted, out);

  const votes = [...counted.values()];
  const yes = votes.filter((v) => v.choice === 'yes').length;
  const no = votes.filter((v) => v.choice === 'no').length;
  const abstain = votes.filter((v) => v.choice === 'abstain').length;
  const eligible = electorate.length;
  const denominator = rule.denominator === 'eligible' ? eligible : rule.denominator === 'cast' ? yes + no : yes + no + abstain;
  const tally: VoteTally = { yes, no, abstain, eligible, denominator, closesAt, electorate };

  // The vote is final once it closes, or once every eligible voter has voted.
  const final = ctx.asOf >= closesAt || votes.length >= eligible;
  const notVoted = electorate.filter((p) => !counted.has(p.toLowerCase()));
  const quorum = rule.quorum ?? 0;
  const quorumMet = eligible > 0 && votes.length / eligible >= quorum - 1e-9;
  out.requirements.push({
    id: 'vote:quorum',
    description: `a quorum of ${pct(quorum)} of the ${eligible} eligible voters takes part (now ${votes.length})`,
    status: quorumMet ? 'met' : final ? 'failed' : 'open',
    satisfiedBy: votes.map((v) => v.cmd.user),
    couldSatisfy: quorumMet || final ? [] : notVoted,
    ref: ctx.ref(`${at}/quorum`),
  });
  const share = denominator === 0 ? 0 : yes / denominator;
  const passes = denominator > 0 && (rule.strict === true ? share > rule.threshold + 1e-9 : share >= rule.threshold - 1e-9);
  out.requirements.push({
    id: 'vote:threshold',
    description: `yes votes ${rule.strict === true ? 'above' : 'at least'} ${pct(rule.threshold)} of ${rule.denominator} (now ${yes} of ${denominator})`,
    status: final ? (passes ? 'met' : 'failed') : 'open',
    satisfiedBy: votes.filter((v) => v.choice === 'yes').map((v) => v.cmd.user),
    couldSatisfy: final ? [] : notVoted,
    ref: ctx.ref(`${at}/threshold`),
  });
  if (!final) out.explanations.push({ message: `the vote is open until ${closesAt}`, ref: ctx.ref(`${at}/window`) });
  return tally;
}

function recusedOf(ctx: EvalContext, rule: VoteRule, seated: string[]): string[] {
  const { subject, applicant } = ctx.snapshot;
  const out: string[] = [];
  for (const r of rule.recuse ?? []) {
    if (r === 'subject' && subject !== undefined) out.push(...seated.filter((p) => sameLogin(p, subject)));
    if (r === 'subject-group' && subject !== undefined) {
      const g = groupOn(ctx.model, subject, ctx.openedAt);
      out.push(...seated.filter((p) => g !== undefined && groupOn(ctx.model, p, ctx.openedAt) === g));
    }
    if (r === 'applicant-group' && applicant !== undefined) {
      const g = groupOfOrg(ctx.model, applicant);
      out.push(...seated.filter((p) => groupOn(ctx.model, p, ctx.openedAt) === g));
    }
  }
  return [...new Set(out)];
}

/** Keeps each group's earliest binding votes up to the body's cap; the rest are refused. */
function applyCaps(ctx: EvalContext, body: Body, seats: number, counted: Counted, out: EvalOutput): void {
  const limit = capLimit(body, seats);
  const perGroup = new Map<string, number>();
  const ordered = [...counted.entries()].sort(([, a], [, b]) => (a.cmd.at < b.cmd.at ? -1 : 1));
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
