import { GovernanceError } from '../error.js';
import type { GitHubClient } from './client.js';
import type { FinalVoteRecord, FrozenRecord, IdentityRecord } from './record.js';

/** The branch the bot keeps its records on, unless told another. */
export const DEFAULT_RECORD_BRANCH = 'hearth-governance';

/** What the bot keeps about one pull request's decision: one JSON file on the record branch. */
export interface StoredDecision {
  /** The frozen decision. */
  frozen: FrozenRecord;
  /** The vote's outcome at its close, once it has closed. */
  finalVote?: FinalVoteRecord;
  /** Account ids pinned at first sight. */
  identities?: IdentityRecord;
}

/** Where a decision's records are: the repository, the branch, the pull request. */
export interface StoreRef {
  /** Repository owner. */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /** The record branch. */
  readonly branch: string;
  /** Pull request number. */
  readonly pullNumber: number;
}

/** The file of a pull request's records on the record branch. */
export function recordPath(pullNumber: number): string {
  return `decisions/${pullNumber}.json`;
}

/** The stored records of a pull request, with the file's blob sha (to update it), or nothing when there are none. */
export async function readStored(octokit: GitHubClient, at: StoreRef): Promise<{ stored: unknown; sha: string } | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: at.owner, repo: at.repo, path: recordPath(at.pullNumber), ref: at.branch });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) throw new GovernanceError('E_GOV_FROZEN', `${at.branch}:${recordPath(at.pullNumber)} is not a file; restore the record branch`);
    const text = Buffer.from(data.content, 'base64').toString('utf8');
    try {
      return { stored: JSON.parse(text) as unknown, sha: data.sha };
    } catch {
      throw new GovernanceError('E_GOV_FROZEN', `${at.branch}:${recordPath(at.pullNumber)} is not JSON; the record was altered, so the decision cannot go on: open a new pull request`);
    }
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    if (e instanceof GovernanceError) throw e;
    throw new GovernanceError('E_GOV_GITHUB', `GitHub refused to read the record ${at.branch}:${recordPath(at.pullNumber)} (HTTP ${String((e as { status?: number }).status)}): ${(e as Error).message}; check the token's permissions (contents: read)`);
  }
}

/**
 * Writes a pull request's records to the record branch (creating the branch from `from` when it does
 * not exist yet). `sha` is the blob the bot read, so a concurrent write fails rather than being lost.
 * Returns the new file's blob sha.
 */
export async function writeStored(octokit: GitHubClient, at: StoreRef, stored: StoredDecision, sha: string | undefined, from: string): Promise<string> {
  const put = () =>
    octokit.rest.repos.createOrUpdateFileContents({
      owner: at.owner,
      repo: at.repo,
      branch: at.branch,
      path: recordPath(at.pullNumber),
      message: `governance: record the decision of #${at.pullNumber}`,
      content: Buffer.from(`${JSON.stringify(stored, null, 2)}\n`, 'utf8').toString('base64'),
      ...(sha === undefined ? {} : { sha }),
    });
  try {
    try {
      return (await put()).data.content?.sha ?? '';
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
      const { data: base } = await octokit.rest.git.getRef({ owner: at.owner, repo: at.repo, ref: `heads/${from}` });
      await octokit.rest.git.createRef({ owner: at.owner, repo: at.repo, ref: `refs/heads/${at.branch}`, sha: base.object.sha });
      return (await put()).data.content?.sha ?? '';
    }
  } catch (e) {
    throw new GovernanceError('E_GOV_GITHUB', `GitHub refused to write the record ${at.branch}:${recordPath(at.pullNumber)} (HTTP ${String((e as { status?: number }).status)}): ${(e as Error).message}; the bot needs contents: write on the record branch, which only it may write`);
  }
}
