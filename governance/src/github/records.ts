import { GovernanceError } from '../error.js';
import { verifyFrozen } from '../engine/freeze.js';
import type { FinalVote, FrozenDecision } from '../engine/snapshot.js';
import { parsePolicy } from '../model/load.js';
import type { Policy } from '../model/types.js';
import { call, type PullRequestRef } from './call.js';
import type { GitHubClient } from './client.js';
import { finalVoteComment, finalVoteFromComment, frozenComment, frozenFromComment } from './commands.js';
import { frozenFromRecord, signFinalVote, signRecord, verifyRecord, type FinalVoteRecord, type FrozenRecord, type RecordContext } from './record.js';
import { DEFAULT_RECORD_BRANCH, readStored, writeStored, type StoredDecision } from './store.js';

/** Where a decision's records are read from: the pull request, the record branch, the key and the policy in force. */
export interface RecordSource extends PullRequestRef {
  /** The bot's signing key; without it, records are checked for shape and context only. */
  readonly key?: string;
  /** The policy in force, used as is when the record names the same file. */
  readonly policy?: Policy;
  /** The record branch. Default {@link DEFAULT_RECORD_BRANCH}. */
  readonly recordBranch?: string;
}

/** The records of a pull request on the record branch, checked for shape (signatures are checked by the caller). */
export async function readRecords(octokit: GitHubClient, options: RecordSource, context: RecordContext): Promise<{ records: StoredDecision; sha: string } | undefined> {
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
export function checkWitnesses(byBot: readonly { id: number; body?: string }[], stored: StoredDecision | undefined, key: string | undefined, context: RecordContext): void {
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
  // A witness of this pull request counts whatever base it names: a retarget must not hide a deleted record.
  const frozenWitness = witnessed(frozenFromComment, (d) => verifyRecord(d, key, { ...context, base: String((d as { base?: unknown } | null)?.base) }));
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
export async function frozenOf(octokit: GitHubClient, options: RecordSource, data: unknown, context: RecordContext): Promise<FrozenDecision> {
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

