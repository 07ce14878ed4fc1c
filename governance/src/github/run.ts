import { evaluate } from '../engine/evaluate.js';
import { freezeDecision, upgradeOf } from '../engine/freeze.js';
import type { Evaluation } from '../engine/result.js';
import type { FinalVote, Snapshot } from '../engine/snapshot.js';
import { iso, parseInstant } from '../model/dates.js';
import { teamsOf } from '../model/query.js';
import type { GovernanceModel, Policy } from '../model/types.js';
import { GovernanceError } from '../error.js';
import { finalVoteRecordOf, frozenRecordOf, publishCheckRun, publishRefusal, publishStatus, publishWithdrawal, readPullRequest, recordDecision, type PullRequestRef } from './adapter.js';
import type { GitHubClient } from './client.js';
import { signIdentities } from './record.js';
import { setupNotes } from './setup.js';
import { DEFAULT_RECORD_BRANCH, type StoredDecision } from './store.js';

/** Options of {@link runBot}. */
export interface RunBotOptions extends PullRequestRef {
  /** The policy in force now. */
  readonly policy: Policy;
  /** The policy file's path in the repository, for annotations. */
  readonly policyPath: string;
  /** `check-run` with a GitHub App; `status` where only a plain token is available. */
  readonly publish: 'check-run' | 'status';
  /** The instant to evaluate at (now, in production); a decision frozen in this run opens then. */
  readonly now: string;
  /** The bot's login. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** The bot's signing key (a secret of at least 32 characters): it signs the records and checks them on every run. */
  readonly key: string;
  /** The branch the bot keeps its records on, which only the bot may write. Default `hearth-governance`. */
  readonly recordBranch?: string;
  /** The bot's GitHub App id, in App mode: the bot checks that the base branch requires its check from this App. */
  readonly appId?: number | string;
}

/** What one bot run did. */
export interface RunBotResult {
  /** The snapshot read (with its frozen decision). */
  readonly snapshot: Snapshot;
  /** The evaluation published. */
  readonly evaluation: Evaluation;
  /** True when this run froze the decision (or froze it anew under a stricter type). */
  readonly froze: boolean;
}

/**
 * One run of the bot: read the pull request in one consistent state (checking its records); open
 * the decision if it is open to review and not yet open (it opens now, so the time given to voters
 * and objectors starts when they can use it), or anew when a stricter decision type now applies;
 * pin the account ids of members it sees for the first time; evaluate; publish the outcome on the
 * judged commit. When it cannot decide (an untrustworthy record, a vote without its subject), it
 * publishes a failing check that says why; when it cannot read GitHub, it withdraws the verdict
 * (pending, with the reason); then it throws the error.
 */
export async function runBot(octokit: GitHubClient, options: RunBotOptions): Promise<RunBotResult> {
  let judged: string | undefined;
  try {
    return await decide(octokit, options, (sha) => {
      judged = sha;
    });
  } catch (e) {
    if (!(e instanceof GovernanceError) || e.code === 'E_GOV_APP_AUTH') throw e;
    const target = { ...options, error: e, headSha: judged };
    // The withdrawal may be refused too (the limit may cover writes); the error is the workflow's then.
    if (e.code === 'E_GOV_GITHUB') await publishWithdrawal(octokit, target).catch(() => undefined);
    else await publishRefusal(octokit, target);
    throw e;
  }
}

async function decide(octokit: GitHubClient, options: RunBotOptions, judging: (sha: string) => void): Promise<RunBotResult> {
  const { policy, key } = options;
  const now = parseInstant(options.now);
  if (now === undefined) throw new GovernanceError('E_GOV_INPUT', `'${options.now}' is not an instant; give an ISO date-time with a zone`);
  const state = await readPullRequest(octokit, { ...options, teams: teamsOf(policy.model) });
  judging(state.snapshot.headSha);
  const write = { context: state.context, ...(options.recordBranch === undefined ? {} : { branch: options.recordBranch }) };
  let snapshot = state.snapshot;
  let records: StoredDecision | undefined = state.stored?.records;
  let sha = state.stored?.sha;
  let froze = false;

  const current = snapshot.frozen;
  const upgrade = current === undefined ? undefined : upgradeOf(current, policy, snapshot.labels, snapshot.files);
  if (current === undefined && state.draft) return publish(octokit, options, snapshot, draftEvaluation(snapshot, policy, options.now), false);
  if (current === undefined || upgrade !== undefined) {
    const frozen = freezeDecision(snapshot, policy, iso(now));
    records = { frozen: frozenRecordOf(frozen, policy, key, state.context, current?.decision), ...(records?.identities === undefined ? {} : { identities: records.identities }) };
    const summary = current === undefined ? 'this decision opens now and is frozen; the policy recorded here decides it whatever changes later.' : `a stricter decision type applies now (${frozen.decision}, not ${current.decision}), so the decision opens anew under it.`;
    sha = await recordDecision(octokit, { ...write, records, sha, witness: { kind: 'frozen', summary } });
    const { finalVote: _closedBefore, ...rest } = snapshot;
    snapshot = { ...rest, frozen };
    froze = true;
  }
  const pins = newPins(snapshot, snapshot.frozen?.model ?? policy.model);
  if (records !== undefined && pins !== undefined) {
    const ids = { ...snapshot.pinnedIds, ...pins };
    records = { ...records, identities: signIdentities(ids, key, state.context) };
    sha = await recordDecision(octokit, { ...write, records, sha });
    snapshot = { ...snapshot, pinnedIds: ids };
  }

  const notes = await setupNotes(octokit, { owner: options.owner, repo: options.repo, base: state.context.base, recordBranch: options.recordBranch ?? DEFAULT_RECORD_BRANCH, checkName: 'hearth/governance', appId: options.appId });
  const judged = evaluate(snapshot, policy, options.now);
  const evaluation = { ...judged, explanations: [...judged.explanations, ...notes.map((message) => ({ message }))] };
  const outcome = closedVote(evaluation);
  if (outcome !== undefined && snapshot.finalVote === undefined && snapshot.frozen !== undefined && records !== undefined) {
    const finalVote = finalVoteRecordOf(snapshot.frozen, outcome, key, state.context);
    const { yes, no, abstain } = outcome.tally;
    const summary = `the vote closed at ${outcome.closesAt}: ${yes} yes, ${no} no, ${abstain} abstain; quorum ${outcome.quorum}, threshold ${outcome.threshold}. This outcome is final.`;
    await recordDecision(octokit, { ...write, records: { ...records, finalVote }, sha, witness: { kind: 'final-vote', summary } });
  }
  return publish(octokit, options, snapshot, evaluation, froze);
}

/** Publishes an evaluation on the commit that was judged. */
async function publish(octokit: GitHubClient, options: RunBotOptions, snapshot: Snapshot, evaluation: Evaluation, froze: boolean): Promise<RunBotResult> {
  const target = { owner: options.owner, repo: options.repo, headSha: snapshot.headSha, evaluation };
  if (options.publish === 'check-run') await publishCheckRun(octokit, { ...target, policyPath: options.policyPath });
  else await publishStatus(octokit, target);
  return { snapshot, evaluation, froze };
}

/**
 * A draft is not open to review, so its decision has not opened: nothing is frozen and no window
 * runs. The evaluation of what it would need is shown, pending, with the reason.
 */
function draftEvaluation(snapshot: Snapshot, policy: Policy, now: string): Evaluation {
  const draft = { id: 'decision:open', description: 'the pull request is a draft: its decision opens, and its windows start, when it is marked ready for review', status: 'open' as const, satisfiedBy: [], couldSatisfy: [], ref: { file: policy.file, pointer: '/decisions' } };
  try {
    const preview = evaluate({ ...snapshot, openedAt: now }, policy, now);
    return { ...preview, status: 'pending', requirements: [draft, ...preview.requirements] };
  } catch (e) {
    if (!(e instanceof GovernanceError)) throw e;
    // What would stop it from opening (two decision labels, no subject) is said now, while it is a draft.
    return { decision: 'none yet', status: 'pending', asOf: now, openedAt: now, policyHash: policy.hash, frozen: false, requirements: [draft], refusals: [], explanations: [{ message: `once ready for review, the bot would refuse to decide it: ${e.message}` }] };
  }
}

/**
 * Account ids to pin: those of members of the model without a `githubId` whose inputs the snapshot
 * holds and who are not pinned yet (first sight). Undefined when there are none.
 */
function newPins(snapshot: Snapshot, model: GovernanceModel): Record<string, number> | undefined {
  const unpinned = new Set(model.people.filter((p) => p.githubId === undefined).map((p) => p.github.toLowerCase()));
  const pins: Record<string, number> = {};
  for (const input of [...snapshot.commands, ...snapshot.reviews]) {
    const login = input.user.toLowerCase();
    if (input.userId === undefined || !unpinned.has(login) || snapshot.pinnedIds?.[login] !== undefined || pins[login] !== undefined) continue;
    pins[login] = input.userId;
  }
  return Object.keys(pins).length === 0 ? undefined : pins;
}

/**
 * The outcome of a vote that has closed by the evaluation's instant, to be recorded; none for a decision
 * without a vote or one still open (the engine marks quorum and threshold `open` until the close).
 */
function closedVote(evaluation: Evaluation): FinalVote | undefined {
  const { tally } = evaluation;
  const status = (id: string) => evaluation.requirements.find((r) => r.id === id)?.status;
  const quorum = status('vote:quorum');
  const threshold = status('vote:threshold');
  if (tally === undefined || quorum === 'open' || threshold === 'open' || quorum === undefined || threshold === undefined) return undefined;
  return { closesAt: tally.closesAt, tally, quorum, threshold };
}

