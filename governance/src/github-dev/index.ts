// The public face of the GitHub-compatible server: a registry repository on 127.0.0.1 to try
// `hearth registry submit` and `check-pr` against, without GitHub.
import { GovernanceError } from '../error.js';
import { fakeRepo } from './repo.js';
import { startFakeGitHub } from './server.js';

/** Where and what {@link startDevGitHub} serves. */
export interface DevGitHubOptions {
  /** The repository, `owner/name`; default `hearth/registry`. */
  readonly repository?: string;
  /** The port on 127.0.0.1; default 0, any free port. */
  readonly port?: number;
  /** The files of the `main` branch, by path; default a README.md. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A running GitHub-compatible server (see {@link startDevGitHub}). */
export interface DevGitHub {
  /** The REST API's base URL, `http://127.0.0.1:PORT`: the value for `GITHUB_API_URL`. */
  readonly url: string;
  /** The repository it serves, `owner/name`: the value for `GITHUB_REPOSITORY`. */
  readonly repository: string;
  /** A token for `GITHUB_TOKEN` (the server accepts any). */
  readonly token: string;
  /** The environment variables that point `hearth registry` and `hearth governance` at it. */
  readonly env: Readonly<Record<'GITHUB_API_URL' | 'GITHUB_REPOSITORY' | 'GITHUB_TOKEN', string>>;
  /** Stops the server; what it held (branches, pull requests, check runs) is gone. */
  close(): Promise<void>;
}

/**
 * Starts a GitHub-compatible HTTP server on 127.0.0.1 holding one repository in memory: git refs,
 * file contents, pull requests (numbered from 100, each with an `html_url` on this server) and check
 * runs, as GitHub's REST API serves them. It is for dry runs of `hearth registry submit` and
 * `hearth registry check-pr`: nothing leaves the machine and nothing is kept after {@link DevGitHub.close}.
 *
 * @throws GovernanceError `E_GOV_INPUT` when the repository is not `owner/name`.
 */
export async function startDevGitHub(options: DevGitHubOptions = {}): Promise<DevGitHub> {
  const repository = options.repository ?? 'hearth/registry';
  const [owner, repo, ...extra] = repository.split('/');
  if (!owner || !repo || extra.length > 0) throw new GovernanceError('E_GOV_INPUT', `repository '${repository}' is not owner/name (e.g. hearth/registry)`);
  const files = { 'README.md': `# ${repository}\n\nA registry repository on a local server for dry runs.\n`, ...options.files };
  // The server's own pull request slot is unused here (number 0): submissions come from the repository's routes.
  const unused = { number: 0, author: 'nobody', headSha: '0'.repeat(40), createdAt: '1970-01-01T00:00:00Z', labels: [], files: [], reviews: [], comments: [] };
  const server = await startFakeGitHub(owner, repo, unused, {}, 30, undefined, [fakeRepo(owner, repo, files).route], options.port ?? 0);
  const token = 'dev-token';
  return { url: server.url, repository, token, env: { GITHUB_API_URL: server.url, GITHUB_REPOSITORY: repository, GITHUB_TOKEN: token }, close: () => server.close() };
}
