import { GovernanceError } from '../error.js';
import type { DroppedInput, ReviewEvent, ReviewState, Snapshot } from '../engine/snapshot.js';
import type { Policy } from '../model/types.js';
import { call, type PullRequestRef } from './call.js';
import type { GitHubClient } from './client.js';
import { commandsOutOfPlace, decisionFields, hiddenFields } from './commands.js';
import { commentCommands, readEdits, type CommentEdit } from './edits.js';
import { checkWitnesses, frozenOf, readRecords } from './records.js';
import { verifyFinalVote, verifyIdentities, type RecordContext } from './record.js';
import type { DEFAULT_RECORD_BRANCH, StoredDecision } from './store.js';

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
    ...hiddenFields(pull.body, pull.user.login, pull.created_at),
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

