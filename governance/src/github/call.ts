import { GovernanceError } from '../error.js';

/** Which pull request to read or write. */
export interface PullRequestRef {
  /** Repository owner. */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /** Pull request number. */
  readonly pullNumber: number;
}

/** Wraps a failed request in a {@link GovernanceError} that says what to check. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof GovernanceError) throw cause;
    const status = (cause as { status?: number }).status;
    throw new GovernanceError('E_GOV_GITHUB', `GitHub refused to ${what}${status === undefined ? '' : ` (HTTP ${status})`}: ${(cause as Error).message}; check the token's permissions and the repository name`);
  }
}
