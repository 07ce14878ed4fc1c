import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HEAD, OLD, exampleText, examplePolicy } from '../testing/fixtures.js';
import { fastClient } from '../testing/fast-client.js';
import { fakeRepo, type FakeRepo } from '../testing/github-repo.js';
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../testing/github-server.js';
import type { Policy } from '../model/types.js';
import { readSnapshot } from './adapter.js';
import { frozenComment } from './commands.js';
import { signRecord } from './record.js';
import { runBot } from './run.js';
import { freezeDecision } from '../engine/freeze.js';

const KEY = 'k'.repeat(16) + 'bot-signing-key-for-tests-only';
const ref = { owner: 'example', repo: 'hearth', pullNumber: 7 };
const options = (policy: Policy, now: string) => ({ ...ref, policy, policyPath: '.github/governance.yaml', publish: 'status' as const, now, key: KEY });
const comment = (id: number, user: string, body: string, at: string) => ({ id, user, body, created_at: at, updated_at: at });

/** Removing Dev: a 14-day vote of the core maintainers (Ana, Cho, Eli), 75% of cast, quorum 67%. */
const removal = (over: Partial<FakePull> = {}): FakePull => ({
  number: 7,
  author: 'eli-example',
  headSha: HEAD,
  createdAt: '2024-07-01T10:00:00Z',
  labels: ['governance/maintainer-removal'],
  body: 'Removing an inactive maintainer.\n\nSubject: @dev-example\n',
  files: [],
  reviews: [],
  comments: ['ana-example', 'cho-example', 'eli-example'].map((user, i) => comment(30 + i, user, '/vote yes', '2024-07-02T10:00:00Z')),
  ...over,
});

/** A docs change by Eli, which Fay (a docs owner) approved on the head. */
const docs = (over: Partial<FakePull> = {}): FakePull => ({
  number: 7,
  author: 'eli-example',
  headSha: HEAD,
  createdAt: '2024-07-01T10:00:00Z',
  labels: [],
  body: 'Docs.',
  files: ['docs/guide.md'],
  reviews: [{ id: 1, user: 'fay-example', state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-02T10:00:00Z' }],
  comments: [],
  ...over,
});

describe('the bot against a GitHub-compatible server: records, inputs and verdicts hold', () => {
  let server: FakeGitHub;
  let repo: FakeRepo;
  afterEach(async () => {
    await server.close();
  });
  async function serve(p: FakePull) {
    repo = fakeRepo('example', 'hearth');
    server = await startFakeGitHub('example', 'hearth', p, {}, 2, undefined, [repo.route]);
    server.addBlob(exampleText());
    return fastClient(server);
  }
  const recordFile = () => repo.branches.get('hearth-governance')?.get('decisions/7.json');
  const statuses = () => server.writes.filter((w) => w.route.includes('/statuses/'));

  it('refuses a record made for another pull request or repository, even one signed with the same key', async () => {
    const octokit = await serve(removal());
    const frozen = freezeDecision({ version: 1, repository: 'example/hearth', number: 5, author: 'eli-example', headSha: HEAD, openedAt: '2024-06-01T00:00:00Z', labels: [], files: ['docs/a.md'], reviews: [], commands: [] }, examplePolicy());
    for (const elsewhere of [{ owner: 'example', repo: 'hearth', number: 5, base: 'main' }, { owner: 'other', repo: 'hearth', number: 7, base: 'main' }]) {
      const copied = signRecord(frozen, examplePolicy(), KEY, elsewhere);
      repo.branches.set('hearth-governance', new Map([['decisions/7.json', Buffer.from(JSON.stringify({ frozen: copied }))]]));
      await expect(readSnapshot(octokit, { ...ref, key: KEY })).rejects.toMatchObject({ code: 'E_GOV_FROZEN', message: expect.stringContaining(`belongs to ${elsewhere.owner}/hearth#${elsewhere.number}`) as unknown });
    }
  });

  it("does not take a record pasted into a comment under the bot's name from another pull request", async () => {
    // A routine change's record of PR #5, posted on PR #7 (a breaking change) with a workflow token.
    const frozen = freezeDecision({ version: 1, repository: 'example/hearth', number: 5, author: 'eli-example', headSha: HEAD, openedAt: '2024-06-01T00:00:00Z', labels: [], files: ['docs/a.md'], reviews: [], commands: [] }, examplePolicy());
    const pasted = frozenComment(JSON.stringify(signRecord(frozen, examplePolicy(), KEY, { owner: 'example', repo: 'hearth', number: 5, base: 'main' })));
    const p = docs({ labels: ['governance/breaking-change'], files: ['core/src/api.ts'], comments: [comment(20, 'github-actions[bot]', pasted, '2024-07-01T10:05:00Z')] });
    const octokit = await serve(p);
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run).toMatchObject({ froze: true, evaluation: { decision: 'breaking-change', status: 'pending' } });
  });

  it('treats a record deleted from the record branch as tampering, not as a new decision', async () => {
    const p = removal();
    const octokit = await serve(p);
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(recordFile()).toBeDefined();
    repo.branches.get('hearth-governance')?.delete('decisions/7.json');
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-04T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_FROZEN', message: expect.stringContaining('tampering') as unknown });
    expect(statuses().at(-1)?.body).toMatchObject({ state: 'failure' });
    // Retargeting as well hides nothing.
    p.base = 'develop';
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-05T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_FROZEN', message: expect.stringContaining('tampering') as unknown });
  });

  it("treats a closed vote's deleted outcome as tampering, so an edited vote cannot turn passing into failing", async () => {
    const octokit = await serve(removal());
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    await runBot(octokit, options(examplePolicy(), '2024-07-18T00:00:00Z'));
    const records = JSON.parse(recordFile()?.toString('utf8') ?? '{}') as Record<string, unknown>;
    expect(records['finalVote']).toBeDefined();
    const { finalVote: _gone, ...rest } = records;
    repo.branches.get('hearth-governance')?.set('decisions/7.json', Buffer.from(JSON.stringify(rest)));
    server.editComment(30, '/vote no');
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-19T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_FROZEN', message: expect.stringContaining("vote's final outcome") as unknown });
  });

  it("counts an edit only when the comment's author made it, and reports another's edit", async () => {
    const p = removal();
    const octokit = await serve(p);
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    // Fay, who can edit any comment, turns Cho's yes into a no; Ana changes her own vote to abstain.
    server.editComment(31, '/vote no', 'fay-example', '2024-07-04T10:00:00Z');
    server.editComment(30, '/vote abstain', 'ana-example', '2024-07-04T11:00:00Z');
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-05T00:00:00Z'));
    expect(run.evaluation.tally).toMatchObject({ yes: 2, no: 0, abstain: 1 });
    expect(run.evaluation.refusals).toContainEqual(expect.objectContaining({ user: 'fay-example', reason: 'not-counted', message: expect.stringContaining("an edit counts only when the comment's author makes it") as unknown }));
    expect(server.requests.some((r) => r.startsWith('POST /graphql'))).toBe(true);
  });

  it('binds people to their account id: whoever claims a renamed login does not vote in their place', async () => {
    const octokit = await serve(removal({ comments: [comment(30, 'ana-example', '/vote yes', '2024-07-02T10:00:00Z'), comment(31, 'cho-example', '/vote yes', '2024-07-02T10:00:00Z'), comment(32, 'eli-example', '/vote no', '2024-07-02T10:00:00Z')] }));
    // Cho renamed; someone else took the login 'cho-example'.
    server.accounts.set('cho-example', 987_654);
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    const closed = await runBot(octokit, options(examplePolicy(), '2024-07-18T00:00:00Z'));
    expect(run.evaluation.refusals).toContainEqual(expect.objectContaining({ user: 'cho-example', reason: 'other-account' }));
    expect(closed.evaluation).toMatchObject({ status: 'failing', tally: { yes: 1, no: 1 } });
  });

  it('pins the account id at first sight for a member the model gives none, and refuses another account later', async () => {
    const noId = examplePolicy(['    githubId: 1003\n', '']);
    const octokit = await serve(removal({ comments: [comment(31, 'cho-example', '/vote yes', '2024-07-02T10:00:00Z')] }));
    server.addBlob(exampleText().replace('    githubId: 1003\n', ''));
    await runBot(octokit, options(noId, '2024-07-03T00:00:00Z'));
    expect(JSON.parse(recordFile()?.toString('utf8') ?? '{}')).toMatchObject({ identities: { ids: { 'cho-example': 1003 } } });
    server.accounts.set('cho-example', 555);
    const later = await runBot(octokit, options(noId, '2024-07-04T00:00:00Z'));
    expect(later.evaluation.refusals).toContainEqual(expect.objectContaining({ user: 'cho-example', reason: 'other-account' }));
  });

  it('reads one consistent state: a force-push landing mid-read is read again, and the verdict goes on the judged commit', async () => {
    const p = docs();
    const octokit = await serve(p);
    const NEW = 'newnewnewnewnewnewnewnewnewnewnewnewnewn';
    server.after('/repos/example/hearth/pulls/7/files', () => {
      p.headSha = NEW;
      p.files = ['core/src/dispatch.ts'];
    });
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run.snapshot).toMatchObject({ headSha: NEW, files: ['core/src/dispatch.ts'] });
    expect(run.evaluation.status).toBe('pending');
    expect(statuses().map((w) => w.route)).toEqual([`POST /repos/example/hearth/statuses/${NEW}`]);
    expect(statuses().some((w) => w.route.endsWith(HEAD))).toBe(false);
  });

  it('binds an approval to the base too: retargeting a reviewed pull request makes the approval stale', async () => {
    const octokit = await serve(docs({ base: 'main', events: [{ event: 'base_ref_changed', created_at: '2024-07-02T12:00:00Z' }] }));
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run.evaluation.status).toBe('pending');
    expect(run.evaluation.refusals).toContainEqual(expect.objectContaining({ user: 'fay-example', reason: 'stale' }));
  });

  it('decides an unlabelled change to the policy file as a charter change', async () => {
    const octokit = await serve(docs({ files: ['.github/governance.yaml'] }));
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run.evaluation).toMatchObject({ decision: 'charter-change', status: 'pending' });
  });

  it('opens a new decision when a stricter type applies after freezing, with its whole window', async () => {
    const p = docs();
    const octokit = await serve(p);
    expect((await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'))).evaluation).toMatchObject({ decision: 'routine-change', status: 'passing' });
    // Force-pushed into a breaking change of the core, approved by two groups, then labelled.
    p.headSha = OLD;
    p.files = ['core/src/api.ts'];
    p.labels = ['governance/breaking-change'];
    p.reviews = ['cho-example', 'ana-example'].map((user, i) => ({ id: 10 + i, user, state: 'APPROVED', commit_id: OLD, submitted_at: '2024-07-04T10:00:00Z' }));
    const upgraded = await runBot(octokit, options(examplePolicy(), '2024-07-05T00:00:00Z'));
    expect(upgraded).toMatchObject({ froze: true, evaluation: { decision: 'breaking-change', openedAt: '2024-07-05T00:00:00.000Z', status: 'pending' } });
    expect(JSON.parse(recordFile()?.toString('utf8') ?? '{}')).toMatchObject({ frozen: { decision: 'breaking-change', upgradedFrom: 'routine-change' } });
    expect((await runBot(octokit, options(examplePolicy(), '2024-07-08T01:00:00Z'))).evaluation.status).toBe('passing');
  });

  it('starts the lazy-consensus window when the decision opens to review, not at creation of a draft or a refused pull request', async () => {
    const p = docs({ labels: ['governance/breaking-change', 'governance/charter-change'], files: ['core/src/api.ts'], draft: true, reviews: ['cho-example', 'ana-example'].map((user, i) => ({ id: 10 + i, user, state: 'APPROVED', commit_id: HEAD, submitted_at: '2024-07-01T11:00:00Z' })) });
    const octokit = await serve(p);
    const draft = await runBot(octokit, options(examplePolicy(), '2024-07-02T00:00:00Z'));
    expect(draft).toMatchObject({ froze: false, evaluation: { status: 'pending', requirements: [{ id: 'decision:open' }] } });
    p.draft = false;
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_DECISION_TYPE' });
    expect(recordFile()).toBeUndefined();
    p.labels = ['governance/breaking-change'];
    const opened = await runBot(octokit, options(examplePolicy(), '2024-07-06T00:00:00Z'));
    // Created on 07-01, its 72 h would have run out on 07-04, before anyone could object; it opens on 07-06.
    expect(opened.evaluation).toMatchObject({ openedAt: '2024-07-06T00:00:00.000Z', status: 'pending' });
    expect((await runBot(octokit, options(examplePolicy(), '2024-07-09T00:00:00Z'))).evaluation.status).toBe('passing');
  });

  it('tells a voter whose vote is in a review body or the description that it is not counted', async () => {
    const p = removal({ body: 'Removing an inactive maintainer.\n\nSubject: @dev-example\n\n/vote yes', reviews: [{ id: 3, user: 'cho-example', state: 'COMMENTED', commit_id: HEAD, submitted_at: '2024-07-02T11:00:00Z', body: '/vote no' }] });
    const octokit = await serve(p);
    const run = await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run.evaluation.refusals).toEqual(expect.arrayContaining([
      expect.objectContaining({ user: 'cho-example', input: '/vote no', reason: 'not-counted', message: expect.stringContaining("a review's body") as unknown }),
      expect.objectContaining({ user: 'eli-example', input: '/vote yes', reason: 'not-counted', message: expect.stringContaining('description') as unknown }),
    ]));
    expect(String(statuses().at(-1)?.body['description'])).toBeDefined();
  });

  it('withdraws its verdict under a lasting rate limit: an old success does not stand', async () => {
    const p = docs();
    const octokit = await serve(p);
    await runBot(octokit, options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(statuses().at(-1)?.body).toMatchObject({ state: 'success' });
    // Fay now requests changes, and GitHub rate-limits the reviews for longer than the bot retries.
    p.reviews.push({ id: 2, user: 'fay-example', state: 'CHANGES_REQUESTED', commit_id: HEAD, submitted_at: '2024-07-03T10:00:00Z' });
    server.rateLimit('/repos/example/hearth/pulls/7/reviews', 'secondary', 50);
    await expect(runBot(octokit, options(examplePolicy(), '2024-07-04T00:00:00Z'))).rejects.toMatchObject({ code: 'E_GOV_GITHUB' });
    expect(statuses().at(-1)).toMatchObject({ route: `POST /repos/example/hearth/statuses/${HEAD}`, body: { state: 'pending', description: expect.stringMatching(/^cannot judge: /) as unknown } });
  });
});

describe('the verdict as a check run of the bot\'s App', () => {
  let server: FakeGitHub;
  afterEach(async () => {
    await server.close();
  });

  it('publishes the check as its App, and says where the base branch does not require that check from that App', async () => {
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = app.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const repo = fakeRepo('example', 'hearth');
    server = await startFakeGitHub('example', 'hearth', docs(), {}, 2, { appId: 31337, publicKey: app.publicKey, installationId: 4242 }, [repo.route]);
    server.addBlob(exampleText());
    const octokit = fastClient(server, { kind: 'app', appId: 31337, privateKey: pem, installationId: 4242 });
    const run = (now: string) => runBot(octokit, { ...options(examplePolicy(), now), publish: 'check-run', appId: 31337 });
    const first = await run('2024-07-03T00:00:00Z');
    expect([...server.checkRuns.values()].at(-1)).toMatchObject({ name: 'hearth/governance', head_sha: HEAD, conclusion: 'success', app: { id: 31337 } });
    const notes = first.evaluation.explanations.map((e) => e.message);
    expect(notes).toContainEqual(expect.stringContaining("no ruleset on 'main' requires the check 'hearth/governance' from App 31337"));
    expect(notes).toContainEqual(expect.stringContaining("the record branch 'hearth-governance' is not kept by a ruleset"));
    // Once the foundation requires the App's check and keeps the record branch, nothing is said.
    server.rules.set('main', [{ type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'hearth/governance', integration_id: 31337 }] } }]);
    server.rules.set('hearth-governance', [{ type: 'deletion' }, { type: 'update' }, { type: 'non_fast_forward' }]);
    const second = await run('2024-07-04T00:00:00Z');
    expect(second.evaluation.explanations.filter((e) => e.message.startsWith('setup:'))).toEqual([]);
  });

  it('says plainly in token mode that anyone with write access can overwrite its status', async () => {
    const repo = fakeRepo('example', 'hearth');
    server = await startFakeGitHub('example', 'hearth', docs(), {}, 2, undefined, [repo.route]);
    server.addBlob(exampleText());
    const run = await runBot(fastClient(server), options(examplePolicy(), '2024-07-03T00:00:00Z'));
    expect(run.evaluation.explanations.map((e) => e.message)).toContainEqual(expect.stringContaining('it cannot stop that'));
  });
});
