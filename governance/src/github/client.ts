import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { GovernanceError } from '../error.js';

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
  /** The App's private key (PEM, PKCS#1 as GitHub downloads it or PKCS#8; `\\n` escapes are taken as line breaks). */
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

/** A request's URL is GitHub's exchange of the App's JWT for an installation token. */
const ACCESS_TOKENS = /\/app\/installations\/[^/]+\/access_tokens$/;

/**
 * Builds the client: retries server errors, waits out primary and secondary rate limits (up to
 * `retries` times) rather than failing a check in the middle of a busy hour. With App auth, a private
 * key that is not an RSA key in PEM throws `E_GOV_APP_AUTH` here, and GitHub refusing the App's
 * credentials (a key not the App's, a wrong App id or installation id) fails the first request with
 * `E_GOV_APP_AUTH`.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const retries = options.retries ?? 3;
  const base = options.retryAfterBaseValue ?? 1000;
  const wantRetry = (_after: number, _o: unknown, _k: unknown, retryCount: number): boolean => retryCount < retries;
  if (options.auth.kind === 'app') checkPrivateKey(options.auth.privateKey);
  const auth =
    options.auth.kind === 'token'
      ? { auth: options.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId },
        };
  const octokit = new GovernanceOctokit({
    ...auth,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    userAgent: 'hearth-governance',
    retry: { retries, retryAfterBaseValue: base },
    throttle: { onRateLimit: wantRetry, onSecondaryRateLimit: wantRetry, retryAfterBaseValue: base, ...options.throttle },
    // Retries are expected; keep the bot's log to what a maintainer must see.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: console.error },
  });
  if (options.auth.kind === 'app') {
    const { appId, installationId } = options.auth;
    // Registered last, so it sees the error of the token exchange the App auth makes inside any request.
    octokit.hook.error('request', (error) => {
      const failed = error as { status?: number; message: string; request?: { url?: string } };
      if (failed.status !== undefined && ACCESS_TOKENS.test(failed.request?.url ?? '')) {
        throw new GovernanceError(
          'E_GOV_APP_AUTH',
          `GitHub refused the App's credentials (HTTP ${failed.status}: ${failed.message}) when asked for a token of installation ${installationId} of App ${appId}; check the App id, that the private key is a current key of that App, and that the App is installed under that installation id`,
        );
      }
      throw error;
    });
  }
  return octokit;
}

/** Refuses a private key that is not an RSA private key in PEM, before any request is made with it. */
function checkPrivateKey(pem: string): void {
  let type: string | undefined;
  try {
    // Like @octokit/auth-app, which takes keys from environment variables with `\n` for line breaks.
    type = createPrivateKey(pem.replace(/\\n/g, '\n')).asymmetricKeyType;
  } catch (cause) {
    throw new GovernanceError('E_GOV_APP_AUTH', `the GitHub App's private key is not a private key in PEM (${(cause as Error).message}); use the .pem file GitHub generated for the App`);
  }
  if (type !== 'rsa') throw new GovernanceError('E_GOV_APP_AUTH', `the GitHub App's private key is ${type ?? 'of an unknown type'}, not RSA; use the .pem file GitHub generated for the App`);
}
