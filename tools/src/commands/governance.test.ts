import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeRepo } from '../../../governance/src/testing/github-repo.js';
import { startFakeGitHub } from '../../../governance/src/testing/github-server.js';
import { largeFoundationYaml } from '../../../governance/src/testing/large-foundation.js';
import { governanceCommand } from './governance.js';

const EXAMPLE = fileURLToPath(new URL('../../../governance/examples/foundation.yaml', import.meta.url));
const HEAD = 'a'.repeat(40);

/** Runs `hearth governance ...args`, capturing what it prints and its exit code. */
async function hearth(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await governanceCommand().parseAsync(args, { from: 'user' });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out, err };
}

describe('hearth governance', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-gov-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('check: accepts the example model (exit 0) and reports a bad one at file:line (exit 2)', async () => {
    const ok = await hearth('check', EXAMPLE, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, bodies: 3 });
    const bad = join(dir, 'governance.yaml');
    writeFileSync(bad, readFileSync(EXAMPLE, 'utf8').replace('      - share: 0.4', '      - share: 4'));
    const res = await hearth('check', bad);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(new RegExp(`^error E_GOV_SCHEMA: ${bad.replaceAll('.', '\\.')}:\\d+: /bodies/1/caps/0/share must be <= 1`));
  });

  it('eval reads a pull request from the GitHub API in the environment; simulate replays the saved snapshot with a what-if review', async () => {
    const server = await startFakeGitHub('example', 'hearth', {
      number: 3,
      author: 'eli-example',
      headSha: HEAD,
      createdAt: '2024-07-01T10:00:00Z',
      labels: [],
      files: ['docs/guide.md'],
      reviews: [],
      comments: [],
    });
    try {
      vi.stubEnv('GITHUB_TOKEN', 'test-token');
      vi.stubEnv('GITHUB_REPOSITORY', 'example/hearth');
      vi.stubEnv('GITHUB_API_URL', server.url);
      const saved = join(dir, 'pr3.json');
      const evaluated = await hearth('eval', '--pr', '3', '--policy', EXAMPLE, '--as-of', '2024-07-02', '--save-snapshot', saved, '--json');
      expect(evaluated.code).toBe(1);
      expect(JSON.parse(evaluated.out)).toMatchObject({ status: 'pending', decision: 'routine-change' });

      const what = await hearth('simulate', '--pr', '3', '--snapshot', saved, '--policy', EXAMPLE, '--add-review', 'fay-example:approve', '--as-of', '2024-07-02', '--json');
      expect(what.code).toBe(0);
      expect(JSON.parse(what.out)).toMatchObject({ status: 'passing' });
      // The author's own approval is refused, so the decision stays pending.
      const self = await hearth('simulate', '--snapshot', saved, '--policy', EXAMPLE, '--add-review', 'eli-example:approve', '--as-of', '2024-07-02');
      expect(self.code).toBe(1);
      expect(self.out).toContain('eli-example wrote this change and cannot approve it');
    } finally {
      await server.close();
    }
  });

  it('gives user errors exit 2 with a message that says what to do', async () => {
    vi.stubEnv('GITHUB_REPOSITORY', '');
    const noRepo = await hearth('eval', '--pr', '3', '--policy', EXAMPLE);
    expect(noRepo).toMatchObject({ code: 2, err: expect.stringContaining('GITHUB_REPOSITORY is not set') as unknown });
    const badSnapshot = join(dir, 'bad.json');
    writeFileSync(badSnapshot, '{"version": 1}');
    const res = await hearth('simulate', '--snapshot', badSnapshot, '--policy', EXAMPLE, '--json');
    expect(res.code).toBe(2);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, error: { code: 'E_GOV_SNAPSHOT' } });
    const badReview = await hearth('simulate', '--snapshot', badSnapshot, '--policy', join(dir, 'missing.yaml'));
    expect(badReview).toMatchObject({ code: 2, err: expect.stringContaining('E_GOV_INPUT') as unknown });
    vi.stubEnv('GITHUB_REPOSITORY', 'example/hearth');
    vi.stubEnv('GITHUB_TOKEN', 'test-token');
    vi.stubEnv('HEARTH_GOVERNANCE_KEY', 'a-signing-key-of-at-least-32-characters');
    vi.stubEnv('GITHUB_EVENT_PATH', join(dir, 'no-event.json'));
    const noEvent = await hearth('run', '--policy', EXAMPLE);
    expect(noEvent).toMatchObject({ code: 2, err: expect.stringContaining('E_GOV_INPUT: cannot read the event in GITHUB_EVENT_PATH') as unknown });
  });

  it('refuses a YAML alias bomb as a user error (exit 2), and --json prints JSON', async () => {
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n'));
    const text = await hearth('check', bomb);
    expect(text.code).toBe(2);
    expect(text.err).toMatch(/^error E_GOV_YAML: /);
    const json = await hearth('check', bomb, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, error: { code: 'E_GOV_YAML' } });
  });

  it('checks a generated 2,000-person foundation', async () => {
    const file = join(dir, 'large.yaml');
    writeFileSync(file, largeFoundationYaml(2000));
    const res = await hearth('check', file, '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ ok: true, people: 2000, modules: 50 });
  });

  it('run: takes the pull request of a workflow_run event, and refuses to run without the signing key', async () => {
    const pull = { number: 5, author: 'eli-example', headSha: HEAD, createdAt: '2024-07-01T10:00:00Z', labels: [], files: ['docs/guide.md'], reviews: [], comments: [] };
    const server = await startFakeGitHub('example', 'hearth', pull, {}, 2, undefined, [fakeRepo('example', 'hearth').route]);
    server.addBlob(readFileSync(EXAMPLE, 'utf8'));
    try {
      const event = join(dir, 'event.json');
      writeFileSync(event, JSON.stringify({ action: 'completed', workflow_run: { id: 1, pull_requests: [{ number: 5 }] } }));
      vi.stubEnv('GITHUB_TOKEN', 'test-token');
      vi.stubEnv('GITHUB_REPOSITORY', 'example/hearth');
      vi.stubEnv('GITHUB_API_URL', server.url);
      vi.stubEnv('GITHUB_EVENT_PATH', event);
      vi.stubEnv('HEARTH_GOVERNANCE_KEY', '');
      const noKey = await hearth('run', '--policy', EXAMPLE, '--json');
      expect(noKey.code).toBe(2);
      expect(JSON.parse(noKey.out)).toMatchObject({ ok: false, error: { code: 'E_GOV_INPUT', message: expect.stringContaining('HEARTH_GOVERNANCE_KEY') as unknown } });
      vi.stubEnv('HEARTH_GOVERNANCE_KEY', 'a-signing-key-of-at-least-32-characters');
      const ran = await hearth('run', '--policy', EXAMPLE, '--json');
      expect(ran.code).toBe(0);
      expect(JSON.parse(ran.out)).toMatchObject({ froze: true, evaluation: { decision: 'routine-change' } });
      // The record goes to the record branch (created when the first write finds none), witnessed by a comment; then the verdict.
      expect(server.writes.map((w) => w.route)).toEqual([
        'PUT /repos/example/hearth/contents/decisions%2F5.json',
        'POST /repos/example/hearth/git/refs',
        'PUT /repos/example/hearth/contents/decisions%2F5.json',
        'POST /repos/example/hearth/issues/5/comments',
        `POST /repos/example/hearth/statuses/${HEAD}`,
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('the snapshot format in docs/governance.md', () => {
  const page = readFileSync(fileURLToPath(new URL('../../../docs/governance.md', import.meta.url)), 'utf8');
  const section = page.slice(page.indexOf('### The snapshot format'), page.indexOf('The engine is a library too'));

  it('documents every field of the Snapshot type, and no other', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../governance/src/engine/snapshot.ts', import.meta.url)), 'utf8');
    const body = /export interface Snapshot \{([\s\S]*?)\n\}/.exec(source)![1]!;
    const fields = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(fields.sort());
  });

  it('has an example that simulate replays: pending, then passing with the what-if approval the page names', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-doc-snapshot-')), 'pr-7.json');
    writeFileSync(file, /```json\n([\s\S]*?)```/.exec(section)![1]!);
    const asOf = /--as-of (\S+)`/.exec(section)![1]!;
    const review = /`--add-review (\S+)`/.exec(section)![1]!;
    const before = await hearth('simulate', '--snapshot', file, '--policy', EXAMPLE, '--as-of', asOf, '--json');
    expect(before.code).toBe(1);
    expect(JSON.parse(before.out)).toMatchObject({ status: 'pending' });
    const after = await hearth('simulate', '--snapshot', file, '--policy', EXAMPLE, '--as-of', asOf, '--add-review', review, '--json');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out)).toMatchObject({ status: 'passing' });
  });

  it("prints for a terminal, not Markdown; a vote whose snapshot names no subject asks for the snapshot's field", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-doc-snapshot-'));
    const file = join(dir, 'pr-7.json');
    const example = /```json\n([\s\S]*?)```/.exec(section)![1]!;
    writeFileSync(file, example);
    const asOf = /--as-of (\S+)`/.exec(section)![1]!;
    const text = await hearth('simulate', '--snapshot', file, '--policy', EXAMPLE, '--as-of', asOf);
    expect(text.out).toMatch(/^routine-change: pending as of /);
    expect(text.out).toMatch(/^ {2}open +/m);
    expect(text.out).not.toMatch(/\*\*|^- |✅|⏳|❌/m);

    const vote = join(dir, 'pr-8.json');
    writeFileSync(vote, JSON.stringify({ ...JSON.parse(example), labels: ['governance/new-maintainer'] }));
    const refused = await hearth('simulate', '--snapshot', vote, '--policy', EXAMPLE, '--as-of', asOf);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('E_GOV_DECISION_FIELDS');
    expect(refused.err).toContain('"subject"');
    expect(refused.err).not.toContain('Subject: @login');
  });
});
