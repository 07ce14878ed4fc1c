import Bottleneck from 'bottleneck';
import { createGitHubClient, type GitHubAuth } from '../github/client.js';
import type { FakeGitHub } from './github-server.js';

/**
 * An octokit client for the fake server that keeps tests fast: rate-limit waits scaled to milliseconds,
 * and writes not spaced a second apart as the throttling plugin does against GitHub.
 */
export function fastClient(server: FakeGitHub, auth: GitHubAuth = { kind: 'token', token: 'test-token' }) {
  return createGitHubClient({ auth, baseUrl: server.url, retryAfterBaseValue: 5, throttle: { write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }) } });
}
