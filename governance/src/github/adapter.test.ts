import { afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../engine/evaluate.js';
import { HEAD, OLD, examplePolicy, exampleText } from '../testing/fixtures.js';
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../testing/github-server.js';
import { fastClient } from '../testing/fast-client.js';
import { fakeRepo } from '../testing/github-repo.js';
import { ANNOTATIONS_PER_REQUEST, publishCheckRun, publishStatus, readSnapshot } from './adapter.js';
import { runBot } from './run.js';

const pull = (): FakePull => ({
  number: 7,
  author: 'eli-example',
  headSha: HEAD,
  createdAt: '2024-07-01T10:00:00Z',
  labels: [],
  body: 'Docs.\n\nSubject: @fay-example\n',
  files: ['docs/a.md', 'docs/b.md', 'docs/c.md', 'core/src/x.ts', 'README.md'],
  reviews: [
    { id: 1, user: 'fay-example', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' },
    { id: 2, user: 'cho-example', state: 'APPROVED', commit_id: OLD, submitted_at: '2024-07-02T09:00:00Z' },
    { id: 3, user: 'ana-example', state: 'COMMENTED', commit_id: HEAD, submitted_at: '2024-07-02T11:00:00Z' },
  ],
  comments: [
    { id: 11, user: 'ana-example', body: 'Looks fine.\n/approve', created_at: '2024-07-02T12:00:00Z', updated_at: '2024-07-02T12:00:00Z' },
    { id: 12, user: 'dev-example', body: '/object not yet', created_at: '2024-07-02T13:00:00Z', updated_at: '2024-07-03T13:00:00Z' },
    { id: 13, user: 'cho-example', body: '> /vote no\n\n/vote yes', created_at: '2024-07-02T14:00:00Z', updated_at: '2024-07-02T14:00:00Z' },
  ],
});

const client = (server: FakeGitHub) => fastClient(server);

describe('GitHub adapter against a GitHub-compatible server', () => {
  let server: FakeGitHub | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads every page of files, reviews and comments into a snapshot', async () => {
    server = await startFakeGitHub('example', 'hearth', pull(), { 'example-hearth/core-maintainers': ['ana-example', 'cho-example'] });
    const s = await readSnapshot(client(server), { owner: 'example', repo: 'hearth', pullNumber: 7, teams: ['example-hearth/core-maintainers', 'example-hearth/missing'] });
    // Page size 2 on the server: five files take three pages, followed through Link headers.
    expect(s.files).toEqual(['docs/a.md', 'docs/b.md', 'docs/c.md', 'core/src/x.ts', 'README.md']);
    expect(server.requests.filter((r) => r.startsWith('GET /repos/example/hearth/pulls/7/files'))).toHaveLength(3);
    expect(s.reviews.map((r) => [r.user, r.state, r.commitId])).toEqual([
      ['fay-example', 'APPROVED', HEAD],
      ['cho-example', 'APPROVED', OLD],
      ['ana-example', 'COMMENTED', HEAD],
    ]);
    expect(s.commands).toMatchObject([
      { user: 'ana-example', command: 'approve', edited: false },
      { user: 'dev-example', command: 'object', argument: 'not yet', edited: true },
      { user: 'cho-example', command: 'vote', argument: 'yes', edited: false },
    ]);
    expect(s).toMatchObject({ author: 'eli-example', headSha: HEAD, openedAt: '2024-07-01T10:00:00.000Z', subject: 'fay-example' });
    expect(s.teams).toEqual({ 'example-hearth/core-maintainers': ['ana-example', 'cho-example'] });
  });

  it('gets past a primary rate limit (403, x-ratelimit-reset) and a secondary one (429, retry-after)', async () => {
    server = await startFakeGitHub('example', 'hearth', pull());
    server.rateLimit('/repos/example/hearth/pulls/7/reviews', 'primary');
    server.rateLimit('/repos/example/hearth/issues/7/comments', 'secondary');
    const s = await readSnapshot(client(server), { owner: 'example', repo: 'hearth', pullNumber: 7 });
    expect(s.reviews).toHaveLength(3);
    expect(s.commands).toHaveLength(3);
    expect(server.requests.filter((r) => r.startsWith('GET /repos/example/hearth/pulls/7/reviews?')).length).toBeGreaterThanOrEqual(3);
  });

  it('fails with E_GOV_GITHUB, not a crash, when the rate limit outlasts the retries', async () => {
    server = await startFakeGitHub('example', 'hearth', pull());
    server.rateLimit('/repos/example/hearth/pulls/7', 'secondary', 50);
    await expect(readSnapshot(client(server), { owner: 'example', repo: 'hearth', pullNumber: 7 })).rejects.toMatchObject({ code: 'E_GOV_GITHUB' });
  });

  it('refuses a record file on the record branch that is not JSON, or not a frozen decision', async () => {
    for (const json of ['{not json', '{"decision":"routine-change"}', '{"frozen":{"decision":"routine-change"}}']) {
      const repo = fakeRepo('example', 'hearth', { 'decisions/7.json': json });
      repo.branches.set('hearth-governance', repo.branches.get('main') ?? new Map());
      server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, undefined, [repo.route]);
      await expect(readSnapshot(client(server), { owner: 'example', repo: 'hearth', pullNumber: 7 })).rejects.toMatchObject({ code: 'E_GOV_FROZEN' });
      await server.close();
      server = undefined;
    }
  });

  it('writes a check run, sending more than 50 annotations in batches by update', async () => {
    server = await startFakeGitHub('example', 'hearth', pull());
    const base = evaluate(
      { version: 1, repository: 'example/hearth', number: 7, author: 'eli-example', headSha: HEAD, openedAt: '2024-07-01T10:00:00Z', labels: [], files: ['docs/a.md'], reviews: [], commands: [] },
      examplePolicy(),
      '2024-07-02T00:00:00Z',
    );
    const refusals = Array.from({ length: 120 }, (_, i) => ({ user: `u${i}`, input: '/vote yes', reason: 'outside-electorate' as const, message: 'not seated' }));
    const id = await publishCheckRun(client(server), { owner: 'example', repo: 'hearth', headSha: HEAD, evaluation: { ...base, refusals }, policyPath: '.github/governance.yaml' });
    const batches = server.writes.map((w) => [w.route, ((w.body['output'] as { annotations: unknown[] }).annotations).length]);
    // 120 refusals plus the open requirements: 50 on create, then updates of at most 50.
    const total = refusals.length + base.requirements.filter((r) => r.status !== 'met').length;
    expect(batches[0]).toEqual(['POST /repos/example/hearth/check-runs', ANNOTATIONS_PER_REQUEST]);
    expect(batches.slice(1).every(([route, n]) => route === `PATCH /repos/example/hearth/check-runs/${id}` && Number(n) <= ANNOTATIONS_PER_REQUEST)).toBe(true);
    expect(batches.reduce((sum, [, n]) => sum + Number(n), 0)).toBe(total);
    const created = server.writes[0]?.body as { head_sha: string; status: string; output: { annotations: { path: string; start_line: number }[] } };
    expect(created).toMatchObject({ head_sha: HEAD, status: 'in_progress' });
    expect(created.output.annotations[0]).toMatchObject({ path: '.github/governance.yaml', start_line: base.requirements[0]?.ref.line });
  });

  it('sets a commit status where only a token is available', async () => {
    server = await startFakeGitHub('example', 'hearth', pull());
    const policy = examplePolicy();
    const e = evaluate({ version: 1, repository: 'example/hearth', number: 7, author: 'eli-example', headSha: HEAD, openedAt: '2024-07-01T10:00:00Z', labels: [], files: ['docs/a.md'], reviews: [{ user: 'fay-example', state: 'APPROVED', commitId: HEAD, submittedAt: '2024-07-02T00:00:00Z' }], commands: [] }, policy, '2024-07-03T00:00:00Z');
    await publishStatus(client(server), { owner: 'example', repo: 'hearth', headSha: HEAD, evaluation: e });
    expect(server.writes).toEqual([{ route: `POST /repos/example/hearth/statuses/${HEAD}`, body: expect.objectContaining({ state: 'success', context: 'hearth/governance' }) as unknown }]);
  });

  it('runs the bot: freezes the decision once, in a bot comment, and replays it from there', async () => {
    server = await startFakeGitHub('example', 'hearth', pull(), {}, 2, undefined, [fakeRepo('example', 'hearth').route]);
    server.addBlob(exampleText());
    const octokit = client(server);
    const options = { owner: 'example', repo: 'hearth', pullNumber: 7, policy: examplePolicy(), policyPath: '.github/governance.yaml', publish: 'check-run' as const, now: '2024-07-03T00:00:00Z', key: 'a-signing-key-of-at-least-32-characters' };
    const first = await runBot(octokit, options);
    expect(first.froze).toBe(true);
    // A routine change: cho's approval of an earlier commit is refused as stale (the /object is not weighed, as routine changes have no lazy consensus).
    expect(first.evaluation.refusals.map((r) => [r.user, r.reason])).toEqual(expect.arrayContaining([['cho-example', 'stale']]));
    const second = await runBot(octokit, { ...options, policy: examplePolicy(['tier: silver', 'tier: gold']) });
    expect(second.froze).toBe(false);
    expect(second.evaluation.frozen).toBe(true);
    expect(second.evaluation.policyHash).toBe(options.policy.hash);
    expect(server.writes.filter((w) => w.route.endsWith('/issues/7/comments'))).toHaveLength(1);
    expect(server.writes.filter((w) => w.route.endsWith('/check-runs'))).toHaveLength(2);
  });
});
