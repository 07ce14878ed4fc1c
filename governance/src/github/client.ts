import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

/** Authentication by a token, such as a workflow's GITHUB_TOKEN. */
export interface TokenAuth {
  /** Discriminant. */
  readonly kind: 'token';
  /** The token. */
  readonly token: string;
}

/** Authentication as a GitHub App installation (check runs appear under the App's name). */
export interface AppAuth {
  /** Discriminant. */
  readonly kind: 'app';
  /** The App's id. */
  readonly appId: number | string;
  /** The App's private key (PEM). */
  readonly privateKey: string;
  /** The installation's id on the repository's organisation. */
  readonly installationId: number;
}

/** How the bot authenticates: a token or a GitHub App installation. */
export type GitHubAuth = TokenAuth | AppAuth;

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** Authentication. */
  readonly auth: GitHubAuth;
  /** API root; `https://api.github.com` unless GitHub Enterprise or a test server. */
  readonly baseUrl?: string;
  /** How many times to retry a rate-limited or failing request. Default 3. */
  readonly retries?: number;
  /** Milliseconds per second of `retry-after`; 1000 in production, small in tests. */
  readonly retryAfterBaseValue?: number;
  /** Further throttling options, e.g. Bottleneck groups without the default spacing of writes. */
  readonly throttle?: Partial<ThrottlingOptions>;
}

// A class, not state: Octokit composed with its plugins once, so every client is built alike.
const GovernanceOctokit = Octokit.plugin(retry, throttling);

/** The client every adapter function takes: Octokit's REST client (built with retry and throttling). */
export type GitHubClient = Octokit;

/**
 * Builds the client: retries server errors, waits out primary and secondary rate limits (up to
 * `retries` times) rather than failing a check in the middle of a busy hour.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const retries = options.retries ?? 3;
  const base = options.retryAfterBaseValue ?? 1000;
  const wantRetry = (_after: number, _o: unknown, _k: unknown, retryCount: number): boolean => retryCount < retries;
  const auth =
    options.auth.kind === 'token'
      ? { auth: options.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId },
        };
  return new GovernanceOctokit({
    ...auth,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    userAgent: 'hearth-governance',
    retry: { retries, retryAfterBaseValue: base },
    throttle: { onRateLimit: wantRetry, onSecondaryRateLimit: wantRetry, retryAfterBaseValue: base, ...options.throttle },
    // Retries are expected; keep the bot's log to what a maintainer must see.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: console.error },
  });
}
