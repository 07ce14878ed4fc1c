import type { Evaluation, Requirement } from '../engine/result.js';
import { call, type PullRequestRef } from './call.js';
import type { GitHubClient } from './client.js';
import type { GovernanceError } from '../error.js';

export { type PullRequestRef } from './call.js';
export { CONSISTENT_READ_ATTEMPTS, MAX_LISTED_FILES, readPullRequest, readSnapshot, type PullRequestState, type ReadSnapshotOptions } from './read.js';
export { fetchPolicy, finalVoteRecordOf, frozenRecordOf, recordDecision, type RecordSource, type RecordWrite } from './records.js';

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

/** An evaluation's summary as parts, which {@link summaryOf} (Markdown) and {@link terminalSummaryOf} lay out. */
function summaryParts(evaluation: Evaluation) {
  return {
    headline: { decision: evaluation.decision, status: evaluation.status, asOf: evaluation.asOf },
    requirements: evaluation.requirements.map((r) => ({ status: r.status, text: `${r.description}${r.couldSatisfy.length > 0 ? ` (could satisfy: ${r.couldSatisfy.join(', ')})` : ''}` })),
    notCounted: evaluation.refusals.map((r) => `${r.input} by ${r.user}: ${r.message}`),
    notes: evaluation.explanations.map((e) => e.message),
    policy: `Policy ${evaluation.policyHash}${evaluation.frozen ? ' (frozen when the decision opened)' : ''}`,
  };
}

/** A summary of an evaluation in Markdown, for a check run's page. */
export function summaryOf(evaluation: Evaluation): string {
  const mark = { met: '✅', open: '⏳', failed: '❌' } as const;
  const p = summaryParts(evaluation);
  const lines = [
    `**${p.headline.decision}**: ${p.headline.status} as of ${p.headline.asOf}`,
    '',
    ...p.requirements.map((r) => `- ${mark[r.status]} ${r.text}`),
    ...(p.notCounted.length > 0 ? ['', 'Not counted:', ...p.notCounted.map((t) => `- ${t}`)] : []),
    ...(p.notes.length > 0 ? ['', ...p.notes.map((t) => `- ${t}`)] : []),
    '',
    p.policy,
  ];
  return lines.join('\n');
}

/**
 * The same summary for a terminal: plain text with no Markdown markup, each requirement's state spelled
 * out in a column (met, open, failed) so it reads without colour or emoji support.
 */
export function terminalSummaryOf(evaluation: Evaluation): string {
  const p = summaryParts(evaluation);
  const width = Math.max(...p.requirements.map((r) => r.status.length), 0);
  const lines = [
    `${p.headline.decision}: ${p.headline.status} as of ${p.headline.asOf}`,
    ...(p.requirements.length > 0 ? ['', 'Requirements:', ...p.requirements.map((r) => `  ${r.status.padEnd(width)}  ${r.text}`)] : []),
    ...(p.notCounted.length > 0 ? ['', 'Not counted:', ...p.notCounted.map((t) => `  - ${t}`)] : []),
    ...(p.notes.length > 0 ? ['', 'Notes:', ...p.notes.map((t) => `  - ${t}`)] : []),
    '',
    p.policy,
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
