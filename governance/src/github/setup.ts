import type { GitHubClient } from './client.js';

/** What {@link setupNotes} checks. */
export interface SetupCheck {
  /** Repository owner. */
  readonly owner: string;
  /** Repository name. */
  readonly repo: string;
  /** The pull request's base branch, whose merges the verdict must guard. */
  readonly base: string;
  /** The branch the bot keeps its records on. */
  readonly recordBranch: string;
  /** The verdict's check or status name. */
  readonly checkName: string;
  /** The bot's App id in App mode; absent in token mode. */
  readonly appId?: number | string | undefined;
}

interface Rule {
  type: string;
  parameters?: { required_status_checks?: { context: string; integration_id?: number }[] };
}

/**
 * What the bot can see of how the foundation configured GitHub, as sentences for the verdict: the
 * base branch must require the verdict's check from the bot's App (otherwise anyone with write
 * access can post a passing check or status of the same name), and the record branch must be kept
 * by a ruleset that restricts its updates and deletion (the bot's App the only bypass). In token
 * mode it says plainly what it cannot stop. It reads the rules that apply to a branch
 * (`GET /repos/{owner}/{repo}/rules/branches/{branch}`), which any reader may; the bypass list of a
 * ruleset is not shown there, so that part is the foundation's to check.
 */
export async function setupNotes(octokit: GitHubClient, check: SetupCheck): Promise<string[]> {
  const notes: string[] = [];
  const rulesOf = async (branch: string): Promise<Rule[] | undefined> => {
    try {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', { owner: check.owner, repo: check.repo, branch, per_page: 100 });
      return data as Rule[];
    } catch {
      return undefined;
    }
  };
  if (check.appId === undefined) {
    notes.push(`setup: the bot runs with a token, so it publishes a commit status that anyone with write access (or any workflow of this repository) can overwrite with '${check.checkName}: success'; it cannot stop that. Run it as a GitHub App and require its check on '${check.base}'.`);
  } else {
    const base = await rulesOf(check.base);
    const required = base?.flatMap((r) => (r.type === 'required_status_checks' ? (r.parameters?.required_status_checks ?? []) : []));
    if (required === undefined) notes.push(`setup: the bot could not read the rules of '${check.base}'; check by hand that a ruleset requires the check '${check.checkName}' from App ${String(check.appId)}.`);
    else if (!required.some((c) => c.context === check.checkName && String(c.integration_id) === String(check.appId))) {
      notes.push(`setup: no ruleset on '${check.base}' requires the check '${check.checkName}' from App ${String(check.appId)} (the bot's App), so a check or status of that name from anyone else could count; add it to a ruleset's required status checks with the App as its source (classic branch protection is not visible to the bot without admin rights; if you use it, require the check there with the App as its source).`);
    }
  }
  const records = await rulesOf(check.recordBranch);
  const kinds = new Set((records ?? []).map((r) => r.type));
  const missing = ['deletion', 'update', 'non_fast_forward'].filter((k) => !kinds.has(k));
  if (missing.length > 0) {
    notes.push(`setup: the record branch '${check.recordBranch}' is not kept by a ruleset that restricts ${missing.join(', ')} (with the bot's App as the only bypass), so someone with write access could delete or rewrite the bot's records; the bot treats a record that disappears as tampering, but cannot bring it back.`);
  }
  return notes;
}
