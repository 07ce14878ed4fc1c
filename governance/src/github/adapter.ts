import { GovernanceError } from '../error.js';
import { verifyFrozen } from '../engine/freeze.js';
import type { Evaluation, Requirement } from '../engine/result.js';
import type { DroppedInput, FinalVote, FrozenDecision, ReviewEvent, ReviewState, Snapshot } from '../engine/snapshot.js';
import { parsePolicy } from '../model/load.js';
import type { Policy } from '../model/types.js';
import type { GitHubClient } from './client.js';
import { commandsOutOfPlace, decisionFields, finalVoteComment, finalVoteFromComment, frozenComment, frozenFromComment } from './commands.js';
import { commentCommands, readEdits, type CommentEdit } from './edits.js';
import { frozenFromRecord, signFinalVote, signRecord, verifyFinalVote, verifyIdentities, verifyRecord, type FinalVoteRecord, type FrozenRecord, type RecordContext } from './record.js';
import { DEFAULT_RECORD_BRANCH, readStored, writeStored, type StoredDecision } from './store.js';

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
  /** The bot's login: only its comments can witness a record. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** GitHub teams (`org/slug`) to read for drift reports; unreadable teams are skipped. */
  readonly teams?: readonly string[];
  /**
   * The bot's signing key: the records' signatures are checked with it. Without it (a person
   * evaluating a pull request) the records' shape, context and policy hashes are checked, not their signatures.
   */
  readonly key?: string;
  /**
   * The policy in force now. When the frozen record names this very file (same blob hash), it is
   * used as is; otherwise the recorded policy is fetched back from the repository by its blob hash.
   */
  readonly policy?: Policy;
  /** The branch the bot keeps its records on, which only the bot may write. Default {@link DEFAULT_RECORD_BRANCH}. */
  readonly recordBranch?: string;
}

/** The most files GitHub lists for a pull request; one that changes more is listed incompletely. */
export const MAX_LISTED_FILES = 3000;

/** How many times the bot reads a pull request that keeps changing under it before it gives up for this run. */
export const CONSISTENT_READ_ATTEMPTS = 3;

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
 * Reads a pull request into a snapshot: its files, reviews, comment commands (each edit judged by
 * who made it), events, the bot's records, the decision fields of its description, and the members
 * of the named teams. When GitHub lists fewer files than the pull request changes (it lists at most
 * 3,000), the snapshot says so and the engine refuses to decide.
 */
export async function readSnapshot(octokit: GitHubClient, options: ReadSnapshotOptions): Promise<Snapshot> {
  return (await readPullRequest(octokit, options)).snapshot;
}

/** A pull request as the bot reads it: the snapshot, and where its records are kept. */
export interface PullRequestState {
  /** The snapshot. */
  readonly snapshot: Snapshot;
  /** The context every record of this decision is signed with. */
  readonly context: RecordContext;
  /** The records as stored, and the blob sha of their file, when there are any. */
  readonly stored: { readonly records: StoredDecision; readonly sha: string } | undefined;
  /** Whether the pull request is a draft. */
  readonly draft: boolean;
}

/**
 * Reads a pull request in one consistent state: the head and base are read again after everything
 * else, and the whole read is repeated when either moved (a force-push or a retarget landing
 * between the requests), so the files, reviews and verdict all belong to the head that is judged.
 */
export async function readPullRequest(octokit: GitHubClient, options: ReadSnapshotOptions): Promise<PullRequestState> {
  const { owner, repo, pullNumber } = options;
  const getPull = () => call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }));
  for (let attempt = 1; ; attempt++) {
    const { data: pull } = await getPull();
    const state = await readAt(octokit, options, pull);
    const { data: again } = await getPull();
    if (again.head.sha === pull.head.sha && again.base.ref === pull.base.ref) return state;
    if (attempt >= CONSISTENT_READ_ATTEMPTS) {
      throw new GovernanceError('E_GOV_GITHUB', `pull request #${pullNumber} changed while it was read, ${attempt} times (head ${pull.head.sha.slice(0, 7)} → ${again.head.sha.slice(0, 7)}, base ${pull.base.ref} → ${again.base.ref}); the bot runs again on the next event`);
    }
  }
}

type Pull = Awaited<ReturnType<GitHubClient['rest']['pulls']['get']>>['data'];

async function readAt(octokit: GitHubClient, options: ReadSnapshotOptions, pull: Pull): Promise<PullRequestState> {
  const { owner, repo, pullNumber } = options;
  const pr = { owner, repo, pull_number: pullNumber, per_page: 100 };
  const issue = { owner, repo, issue_number: pullNumber, per_page: 100 };
  const files = await call('list the pull request files', () => octokit.paginate(octokit.rest.pulls.listFiles, pr));
  const reviews = await call('list reviews', () => octokit.paginate(octokit.rest.pulls.listReviews, pr));
  const comments = await call('list comments', () => octokit.paginate(octokit.rest.issues.listComments, issue));
  const events = await call('list the pull request events', () => octokit.paginate(octokit.rest.issues.listEvents, issue));
  const edited = comments.filter((c) => Date.parse(c.updated_at) !== Date.parse(c.created_at)).map((c) => c.node_id);
  const history = edited.length === 0 ? new Map<string, CommentEdit[]>() : await call('read who edited the comments (GraphQL userContentEdits)', () => readEdits(octokit, edited));

  const context: RecordContext = { owner, repo, number: pullNumber, base: pull.base.ref };
  const botLogin = options.botLogin ?? 'github-actions[bot]';
  const byBot = comments.filter((c) => c.user?.login === botLogin);
  const stored = await readRecords(octokit, options, context);
  checkWitnesses(byBot, stored?.records, options.key, context);
  const frozen = stored === undefined ? undefined : await frozenOf(octokit, options, stored.records.frozen, context);
  const finalVote = frozen === undefined || stored?.records.finalVote === undefined ? undefined : verifyFinalVote(stored.records.finalVote, frozen, options.key, context);
  const pinnedIds = stored?.records.identities === undefined ? undefined : verifyIdentities(stored.records.identities, options.key, context);

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
  const read = comments.filter((c) => c.user !== null && c.user.login !== botLogin).map((c) => commentCommands(c, history.get(c.node_id)));
  const dropped: DroppedInput[] = [
    ...read.flatMap((r) => r.dropped),
    ...reviews.flatMap((r) => (r.user === null || r.submitted_at === undefined ? [] : commandsOutOfPlace(r.body, r.user.login, r.submitted_at, "a review's body"))),
    ...commandsOutOfPlace(pull.body, pull.user.login, pull.created_at, "the pull request's description"),
  ];
  const reviewEvents: ReviewEvent[] = reviews
    .filter((r) => r.user !== null && r.submitted_at !== undefined && r.commit_id !== null)
    .map((r) => ({ user: r.user?.login ?? '', ...(r.user?.id === undefined ? {} : { userId: r.user.id }), state: r.state as ReviewState, commitId: r.commit_id ?? '', submittedAt: r.submitted_at ?? '' }));
  const retargeted = events.filter((e) => e.event === 'base_ref_changed').map((e) => e.created_at).sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
  const changed = pull.changed_files;
  const snapshot: Snapshot = {
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
    commands: read.flatMap((r) => r.commands),
    ...decisionFields(pull.body),
    baseRef: pull.base.ref,
    ...(retargeted === undefined ? {} : { baseChangedAt: new Date(retargeted).toISOString() }),
    ...(dropped.length > 0 ? { dropped } : {}),
    ...(pinnedIds === undefined ? {} : { pinnedIds }),
    ...(Object.keys(teams).length > 0 ? { teams } : {}),
    ...(frozen === undefined ? {} : { frozen }),
    ...(finalVote === undefined ? {} : { finalVote }),
  };
  return { snapshot, context, stored, draft: pull.draft === true };
}

/** The records of a pull request on the record branch, checked for shape (signatures are checked by the caller). */
async function readRecords(octokit: GitHubClient, options: ReadSnapshotOptions, context: RecordContext): Promise<{ records: StoredDecision; sha: string } | undefined> {
  const at = { owner: context.owner, repo: context.repo, branch: options.recordBranch ?? DEFAULT_RECORD_BRANCH, pullNumber: context.number };
  const found = await readStored(octokit, at);
  if (found === undefined) return undefined;
  const data = found.stored as Partial<StoredDecision> | null;
  if (data === null || typeof data !== 'object' || data.frozen === undefined) {
    throw new GovernanceError('E_GOV_FROZEN', `the record file of #${context.number} on ${at.branch} holds no frozen decision; it was altered, so the decision cannot go on: open a new pull request`);
  }
  return { records: data as StoredDecision, sha: found.sha };
}

/**
 * Refuses a decision whose record disappeared: the bot's comments witness each record it wrote
 * (with the signed record itself), so a witness for this pull request without its record on the
 * record branch means someone deleted it. Deleting a record is tampering, never a way to re-open a
 * decision with the inputs of the moment. A witness copied from elsewhere does not verify here and is ignored.
 */
function checkWitnesses(byBot: readonly { id: number; body?: string }[], stored: StoredDecision | undefined, key: string | undefined, context: RecordContext): void {
  const witnessed = (read: (body: string) => string | undefined, verify: (data: unknown) => unknown): number | undefined =>
    byBot.find((c) => {
      const json = read(c.body ?? '');
      if (json === undefined) return false;
      try {
        verify(JSON.parse(json));
        return true;
      } catch {
        return false;
      }
    })?.id;
  const gone = (what: string, id: number): never => {
    throw new GovernanceError('E_GOV_FROZEN', `the bot recorded ${what} of this decision (comment ${id} witnesses it), and the record is gone from the record branch: someone deleted it, which is tampering; restore the branch from its history, or open a new pull request`);
  };
  const frozenWitness = witnessed(frozenFromComment, (d) => verifyRecord(d, key, context));
  if (stored === undefined) {
    if (frozenWitness !== undefined) gone('the opening', frozenWitness);
    return;
  }
  if (stored.finalVote === undefined) {
    const finalWitness = witnessed(finalVoteFromComment, (d) => {
      const r = d as { kind?: unknown; owner?: unknown; repo?: unknown; number?: unknown; base?: unknown; decision?: unknown; openedAt?: unknown };
      if (r.kind !== 'final-vote' || r.owner !== context.owner || r.repo !== context.repo || r.number !== context.number || r.decision !== stored.frozen.decision || r.openedAt !== stored.frozen.openedAt) throw new Error('not this decision');
    });
    if (finalWitness !== undefined) gone("the vote's final outcome", finalWitness);
  }
}

/**
 * The frozen decision of the bot's record: refused if its signature does not check, if it names
 * another repository, pull request or base, or if the policy it names cannot be fetched back
 * unchanged by its blob hash.
 */
async function frozenOf(octokit: GitHubClient, options: ReadSnapshotOptions, data: unknown, context: RecordContext): Promise<FrozenDecision> {
  const record = verifyRecord(data, options.key, context);
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

/** What {@link recordDecision} writes: the records, and the file they replace (its blob sha), if any. */
export interface RecordWrite {
  /** The pull request and its context. */
  readonly context: RecordContext;
  /** The record branch. Default {@link DEFAULT_RECORD_BRANCH}. */
  readonly branch?: string;
  /** The records to keep. */
  readonly records: StoredDecision;
  /** The blob sha of the record file read, when there was one. */
  readonly sha?: string | undefined;
  /** A line for people, posted as a comment witnessing the record, or nothing to post none. */
  readonly witness?: { readonly kind: 'frozen' | 'final-vote'; readonly summary: string };
}

/**
 * Keeps a decision's records on the record branch, which only the bot may write (a ruleset restricts
 * its updates and deletion to the bot's App), and posts a comment that witnesses the record: the
 * record itself, signed, so a record deleted from the branch is noticed as tampering. Returns the
 * record file's new blob sha.
 */
export async function recordDecision(octokit: GitHubClient, write: RecordWrite): Promise<string> {
  const { context } = write;
  const at = { owner: context.owner, repo: context.repo, branch: write.branch ?? DEFAULT_RECORD_BRANCH, pullNumber: context.number };
  const sha = await writeStored(octokit, at, write.records, write.sha, context.base);
  const witness = write.witness;
  if (witness === undefined) return sha;
  const record = witness.kind === 'frozen' ? write.records.frozen : write.records.finalVote;
  const body = witness.kind === 'frozen' ? frozenComment(JSON.stringify(record), witness.summary) : finalVoteComment(witness.summary, JSON.stringify(record));
  await call('comment on the pull request', () => octokit.rest.issues.createComment({ owner: context.owner, repo: context.repo, issue_number: context.number, body }));
  return sha;
}

/** Signs a frozen decision into a record of this pull request. */
export function frozenRecordOf(frozen: FrozenDecision, policy: Policy, key: string, context: RecordContext, upgradedFrom?: string): FrozenRecord {
  return signRecord(frozen, policy, key, context, upgradedFrom);
}

/** Signs a vote's outcome at its close into a record of this pull request. */
export function finalVoteRecordOf(frozen: FrozenDecision, outcome: FinalVote, key: string, context: RecordContext): FinalVoteRecord {
  return signFinalVote(frozen, outcome, key, context);
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
  /** Why the bot refuses to decide, or cannot judge. */
  readonly error: GovernanceError;
  /** `check-run` or `status`, as the evaluation would have been published. */
  readonly publish: 'check-run' | 'status';
  /** Check or status name. Default `hearth/governance`. */
  readonly name?: string;
  /** The commit being judged; read from the pull request when absent. */
  readonly headSha?: string | undefined;
}

/**
 * Publishes the bot's refusal to decide (a record it cannot trust, a vote without its subject, two
 * decision labels) as a failing check on the pull request's head, saying why, so the pull request
 * shows the reason rather than a missing check.
 */
export async function publishRefusal(octokit: GitHubClient, options: RefusalOptions): Promise<void> {
  const { error } = options;
  await publishVerdict(octokit, options, 'failure', `Governance: refused (${error.code})`, `The governance bot refuses to decide this pull request.\n\n${error.code}: ${error.message}`, `refused: ${error.code}: ${error.message}`);
}

/**
 * Withdraws the verdict on the pull request's head when the bot cannot judge it (GitHub keeps
 * refusing or rate-limiting its requests): a pending check that says why, so an earlier `success`
 * no longer stands after a request for changes the bot could not read.
 */
export async function publishWithdrawal(octokit: GitHubClient, options: RefusalOptions): Promise<void> {
  const { error } = options;
  await publishVerdict(octokit, options, 'pending', 'Governance: cannot judge now', `The governance bot could not read this pull request, so its earlier verdict is withdrawn until it can.\n\n${error.code}: ${error.message}`, `cannot judge: ${error.message}`);
}

async function publishVerdict(octokit: GitHubClient, options: RefusalOptions, state: 'failure' | 'pending', title: string, summary: string, description: string): Promise<void> {
  const { owner, repo, pullNumber } = options;
  const sha = options.headSha ?? (await call(`read pull request #${pullNumber}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }))).data.head.sha;
  const name = options.name ?? 'hearth/governance';
  if (options.publish === 'check-run') {
    const run = state === 'failure' ? ({ status: 'completed', conclusion: 'failure' } as const) : ({ status: 'in_progress' } as const);
    await call('create a check run', () => octokit.rest.checks.create({ owner, repo, name, head_sha: sha, ...run, output: { title, summary } }));
  } else {
    // GitHub cuts descriptions at 140 characters.
    await call('set a commit status', () => octokit.rest.repos.createCommitStatus({ owner, repo, sha, state, context: name, description: description.slice(0, 140) }));
  }
}
