import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../engine/evaluate.js';
import { GovernanceError } from '../error.js';
import { HEAD, examplePolicy, snapshot } from '../testing/fixtures.js';
import { startFakeGitHub, type FakeApp, type FakeGitHub, type FakePull } from '../testing/github-server.js';
import { fastClient } from '../testing/fast-client.js';
import { publishCheckRun, readSnapshot } from './adapter.js';
import { createGitHubClient, type GitHubAuth } from './client.js';

const APP_ID = 31337;
const INSTALLATION_ID = 4242;
const ref = { owner: 'example', repo: 'hearth', pullNumber: 7 };

const pull = (): FakePull => ({
  number: 7,
  author: 'eli-example',
  headSha: HEAD,
  createdAt: '2024-07-01T10:00:00Z',
  labels: [],
  files: ['docs/a.md', 'docs/b.md', 'docs/c.md'],
  reviews: [{ id: 1, user: 'fay-example', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' }],
  comments: [{ id: 11, user: 'ana-example', body: '/approve', created_at: '2024-07-02T12:00:00Z', updated_at: '2024-07-02T12:00:00Z' }],
});

// Generated per run: the App's key pair (the server holds the public half), and a key of no App.
let appPublic: KeyObject;
let appPkcs1: string;
let appPkcs8: string;
let otherPkcs1: string;
beforeAll(() => {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  appPublic = app.publicKey;
  // PKCS#1 is the form of the .pem GitHub hands out; PKCS#8 is what other tools export.
  appPkcs1 = app.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  appPkcs8 = app.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  otherPkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
});

const fakeApp = (): FakeApp => ({ appId: APP_ID, publicKey: appPublic, installationId: INSTALLATION_ID });

const client = fastClient;

const appAuth = (over: Partial<Extract<GitHubAuth, { kind: 'app' }>> = {}): GitHubAuth => ({ kind: 'app', appId: APP_ID, privateKey: appPkcs1, installationId: INSTALLATION_ID, ...over });

describe('GitHub App auth against a GitHub-compatible server', () => {
  let server: FakeGitHub | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads a pull request and writes a check run as the App installation', async () => {
    for (const privateKey of [appPkcs1, appPkcs8]) {
      await server?.close();
      server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, fakeApp());
      const octokit = client(server, appAuth({ privateKey }));
      const s = await readSnapshot(octokit, ref);
      expect(s).toMatchObject({ author: 'eli-example', headSha: HEAD, files: ['docs/a.md', 'docs/b.md', 'docs/c.md'] });
      expect(s.reviews.map((r) => r.user)).toEqual(['fay-example']);
      expect(s.commands).toMatchObject([{ user: 'ana-example', command: 'approve' }]);

      const evaluation = evaluate(snapshot({ files: ['docs/a.md'], reviews: [{ user: 'fay-example', state: 'APPROVED', commitId: HEAD, submittedAt: '2024-07-02T00:00:00Z' }] }), examplePolicy(), '2024-07-03T00:00:00Z');
      const id = await publishCheckRun(octokit, { owner: 'example', repo: 'hearth', headSha: HEAD, evaluation, policyPath: '.github/governance.yaml' });
      expect(id).toBe(1);
      expect(server.writes).toEqual([{ route: 'POST /repos/example/hearth/check-runs', body: expect.objectContaining({ head_sha: HEAD, name: 'hearth/governance', status: 'completed', conclusion: 'success' }) as unknown }]);

      // One installation token, minted first and reused by every later request (the server refuses a request without one).
      expect(server.installationTokens).toHaveLength(1);
      expect(server.requests[0]).toBe(`POST /app/installations/${INSTALLATION_ID}/access_tokens`);
      expect(server.requests.filter((r) => r.startsWith('POST /app/'))).toHaveLength(1);
    }
  });

  it('is the installation token that opens the repository: a token of no installation is refused', async () => {
    server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, fakeApp());
    await expect(readSnapshot(client(server, { kind: 'token', token: 'ghp_not-an-installation-token' }), ref)).rejects.toMatchObject({ code: 'E_GOV_GITHUB', message: expect.stringContaining('HTTP 401') as unknown });
  });

  it('refuses a private key that is not the App’s, a wrong App id and a wrong installation with E_GOV_APP_AUTH, before touching the repository', async () => {
    const cases: [Partial<Extract<GitHubAuth, { kind: 'app' }>>, string][] = [
      [{ privateKey: otherPkcs1 }, 'HTTP 401'],
      [{ appId: APP_ID + 1 }, 'HTTP 401'],
      [{ installationId: INSTALLATION_ID + 1 }, 'HTTP 404'],
    ];
    for (const [over, status] of cases) {
      await server?.close();
      server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, fakeApp());
      const octokit = client(server, appAuth(over));
      const read = readSnapshot(octokit, ref);
      await expect(read).rejects.toBeInstanceOf(GovernanceError);
      await expect(read).rejects.toMatchObject({ code: 'E_GOV_APP_AUTH', message: expect.stringContaining(status) as unknown });
      const evaluation = evaluate(snapshot(), examplePolicy(), '2024-07-03T00:00:00Z');
      await expect(publishCheckRun(octokit, { owner: 'example', repo: 'hearth', headSha: HEAD, evaluation })).rejects.toMatchObject({ code: 'E_GOV_APP_AUTH' });
      expect(server.installationTokens).toEqual([]);
      expect(server.requests.every((r) => r.startsWith('POST /app/installations/'))).toBe(true);
      expect(server.writes).toEqual([]);
    }
  });

  it('refuses a private key that is not an RSA key in PEM with E_GOV_APP_AUTH when the client is built', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const privateKey of ['not a key', appPkcs1.slice(0, 200), ec]) {
      expect(() => createGitHubClient({ auth: appAuth({ privateKey }), baseUrl: 'http://127.0.0.1:9' })).toThrow(expect.objectContaining({ code: 'E_GOV_APP_AUTH' }) as unknown as Error);
    }
  });

  it('takes a key whose line breaks came through an environment variable as \\n', async () => {
    server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, fakeApp());
    const s = await readSnapshot(client(server, appAuth({ privateKey: appPkcs1.replace(/\n/g, '\\n') })), ref);
    expect(s.headSha).toBe(HEAD);
  });
});
