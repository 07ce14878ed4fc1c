import { describe, expect, it } from 'vitest';
import { GovernanceError } from '../error.js';
import { contentHash } from '../model/hash.js';
import { evaluate } from './evaluate.js';
import { freezeDecision } from './freeze.js';
import type { FrozenDecision } from './snapshot.js';
import { cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

// A new-maintainer vote opened 2024-07-01 in which eli-example's yes vote is decisive.
const vote = snapshot({
  labels: ['governance/new-maintainer'],
  files: [],
  subject: 'fay-example',
  commands: ['ana-example', 'cho-example', 'eli-example'].map((u) => cmd(u, 'vote', 'yes', '2024-07-02T00:00:00Z')),
});
const CLOSED = '2024-07-09T00:00:00Z';

describe('replay', () => {
  const before = examplePolicy();
  // Later the model changes: eli-example's seat goes to ben-example, backdated as a careless edit would do.
  const after = examplePolicy(['      - { person: eli-example, since: 2023-01-01 }\n    caps:\n      - share: 0.5', '      - { person: ben-example, since: 2024-06-01 }\n    caps:\n      - share: 0.5']);

  it('gives the same outcome after the membership changed, from the policy frozen when the decision opened', () => {
    const frozen = { ...vote, frozen: freezeDecision(vote, before) };
    const original = evaluate(frozen, before, CLOSED);
    const replayed = evaluate(frozen, after, CLOSED);
    expect(original.status).toBe('passing');
    expect(replayed.status).toBe(original.status);
    expect(replayed.tally).toEqual(original.tally);
    expect(replayed.policyHash).toBe(before.hash);
    expect(replayed.explanations.some((e) => e.message.includes('policy changed'))).toBe(true);
    // Without the frozen policy the changed membership would change the outcome: the replay is what holds it.
    expect(evaluate(vote, after, CLOSED).status).toBe('failing');
  });

  it('refuses a frozen policy that was altered after freezing', () => {
    const frozen = freezeDecision(vote, before);
    frozen.model.bodies[0]?.seats.push({ person: 'fay-example', since: '2023-01-01' });
    expect(() => evaluate({ ...vote, frozen }, before, CLOSED)).toThrow(expect.objectContaining({ code: 'E_GOV_FROZEN' }) as GovernanceError);
  });

  it('refuses a frozen record that is malformed, or whose model is no valid model though its hash matches', () => {
    const good = freezeDecision(vote, before);
    const { model: _dropped, ...noModel } = good;
    const invalidModel = { ...structuredClone(good.model), defaultDecision: 'no-such-type' };
    const cases: unknown[] = [
      null,
      noModel,
      { ...good, openedAt: 'yesterday' },
      { ...good, lines: null },
      { ...good, model: invalidModel, policyHash: contentHash(invalidModel) },
    ];
    for (const frozen of cases) {
      expect(() => evaluate({ ...vote, frozen: frozen as FrozenDecision }, before, CLOSED)).toThrow(expect.objectContaining({ code: 'E_GOV_FROZEN' }) as GovernanceError);
    }
  });

  it('refuses a pull request carrying the labels of two decision types', () => {
    const s = snapshot({ labels: ['governance/breaking-change', 'governance/charter-change'] });
    expect(() => evaluate(s, before, CLOSED)).toThrow(expect.objectContaining({ code: 'E_GOV_DECISION_TYPE' }) as GovernanceError);
  });
});

describe('what a frozen decision says about later changes', () => {
  const policy = examplePolicy();

  it('says when a label removed after opening would select a less demanding type, and keeps the frozen one', () => {
    const opened = snapshot({ files: ['docs/a.md'], labels: ['governance/breaking-change'] });
    const frozen = freezeDecision(opened, policy);
    const relabelled = { ...opened, labels: [], frozen };
    const e = evaluate(relabelled, policy, CLOSED);
    expect(e.decision).toBe('breaking-change');
    expect(e.explanations.map((x) => x.message)).toContainEqual(expect.stringContaining('labels now select routine-change'));
  });

  it('refuses to decide when GitHub listed only part of the changed files', () => {
    const s = snapshot({ files: ['docs/a.md'], reviews: [], incompleteFiles: { listed: 3000, changed: 3001 } });
    const e = evaluate(s, policy, CLOSED);
    expect(e.status).toBe('failing');
    expect(e.requirements.find((r) => r.id === 'files:complete')?.description).toContain('listed 3000 of the 3001 files');
  });
});

describe("a vote's outcome recorded at its close", () => {
  const policy = examplePolicy();
  const frozen = { ...vote, frozen: freezeDecision(vote, policy) };
  const closed = evaluate(frozen, policy, CLOSED);
  const tally = closed.tally;
  if (tally === undefined) throw new Error('fixture');
  const finalVote = { closesAt: tally.closesAt, tally, quorum: 'met' as const, threshold: 'met' as const };

  it('stands when a vote comment is edited after the close (its command refused) or deleted', () => {
    const edited = { ...frozen, finalVote, commands: vote.commands.map((c, i) => (i === 0 ? { ...c, edited: true } : c)) };
    const deleted = { ...frozen, finalVote, commands: vote.commands.slice(1) };
    for (const s of [edited, deleted]) {
      const e = evaluate(s, policy, '2024-08-01T00:00:00Z');
      expect(e.status).toBe('passing');
      expect(e.tally).toEqual(tally);
    }
    // Without the record, the recount would fail.
    expect(evaluate({ ...frozen, commands: vote.commands.slice(1) }, policy, '2024-08-01T00:00:00Z').status).toBe('failing');
  });

  it('does not apply before the close, and is refused when it names another close', () => {
    expect(evaluate({ ...frozen, finalVote, commands: [] }, policy, '2024-07-03T00:00:00Z').status).toBe('pending');
    expect(() => evaluate({ ...frozen, finalVote: { ...finalVote, closesAt: '2024-07-01T00:00:00Z' } }, policy, CLOSED)).toThrow(expect.objectContaining({ code: 'E_GOV_FROZEN' }) as GovernanceError);
  });
});
