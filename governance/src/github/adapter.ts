import { GovernanceError } from '../error.js';
import { verifyFrozen } from '../engine/freeze.js';
import type { Evaluation, Requirement } from '../engine/result.js';
import type { FinalVote, FrozenDecision, ReviewEvent, ReviewState, Snapshot } from '../engine/snapshot.js';
import { parsePolicy } from '../model/load.js';
import type { Policy } from '../model/types.js';
import type { GitHubClient } from './client.js';
import { commandsFromComment, decisionFields, finalVoteComment, finalVoteFromComment, frozenComment, frozenFromComment } from './commands.js';
import { frozenFromRecord, signFinalVote, signRecord, verifyFinalVote, verifyRecord, type FinalVoteRecord, type FrozenRecord } from './record.js';

/** Which pull request to read or write. */
export interface PullRequestRef {
  /** Repository owner. */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /** Pull request number. */
  readonly pullNumber: number;
}

/** Options of {@link readSnapshot}. */
export interface ReadSnapshotOptions extends PullRequestRef {
  /** The bot's login: only its comments can carry a frozen decision. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** GitHub teams (`org/slug`) to read for drift reports; unreadable teams are skipped. */
  readonly teams?: readonly string[];
  /**
   * The bot's signing key: the frozen record's signature is checked with it. Without it (a person
   * evaluating a pull request) the record's shape and policy hashes are checked, not its signature.
   */
  readonly key?: string;
  /**
   * The policy in force now. When the frozen record names this very file (same blob hash), it is
   * used as is; otherwise the recorded policy is fetched back from the repository by its blob hash.
   */
  readonly policy?: Policy;
}

/** The most files GitHub lists for a pull request; one that changes more is listed incompletely. */
export const MAX_LISTED_FILES = 3000;

/** Wraps a failed request in a {@link GovernanceError} that says what to check. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof GovernanceError) throw cause;
    const status = (cause as { status?: number }).status;
    throw new GovernanceError('E_GOV_GITHUB', `GitHub refused to ${what}${status === undefined ? '' : ` (HTTP ${status})`}: ${(cause as Error).message}; check the token's permissions and the repository name`);
  }
}

/**
 * Reads a pull request into a snapshot: its files, reviews, comment commands and frozen decision (all
 * pages), the decision fields of its description, and the members of the named teams. When GitHub
 * lists fewer files than the pull request changes (it lists at most 3,000), the snapshot says so and
 * the engine refuses to decide.
 */
export async function readSnapshot(octokit: GitHubClient, options: ReadSnapshotOptions): Promise<Snapshot> {
  const { owner, repo, pullNumber } = options;
  const pr = { owner, repo, pull_number: pullNumber, per_page: 100 };
  const { data: pull } = await call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }));
  const files = await call('list the pull request files', () => octokit.paginate(octokit.rest.pulls.listFiles, pr));
  const reviews = await call('list reviews', () => octokit.paginate(octokit.rest.pulls.listReviews, pr));
  const comments = await call('list comments', () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pullNumber, per_page: 100 }));

  const botLogin = options.botLogin ?? 'github-actions[bot]';
  // The bot's first record decides: a later record cannot re-freeze a decision in flight.
  const byBot = (read: (body: string) => string | undefined) => comments.find((c) => c.user?.login === botLogin && read(c.body ?? '') !== undefined);
  const recordComment = byBot(frozenFromComment);
  const frozen = recordComment === undefined ? undefined : await frozenOf(octokit, options, recordComment);
  const finalComment = frozen === undefined ? undefined : byBot(finalVoteFromComment);
  const finalVote = finalComment === undefined || frozen === undefined ? undefined : verifyFinalVote(recordJson(finalComment, finalVoteFromComment, "this vote's outcome"), frozen, options.key);
  const teams: Record<string, string[]> = {};
  for (const team of options.teams ?? []) {
    const [org = '', slug = ''] = team.split('/');
    try {
      const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, { org, team_slug: slug, per_page: 100 });
      teams[team] = members.map((m) => m.login);
    } catch {
      // A workflow token cannot read teams; drift is a report, not a requirement, so go on without it.
    }
  }
  const reviewEvents: ReviewEvent[] = reviews
    .filter((r) => r.user !== null && r.submitted_at !== undefined && r.commit_id !== null)
    .map((r) => ({ user: r.user?.login ?? '', userId: r.user?.id, state: r.state as ReviewState, commitId: r.commit_id ?? '', submittedAt: r.submitted_at ?? '' }));
  const changed = pull.changed_files;
  return {
    version: 1,
    repository: `${owner}/${repo}`,
    number: pullNumber,
    author: pull.user.login,
    headSha: pull.head.sha,
    openedAt: new Date(pull.created_at).toISOString(),
    labels: pull.labels.map((l) => l.name),
    // A rename touches the module it leaves as well as the one it joins.
    files: files.flatMap((f) => (f.previous_filename === undefined ? [f.filename] : [f.filename, f.previous_filename])),
    ...(files.length < changed ? { incompleteFiles: { listed: files.length, changed } } : {}),
    reviews: reviewEvents,
    commands: comments
      .filter((c) => c.user !== null && c.user.login !== botLogin)
      .flatMap((c) => commandsFromComment({ id: c.id, user: c.user?.login ?? '', body: c.body ?? '', createdAt: c.created_at, updatedAt: c.updated_at })),
    ...decisionFields(pull.body),
    ...(Object.keys(teams).length > 0 ? { teams } : {}),
    ...(frozen === undefined ? {} : { frozen }),
    ...(finalVote === undefined ? {} : { finalVote }),
  };
}

/** A comment of the bot's record: what GitHub returns of it. */
interface RecordComment {
  id: number;
  body?: string;
  created_at: string;
  updated_at: string;
}

/** The parsed JSON of a bot record comment; an edited comment or a record that is not JSON is refused. */
function recordJson(comment: RecordComment, read: (body: string) => string | undefined, what: string): unknown {
  if (Date.parse(comment.updated_at) !== Date.parse(comment.created_at)) {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of ${what} (comment ${comment.id}) was edited at ${comment.updated_at}; an edited record cannot be trusted, so the decision cannot go on: open a new pull request`);
  }
  try {
    return JSON.parse(read(comment.body ?? '') ?? '');
  } catch {
    throw new GovernanceError('E_GOV_FROZEN', `the bot's record of ${what} in comment ${comment.id} is not valid JSON; open a new pull request`);
  }
}

/**
 * The frozen decision of the bot's record comment: refused if the comment was edited (by anyone: an
 * administrator can edit the bot's comments), if its signature does not check, or if the policy it
 * names cannot be fetched back unchanged by its blob hash.
 */
async function frozenOf(octokit: GitHubClient, options: ReadSnapshotOptions, comment: RecordComment): Promise<FrozenDecision> {
  const record = verifyRecord(recordJson(comment, frozenFromComment, 'this decision'), options.key);
  const current = options.policy;
  const policy = current !== undefined && current.blobSha === record.policyBlob ? current : await fetchPolicy(octokit, options, record.policyBlob, record.policyFile);
  const frozen = frozenFromRecord(record, policy);
  verifyFrozen(frozen);
  return frozen;
}

/** Fetches a policy file back from the repository by its git blob hash, and parses it. */
export async function fetchPolicy(octokit: GitHubClient, ref: PullRequestRef, blobSha: string, file: string): Promise<Policy> {
  const { data } = await call(`fetch the policy file ${file} (blob ${blobSha})`, () => octokit.rest.git.getBlob({ owner: ref.owner, repo: ref.repo, file_sha: blobSha }));
  const text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  return parsePolicy(text, file);
}

/**
 * Records a frozen decision on the pull request, as a comment only the bot's own comments are read
 * for: a small record, signed with `key`, naming the policy by its blob hash. The policy must be a
 * committed file (the base branch's policy file), so that the repository can serve it back by that
 * hash once the policy in force has changed.
 */
export async function recordFrozen(octokit: GitHubClient, ref: PullRequestRef, frozen: FrozenDecision, policy: Policy, key: string): Promise<FrozenRecord> {
  const record = signRecord(frozen, policy, key);
  await call('comment on the pull request', () =>
    octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, body: frozenComment(JSON.stringify(record)) }),
  );
  return record;
}

/**
 * Records a vote's outcome at its close on the pull request, signed with `key`: from then on that
 * outcome stands, whatever comments are edited or deleted later.
 */
export async function recordFinalVote(octokit: GitHubClient, ref: PullRequestRef, frozen: FrozenDecision, outcome: FinalVote, key: string): Promise<FinalVoteRecord> {
  const record = signFinalVote(frozen, outcome, key);
  const { yes, no, abstain } = outcome.tally;
  const summary = `the vote closed at ${outcome.closesAt}: ${yes} yes, ${no} no, ${abstain} abstain; quorum ${outcome.quorum}, threshold ${outcome.threshold}. This outcome is final.`;
  await call('comment on the pull request', () =>
    octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, body: finalVoteComment(summary, JSON.stringify(record)) }),
  );
  return record;
}

/** GitHub's limit on annotations in one check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Options of {@link publishCheckRun}. */
export interface CheckRunOptions {
  /** Repository owner. */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /** The commit the check belongs to. */
  readonly headSha: string;
  /** The evaluation to publish. */
  readonly evaluation: Evaluation;
  /** Path of the policy file in the repository, for annotations. Default: the evaluation's file. */
  readonly policyPath?: string;
  /** Check name. Default `hearth/governance`. */
  readonly name?: string;
}

/** A check-run annotation as GitHub takes it. */
export interface Annotation {
  /** File path in the repository. */
  path: string;
  /** First line. */
  start_line: number;
  /** Last line. */
  end_line: number;
  /** Severity. */
  annotation_level: 'notice' | 'warning' | 'failure';
  /** Short title. */
  title: string;
  /** The text. */
  message: string;
}

/** The annotations of an evaluation: each requirement not met and each refusal, at its policy line. */
export function annotationsOf(evaluation: Evaluation, policyPath: string): Annotation[] {
  const line = (r: { ref: { line?: number } }): number => r.ref.line ?? 1;
  const decisionLine = evaluation.requirements[0]?.ref.line ?? 1;
  const unmet = evaluation.requirements.filter((r) => r.status !== 'met');
  return [
    ...unmet.map((r: Requirement): Annotation => ({
      path: policyPath,
      start_line: line(r),
      end_line: line(r),
      annotation_level: r.status === 'failed' ? 'failure' : 'warning',
      title: r.id,
      message: `${r.description}${r.couldSatisfy.length > 0 ? `\nCould satisfy it: ${r.couldSatisfy.join(', ')}` : ''}`,
    })),
    ...evaluation.refusals.map((r): Annotation => ({
      path: policyPath,
      start_line: decisionLine,
      end_line: decisionLine,
      annotation_level: 'notice',
      title: `not counted: ${r.input} by ${r.user}`,
      message: r.message,
    })),
  ];
}

/** A summary of an evaluation in Markdown, for a check run or the CLI. */
export function summaryOf(evaluation: Evaluation): string {
  const mark = { met: '✅', open: '⏳', failed: '❌' } as const;
  const lines = [
    `**${evaluation.decision}**: ${evaluation.status} as of ${evaluation.asOf}`,
    '',
    ...evaluation.requirements.map((r) => `- ${mark[r.status]} ${r.description}${r.couldSatisfy.length > 0 ? ` (could satisfy: ${r.couldSatisfy.join(', ')})` : ''}`),
    ...(evaluation.refusals.length > 0 ? ['', 'Not counted:', ...evaluation.refusals.map((r) => `- ${r.input} by ${r.user}: ${r.message}`)] : []),
    ...(evaluation.explanations.length > 0 ? ['', ...evaluation.explanations.map((e) => `- ${e.message}`)] : []),
    '',
    `Policy ${evaluation.policyHash}${evaluation.frozen ? ' (frozen when the decision opened)' : ''}`,
  ];
  return lines.join('\n');
}

/**
 * Publishes an evaluation as a check run: created with the first 50 annotations, then updated with
 * the rest 50 at a time, since GitHub takes at most 50 per request. Needs a GitHub App (or a token with
 * `checks: write`). Returns the check run's id.
 */
export async function publishCheckRun(octokit: GitHubClient, options: CheckRunOptions): Promise<number> {
  const { owner, repo, headSha, evaluation } = options;
  const annotations = annotationsOf(evaluation, options.policyPath ?? (evaluation.requirements[0]?.ref.file ?? 'governance.yaml'));
  const output = (batch: Annotation[]): { title: string; summary: string; annotations: Annotation[] } => ({
    title: `Governance: ${evaluation.status}`,
    summary: summaryOf(evaluation),
    annotations: batch,
  });
  const state =
    evaluation.status === 'pending'
      ? ({ status: 'in_progress' } as const)
      : ({ status: 'completed', conclusion: evaluation.status === 'passing' ? 'success' : 'failure' } as const);
  const { data } = await call('create a check run', () =>
    octokit.rest.checks.create({ owner, repo, name: options.name ?? 'hearth/governance', head_sha: headSha, ...state, output: output(annotations.slice(0, ANNOTATIONS_PER_REQUEST)) }),
  );
  for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    const batch = annotations.slice(i, i + ANNOTATIONS_PER_REQUEST);
    await call('update the check run', () => octokit.rest.checks.update({ owner, repo, check_run_id: data.id, output: output(batch) }));
  }
  return data.id;
}

/** Publishes an evaluation as a commit status, for when only a token without `checks: write` is available. */
export async function publishStatus(octokit: GitHubClient, options: Omit<CheckRunOptions, 'policyPath'>): Promise<void> {
  const { owner, repo, headSha, evaluation } = options;
  const state = evaluation.status === 'passing' ? 'success' : evaluation.status === 'failing' ? 'failure' : 'pending';
  const unmet = evaluation.requirements.filter((r) => r.status !== 'met').map((r) => r.id);
  const description = `${evaluation.decision}: ${evaluation.status}${unmet.length > 0 ? `; needs ${unmet.join(', ')}` : ''}`;
  await call('set a commit status', () =>
    // GitHub cuts descriptions at 140 characters.
    octokit.rest.repos.createCommitStatus({ owner, repo, sha: headSha, state, context: options.name ?? 'hearth/governance', description: description.slice(0, 140) }),
  );
}

/** Options of {@link publishRefusal}. */
export interface RefusalOptions extends PullRequestRef {
  /** Why the bot refuses to decide. */
  readonly error: GovernanceError;
  /** `check-run` or `status`, as the evaluation would have been published. */
  readonly publish: 'check-run' | 'status';
  /** Check or status name. Default `hearth/governance`. */
  readonly name?: string;
}

/**
 * Publishes the bot's refusal to decide (a frozen record it cannot trust, a vote without its subject,
 * two decision labels) as a failing check on the pull request's head, saying why, so the pull
 * request shows the reason rather than a missing check.
 */
export async function publishRefusal(octokit: GitHubClient, options: RefusalOptions): Promise<void> {
  const { owner, repo, pullNumber, error } = options;
  const { data: pull } = await call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }));
  const name = options.name ?? 'hearth/governance';
  const summary = `The governance bot refuses to decide this pull request.\n\n${error.code}: ${error.message}`;
  if (options.publish === 'check-run') {
    await call('create a check run', () =>
      octokit.rest.checks.create({ owner, repo, name, head_sha: pull.head.sha, status: 'completed', conclusion: 'failure', output: { title: `Governance: refused (${error.code})`, summary } }),
    );
  } else {
    await call('set a commit status', () =>
      octokit.rest.repos.createCommitStatus({ owner, repo, sha: pull.head.sha, state: 'failure', context: name, description: `refused: ${error.code}: ${error.message}`.slice(0, 140) }),
    );
  }
}
