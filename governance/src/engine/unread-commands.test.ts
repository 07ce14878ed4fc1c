import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();
const NEW_MAINTAINER = { labels: ['governance/new-maintainer'], files: [], subject: 'fay-example' };
const notCounted = (e: ReturnType<typeof evaluate>, input: string) => e.refusals.filter((r) => r.input === input);

describe('a command no part of the rule reads gets a "not counted" line', () => {
  it('an /object or /approve on a vote without lazy consensus or veto', () => {
    const commands = [cmd('ana-example', 'object', undefined, '2024-07-02T00:00:00Z'), cmd('cho-example', 'approve', undefined, '2024-07-02T01:00:00Z')];
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-03T00:00:00Z');
    expect(notCounted(e, '/object')).toEqual([expect.objectContaining({ user: 'ana-example', reason: 'not-counted', message: expect.stringMatching(/no lazy-consensus window and no veto.*\/vote no/) })]);
    expect(notCounted(e, '/approve')).toEqual([expect.objectContaining({ user: 'cho-example', reason: 'not-counted' })]);
  });

  it('a /vote where nothing is voted on', () => {
    const e = evaluate(snapshot({ commands: [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z')] }), policy, '2024-07-03T00:00:00Z');
    expect(e.decision).toBe('routine-change');
    expect(notCounted(e, '/vote yes')).toEqual([expect.objectContaining({ user: 'ana-example', message: expect.stringContaining('holds no vote') })]);
  });

  it("an /object from someone who holds no veto, where there is no lazy consensus to object in", () => {
    const charter = { labels: ['governance/charter-change'], files: [] };
    const e = evaluate(snapshot({ ...charter, commands: [cmd('cho-example', 'object', undefined, '2024-07-02T00:00:00Z')] }), policy, '2024-07-03T00:00:00Z');
    expect(notCounted(e, '/object')).toEqual([expect.objectContaining({ user: 'cho-example', reason: 'not-entitled', message: expect.stringContaining('ana-example') })]);
    expect(e.requirements.find((r) => r.id === 'veto:none')?.status).toBe('met');
  });

  it('an /approve under lazy consensus with no objection to withdraw and no dispute', () => {
    const breaking = { labels: ['governance/breaking-change'], files: ['docs/guide.md'] };
    const e = evaluate(snapshot({ ...breaking, commands: [cmd('ana-example', 'approve', undefined, '2024-07-02T00:00:00Z')] }), policy, '2024-07-03T00:00:00Z');
    expect(notCounted(e, '/approve')).toEqual([expect.objectContaining({ user: 'ana-example', reason: 'not-counted', message: expect.stringContaining('no standing objection') })]);
  });

  it('every command of a snapshot is counted or has a line, on each decision type', () => {
    const people = ['ana-example', 'cho-example', 'dev-example', 'eli-example', 'fay-example', 'ben-example'];
    const kinds = [['vote', 'yes'], ['object', undefined], ['approve', undefined]] as const;
    for (const d of policy.model.decisions) {
      const commands = people.flatMap((p, i) => kinds.map(([k, a], j) => cmd(p, k, a, `2024-07-0${2 + ((i + j) % 5)}T0${j}:00:00Z`)));
      const e = evaluate(snapshot({ labels: d.label ? [d.label] : [], files: ['docs/guide.md'], subject: 'fay-example', applicant: 'example-silicon', commands }), policy, '2024-07-08T00:00:00Z');
      const refused = new Set(e.refusals.map((r) => `${r.user} ${r.input}`));
      const said = (c: (typeof commands)[number], verbs: readonly string[]) => e.explanations.some((x) => verbs.some((v) => x.message.startsWith(`${c.user} ${v}`)));
      const counted = (c: (typeof commands)[number]) =>
        refused.has(`${c.user} /${c.command}${c.argument ? ` ${c.argument}` : ''}`) ||
        (c.command === 'vote' && e.requirements.some((r) => r.id === 'vote:quorum' && r.satisfiedBy.includes(c.user))) ||
        (c.command === 'object' && said(c, ['objected', 'vetoed', '('])) ||
        (c.command === 'approve' && said(c, ['withdrew', '(']));
      expect(commands.filter((c) => !counted(c)).map((c) => `${c.user} /${c.command}`), d.id).toEqual([]);
    }
  });
});

describe('a quorum', () => {
  it('is met as soon as enough voters took part, before the vote closes; the decision still waits for the close', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('cho-example', 'vote', 'no', '2024-07-02T01:00:00Z')];
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-03T00:00:00Z');
    const quorum = e.requirements.find((r) => r.id === 'vote:quorum')!;
    expect(quorum.status).toBe('met');
    expect(quorum.couldSatisfy).toEqual([]);
    expect(quorum.description).toContain('reached');
    expect(e.status).toBe('pending');
  });

  it('not yet reached is open until the close, and failed after', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z')];
    const open = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-03T00:00:00Z');
    expect(open.requirements.find((r) => r.id === 'vote:quorum')?.status).toBe('open');
    const closed = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-09T00:00:00Z');
    expect(closed.requirements.find((r) => r.id === 'vote:quorum')?.status).toBe('failed');
  });
});
