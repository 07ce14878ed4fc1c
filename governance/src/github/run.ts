import { evaluate } from '../engine/evaluate.js';
import { freezeDecision } from '../engine/freeze.js';
import type { Evaluation } from '../engine/result.js';
import type { FinalVote, Snapshot } from '../engine/snapshot.js';
import { teamsOf } from '../model/query.js';
import type { Policy } from '../model/types.js';
import { GovernanceError } from '../error.js';
import { publishCheckRun, publishRefusal, publishStatus, readSnapshot, recordFinalVote, recordFrozen, type PullRequestRef } from './adapter.js';
import type { GitHubClient } from './client.js';

/** Options of {@link runBot}. */
export interface RunBotOptions extends PullRequestRef {
  /** The policy in force now. */
  readonly policy: Policy;
  /** The policy file's path in the repository, for annotations. */
  readonly policyPath: string;
  /** `check-run` with a GitHub App; `status` where only a plain token is available. */
  readonly publish: 'check-run' | 'status';
  /** The instant to evaluate at (now, in production). */
  readonly now: string;
  /** The bot's login. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** The bot's signing key (a secret of at least 32 characters): it signs the frozen record and checks it on every run. */
  readonly key: string;
}

/** What one bot run did. */
export interface RunBotResult {
  /** The snapshot read (with its frozen decision). */
  readonly snapshot: Snapshot;
  /** The evaluation published. */
  readonly evaluation: Evaluation;
  /** True when this run froze the decision. */
  readonly froze: boolean;
}

/**
 * One run of the bot: read the pull request (checking the signature of its frozen record, if any);
 * freeze the decision if this is its first run; evaluate it now; publish the outcome as a check run
 * or a commit status. When it cannot decide (an untrustworthy record, a vote without its subject),
 * it publishes a failing check that says why, then throws the error.
 */
export async function runBot(octokit: GitHubClient, options: RunBotOptions): Promise<RunBotResult> {
  try {
    return await decide(octokit, options);
  } catch (e) {
    // A decision the bot cannot make is shown on the pull request as a failing check that says why;
    // GitHub failures are not the pull request's, and are left to the workflow's log.
    if (!(e instanceof GovernanceError) || e.code === 'E_GOV_GITHUB' || e.code === 'E_GOV_APP_AUTH') throw e;
    await publishRefusal(octokit, { ...options, error: e });
    throw e;
  }
}

async function decide(octokit: GitHubClient, options: RunBotOptions): Promise<RunBotResult> {
  const read = await readSnapshot(octokit, { ...options, teams: teamsOf(options.policy.model) });
  let snapshot = read;
  const froze = read.frozen === undefined;
  if (froze) {
    const frozen = freezeDecision(read, options.policy);
    await recordFrozen(octokit, options, frozen, options.policy, options.key);
    snapshot = { ...read, frozen };
  }
  const evaluation = evaluate(snapshot, options.policy, options.now);
  const outcome = closedVote(evaluation);
  if (outcome !== undefined && snapshot.finalVote === undefined && snapshot.frozen !== undefined) {
    await recordFinalVote(octokit, options, snapshot.frozen, outcome, options.key);
  }
  const target = { owner: options.owner, repo: options.repo, headSha: snapshot.headSha, evaluation };
  if (options.publish === 'check-run') await publishCheckRun(octokit, { ...target, policyPath: options.policyPath });
  else await publishStatus(octokit, target);
  return { snapshot, evaluation, froze };
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
