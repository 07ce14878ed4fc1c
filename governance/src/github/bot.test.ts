import { afterEach, describe, expect, it } from 'vitest';
import { HEAD, exampleText, examplePolicy } from '../testing/fixtures.js';
import { fastClient } from '../testing/fast-client.js';
import { GITHUB_MAX_COMMENT_CHARS, startFakeGitHub, type FakeGitHub, type FakePull } from '../testing/github-server.js';
import { largeFoundationYaml } from '../testing/large-foundation.js';
import { fakeRepo, type FakeRepo } from '../testing/github-repo.js';
import { parsePolicy } from '../model/load.js';
import type { Policy } from '../model/types.js';
import { readSnapshot } from './adapter.js';
import { finalVoteComment, finalVoteFromComment, frozenComment, frozenFromComment } from './commands.js';
import { runBot } from './run.js';

const KEY = 'k'.repeat(16) + 'bot-signing-key-for-tests-only';
const ref = { owner: 'example', repo: 'hearth', pullNumber: 7 };
const options = (policy: Policy, now = '2024-07-20T00:00:00Z') => ({ ...ref, policy, policyPath: '.github/governance.yaml', publish: 'status' as const, now, key: KEY });

const pull = (over: Partial<FakePull> = {}): FakePull => ({
  number: 7,
  author: 'eli-example',
  headSha: HEAD,
  createdAt: '2024-07-01T10:00:00Z',
  labels: ['governance/maintainer-removal'],
  body: 'Removing an inactive maintainer.\n\nSubject: @dev-example\n',
  files: [],
  reviews: [],
  comments: ['ana-example', 'cho-example', 'eli-example'].map((user, i) => ({ id: 30 + i, user, body: '/vote yes', created_at: '2024-07-02T10:00:00Z', updated_at: '2024-07-02T10:00:00Z' })),
  ...over,
});

describe('the bot on a GitHub-compatible server', () => {
  let server: FakeGitHub | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  let repo: FakeRepo;
  /** A server with the policy committed (so its blob can be fetched back), a repository to keep records in, and a client for it. */
  async function serve(p: FakePull, policyText = exampleText(), pageSize = 2) {
    repo = fakeRepo('example', 'hearth');
    server = await startFakeGitHub('example', 'hearth', p, {}, pageSize, undefined, [repo.route]);
    server.addBlob(policyText);
    return fastClient(server);
  }
  /** The bot's records of the pull request, as kept on the record branch. */
  const stored = (): Record<string, unknown> => JSON.parse(repo.branches.get('hearth-governance')?.get('decisions/7.json')?.toString('utf8') ?? 'null') as Record<string, unknown>;
  const store = (records: unknown): void => {
    repo.branches.get('hearth-governance')?.set('decisions/7.json', Buffer.from(JSON.stringify(records)));
  };
  const recordComments = (p: FakePull) => p.comments.filter((c) => frozenFromComment(c.body) !== undefined);

  it('freezes the subject with the decision: editing the description afterwards changes no recusal', async () => {
    const p = pull();
    const octokit = await serve(p);
    const first = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(first.froze).toBe(true);
    // The author now names cho as the subject, and dev votes.
    p.body = 'Removing an inactive maintainer.\n\nSubject: @cho-example\n';
    p.comments.push({ id: 40, user: 'dev-example', body: '/vote no', created_at: '2024-07-03T10:00:00Z', updated_at: '2024-07-03T10:00:00Z' });
    const second = await runBot(octokit, options(examplePolicy()));
    expect(second.froze).toBe(false);
    expect(second.evaluation.refusals).toMatchObject([{ user: 'dev-example', reason: 'recused' }]);
    expect(second.evaluation.tally).toMatchObject({ yes: 3, no: 0 });
    expect(second.evaluation.status).toBe('passing');
  });

  it("records a vote's outcome when it closes, so comments edited or deleted afterwards change nothing", async () => {
    const p = pull();
    const octokit = await serve(p);
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    // The removal vote (14 days) opened with the freeze and closed at 2024-07-17T00:00Z: 3 yes of 3 eligible.
    const closed = await runBot(octokit, options(examplePolicy(), '2024-07-18T00:00:00Z'));
    expect(closed.evaluation.status).toBe('passing');
    expect(stored()).toMatchObject({ finalVote: { kind: 'final-vote', number: 7, quorum: 'met', threshold: 'met' } });
    expect(p.comments.filter((c) => finalVoteFromComment(c.body) !== undefined)).toHaveLength(1);
    // Then one yes vote is edited by someone else and another deleted: recounted, the vote would fail its quorum.
    server?.editComment(30, '/vote no', 'fay-example');
    p.comments.splice(p.comments.findIndex((c) => c.id === 31), 1);
    const later = await runBot(octokit, options(examplePolicy(), '2024-07-20T00:00:00Z'));
    expect(later.evaluation.status).toBe('passing');
    expect(later.evaluation.tally).toMatchObject({ yes: 3 });
    expect(later.evaluation.explanations.map((e) => e.message)).toContainEqual(expect.stringContaining('do not change it'));
    // A forged outcome record (another tally, the old signature) is refused.
    const records = stored() as { finalVote: { tally: { yes: number } } };
    store({ ...records, finalVote: { ...records.finalVote, threshold: 'failed', tally: { ...records.finalVote.tally, yes: 0 } } });
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-21T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_FROZEN' });
  });

  it('keeps its record small, signed and bound to this pull request, and refuses one whose fields were changed', async () => {
    const p = pull();
    const octokit = await serve(p);
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    const records = stored() as { frozen: Record<string, unknown> };
    expect(JSON.stringify(records).length).toBeLessThan(1500);
    expect(records.frozen).toMatchObject({ version: 3, owner: 'example', repo: 'hearth', number: 7, base: 'main', decision: 'maintainer-removal', subject: 'dev-example', openedAt: '2024-07-03T00:00:00.000Z', signature: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) as unknown });
    // A record with another opening instant, decision type or subject keeps its old signature.
    for (const change of [{ openedAt: '2024-06-01T00:00:00.000Z' }, { decision: 'routine-change' }, { subject: 'cho-example' }, { number: 5 }]) {
      store({ ...records, frozen: { ...records.frozen, ...change } });
      await expect(readSnapshot(octokit, { ...ref, key: KEY })).rejects.toMatchObject({ code: 'E_GOV_FROZEN', message: expect.stringContaining('signature') as unknown });
    }
    // And a record signed with another key.
    store(records);
    await expect(readSnapshot(octokit, { ...ref, key: `${KEY}-other` })).rejects.toMatchObject({ code: 'E_GOV_FROZEN' });
    await expect(readSnapshot(octokit, { ...ref, key: KEY })).resolves.toMatchObject({ frozen: { subject: 'dev-example' } });
  });

  it('refuses to freeze a vote whose description names no subject, and says so on the pull request', async () => {
    const octokit = await serve(pull({ body: 'Removing a maintainer.' }));
    await expect(runBot(octokit, options(examplePolicy()))).rejects.toMatchObject({ code: 'E_GOV_DECISION_FIELDS' });
    expect(server?.writes.map((w) => w.route)).toEqual([`POST /repos/example/hearth/statuses/${HEAD}`]);
    expect(server?.writes[0]?.body).toMatchObject({ state: 'failure', description: expect.stringContaining("Subject: @login") as unknown });
  });

  it('freezes and replays a 2,000-person foundation, whose whole model would not fit in a comment', async () => {
    const text = largeFoundationYaml(2000);
    const policy = parsePolicy(text, '.github/governance.yaml');
    // The model alone, as JSON, is far over GitHub's comment limit: it must be stored by reference.
    expect(JSON.stringify(policy.model).length).toBeGreaterThan(GITHUB_MAX_COMMENT_CHARS);
    const p = pull({ labels: [], body: 'A change.', files: ['src/mod-3/a.ts'], comments: [], reviews: [{ id: 1, user: 'person-00010', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' }] });
    const octokit = await serve(p, text, 100);
    const first = await runBot(octokit, options(policy));
    expect(first.froze).toBe(true);
    expect(first.evaluation.status).toBe('passing');
    const second = await runBot(octokit, options(parsePolicy(largeFoundationYaml(2001), '.github/governance.yaml')));
    expect(second).toMatchObject({ froze: false, evaluation: { status: 'passing', policyHash: policy.hash, frozen: true } });
  });

  it('fetches the frozen policy back by its blob hash once the policy in force has changed, and fails if the repository does not hold it', async () => {
    const p = pull();
    const octokit = await serve(p, 'version: 1\n');
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    // The policy in force is the frozen one: no fetch is needed.
    await expect(runBot(octokit, options(examplePolicy()))).resolves.toMatchObject({ evaluation: { status: 'passing' } });
    const changed = examplePolicy(['tier: silver', 'tier: gold']);
    await expect(runBot(octokit, options(changed))).rejects.toMatchObject({ code: 'E_GOV_GITHUB', message: expect.stringContaining('fetch the policy file') as unknown });
    server?.addBlob(exampleText());
    await expect(runBot(octokit, options(changed))).resolves.toMatchObject({ evaluation: { status: 'passing', policyHash: examplePolicy().hash } });
    expect(server?.requests.filter((r) => r.includes('/git/blobs/'))).toHaveLength(2);
  });

  it('refuses to decide when GitHub lists only 3,000 of the changed files, though the listed ones pass', async () => {
    // The 3,001st file is in the core: its owners never approved.
    const files = [...Array.from({ length: 3000 }, (_, i) => `docs/page-${i}.md`), 'core/src/hidden.ts'];
    const p = pull({ labels: [], body: '', files, comments: [], reviews: [{ id: 1, user: 'fay-example', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' }] });
    const octokit = await serve(p, exampleText(), 100);
    const run = await runBot(octokit, options(examplePolicy()));
    expect(run.snapshot.files).toHaveLength(3000);
    expect(run.evaluation.status).toBe('failing');
    expect(server?.writes.at(-1)?.body).toMatchObject({ state: 'failure', description: expect.stringContaining('files:complete') as unknown });
  });

  it('counts the module a renamed file left as touched too', async () => {
    const p = pull({ labels: [], body: '', files: [{ filename: 'docs/dispatch.md', previous_filename: 'core/src/dispatch.ts' }], comments: [], reviews: [{ id: 1, user: 'fay-example', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' }] });
    const octokit = await serve(p);
    const run = await runBot(octokit, options(examplePolicy()));
    expect(run.evaluation.requirements.find((r) => r.id === 'module:core')?.status).toBe('open');
  });

  it('is refused by the server when a comment passes GitHub\'s 65,536-character limit', async () => {
    const octokit = await serve(pull());
    await expect(octokit.rest.issues.createComment({ ...ref, issue_number: 7, body: 'x'.repeat(GITHUB_MAX_COMMENT_CHARS + 1) })).rejects.toMatchObject({ status: 422 });
    const { data: made } = await octokit.rest.issues.createComment({ ...ref, issue_number: 7, body: 'x'.repeat(GITHUB_MAX_COMMENT_CHARS) });
    // An edit keeps the limit and moves updated_at, which is how an edited comment is told apart.
    await expect(octokit.rest.issues.updateComment({ ...ref, comment_id: made.id, body: 'y'.repeat(GITHUB_MAX_COMMENT_CHARS + 1) })).rejects.toMatchObject({ status: 422 });
    const { data: edited } = await octokit.rest.issues.updateComment({ ...ref, comment_id: made.id, body: '/vote yes' });
    expect(edited.created_at).toBe(made.created_at);
    expect(Date.parse(edited.updated_at)).toBeGreaterThan(Date.parse(made.created_at));
    const listed = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: 7 });
    expect(listed.find((c) => c.id === made.id)).toMatchObject({ body: '/vote yes', updated_at: edited.updated_at });
  });
});
