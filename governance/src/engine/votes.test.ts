import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { cmd, examplePolicy, snapshot } from '../testing/fixtures.js';
import type { Policy } from '../model/types.js';
import { freezeDecision } from './freeze.js';

const policy = examplePolicy();
// A new-maintainer vote of the core maintainers (ana, cho, dev, eli), opened 2024-07-01 for 7 days.
const NEW_MAINTAINER = { labels: ['governance/new-maintainer'], files: [], subject: 'fay-example' };
const CLOSED = '2024-07-09T00:00:00Z';

describe('votes', () => {
  it('passes with yes from two thirds of the eligible electorate once the vote closes', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('cho-example', 'vote', 'yes', '2024-07-02T01:00:00Z'), cmd('dev-example', 'vote', 'yes', '2024-07-02T02:00:00Z')];
    const open = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-03T00:00:00Z');
    expect(open.status).toBe('pending');
    expect(open.requirements.find((r) => r.id === 'vote:threshold')?.couldSatisfy).toEqual(['eli-example']);
    const closed = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, CLOSED);
    expect(closed.status).toBe('passing');
    expect(closed.tally).toMatchObject({ yes: 3, eligible: 4, denominator: 4 });
  });

  it('fails when fewer than the threshold of the eligible vote yes (eligible denominator)', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('cho-example', 'vote', 'yes', '2024-07-02T01:00:00Z')];
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, CLOSED);
    // 2 of 4 eligible is 50% < 66%, although it is 100% of votes cast.
    expect(e.status).toBe('failing');
    expect(e.requirements.find((r) => r.id === 'vote:threshold')?.status).toBe('failed');
  });

  it('fails without quorum under a cast denominator', () => {
    const removal = { labels: ['governance/maintainer-removal'], files: [], subject: 'dev-example' };
    // Electorate after recusing the subject: ana, cho, eli; quorum 67% needs all three... 2 of 3 is 66.7%.
    const e = evaluate(snapshot({ ...removal, commands: [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z')] }), policy, '2024-07-20T00:00:00Z');
    expect(e.tally).toMatchObject({ yes: 1, denominator: 1, eligible: 3 });
    expect(e.requirements.find((r) => r.id === 'vote:threshold')?.status).toBe('met');
    expect(e.requirements.find((r) => r.id === 'vote:quorum')?.status).toBe('failed');
    expect(e.status).toBe('failing');
  });

  it('refuses a vote from someone outside the electorate', () => {
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands: [cmd('ben-example', 'vote', 'yes', '2024-07-02T00:00:00Z')] }), policy, CLOSED);
    expect(e.refusals).toMatchObject([{ user: 'ben-example', reason: 'outside-electorate' }]);
    expect(e.tally?.yes).toBe(0);
  });

  it('refuses a vote from someone who joined the body after the vote opened', () => {
    // dev-example's core-maintainer seat starts 2024-06-01: a vote opened on 2024-05-28 excludes them.
    const s = snapshot({ ...NEW_MAINTAINER, openedAt: '2024-05-28T00:00:00Z', commands: [cmd('dev-example', 'vote', 'yes', '2024-06-02T00:00:00Z')] });
    const e = evaluate(s, policy, '2024-06-05T00:00:00Z');
    expect(e.refusals).toMatchObject([{ user: 'dev-example', reason: 'joined-after-opening' }]);
    expect(e.tally).toMatchObject({ yes: 0, eligible: 3 });
  });

  it('counts one person voting twice once', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('ana-example', 'vote', 'yes', '2024-07-03T00:00:00Z')];
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, CLOSED);
    expect(e.tally?.yes).toBe(1);
    expect(e.refusals.map((r) => r.reason)).toEqual(['superseded']);
  });

  it('refuses a changed vote after the deadline, keeping the earlier vote', () => {
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('ana-example', 'vote', 'no', '2024-07-08T11:00:00Z')];
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands }), policy, '2024-07-20T00:00:00Z');
    expect(e.tally).toMatchObject({ yes: 1, no: 0 });
    expect(e.refusals).toMatchObject([{ user: 'ana-example', input: '/vote no', reason: 'after-deadline' }]);
  });

  it('refuses a vote carried by an edited comment', () => {
    const e = evaluate(snapshot({ ...NEW_MAINTAINER, commands: [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z', true)] }), policy, CLOSED);
    expect(e.tally?.yes).toBe(0);
    expect(e.refusals).toMatchObject([{ user: 'ana-example', reason: 'edited' }]);
  });

  it('does not count a recused voter: the subject of a removal', () => {
    const removal = { labels: ['governance/maintainer-removal'], files: [], subject: 'cho-example' };
    const commands = [cmd('cho-example', 'vote', 'no', '2024-07-02T00:00:00Z'), cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('eli-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('dev-example', 'vote', 'yes', '2024-07-02T00:00:00Z')];
    const e = evaluate(snapshot({ ...removal, commands }), policy, '2024-07-20T00:00:00Z');
    expect(e.refusals).toMatchObject([{ user: 'cho-example', reason: 'recused' }]);
    expect(e.tally).toMatchObject({ yes: 3, no: 0, eligible: 3 });
    expect(e.status).toBe('passing');
  });

  it("recuses the applicant's whole company group from a certification vote", () => {
    const cert = { labels: ['governance/plugin-certification'], files: [], applicant: 'example-cloud' };
    const commands = [cmd('fay-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('dev-example', 'vote', 'no', '2024-07-02T00:00:00Z')];
    const e = evaluate(snapshot({ ...cert, commands }), policy, '2024-07-20T00:00:00Z');
    expect(e.tally?.electorate.sort()).toEqual(['ana-example', 'dev-example', 'eli-example']);
    expect(e.refusals).toMatchObject([{ user: 'fay-example', reason: 'recused' }]);
    // 1 yes of 2 present is 50%, and the rule needs more than half.
    expect(e.status).toBe('failing');
  });

  it("refuses a group's binding votes beyond the body's cap", () => {
    // A cap of one seat per group on the technical council, where example-cloud holds two seats.
    const capped: Policy = structuredClone(policy) as Policy;
    const council = capped.model.bodies.find((b) => b.id === 'technical-council');
    if (council === undefined) throw new Error('fixture');
    council.caps = [{ seats: 1 }];
    const cert = { labels: ['governance/plugin-certification'], files: [], applicant: 'example-silicon-labs' };
    const commands = [cmd('cho-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('fay-example', 'vote', 'yes', '2024-07-03T00:00:00Z')];
    const e = evaluate(snapshot({ ...cert, commands }), capped, '2024-07-20T00:00:00Z');
    expect(e.tally?.yes).toBe(1);
    expect(e.refusals).toMatchObject([{ user: 'fay-example', reason: 'over-cap' }]);
  });

  it('fails a charter change vetoed by the board lead, whatever the count', () => {
    const charter = { labels: ['governance/charter-change'], files: [] };
    const commands = ['ana-example', 'cho-example', 'eli-example'].map((u) => cmd(u, 'vote', 'yes', '2024-07-02T00:00:00Z'));
    const veto = cmd('ana-example', 'object', 'conflicts with the IP policy', '2024-07-03T00:00:00Z');
    expect(evaluate(snapshot({ ...charter, commands }), policy, '2024-08-15T00:00:00Z').status).toBe('passing');
    const e = evaluate(snapshot({ ...charter, commands: [...commands, veto] }), policy, '2024-08-15T00:00:00Z');
    expect(e.status).toBe('failing');
    expect(e.requirements.find((r) => r.id === 'veto:none')?.status).toBe('failed');
  });
});

describe('votes a determined member cannot bend', () => {
  it('never reports a vote as final before its deadline, so a reported failure cannot reverse', () => {
    // Everyone has voted by 07-03, two yes and two no: not final, since votes may change until 07-08.
    const votes = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('cho-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('dev-example', 'vote', 'no', '2024-07-02T00:00:00Z'), cmd('eli-example', 'vote', 'no', '2024-07-02T00:00:00Z')];
    const s = snapshot({ ...NEW_MAINTAINER, commands: [...votes, cmd('eli-example', 'vote', 'yes', '2024-07-04T00:00:00Z')] });
    const before = evaluate(s, policy, '2024-07-03T00:00:00Z');
    expect(before.status).toBe('pending');
    expect(before.requirements.find((r) => r.id === 'vote:threshold')?.status).toBe('open');
    expect(evaluate(s, policy, CLOSED).status).toBe('passing');
    // Once final, it stays: later changes are refused and the outcome is the same at any later instant.
    const late = snapshot({ ...NEW_MAINTAINER, commands: [...votes, cmd('eli-example', 'vote', 'yes', '2024-07-10T00:00:00Z')] });
    expect(evaluate(late, policy, CLOSED).status).toBe('failing');
    expect(evaluate(late, policy, '2024-08-01T00:00:00Z').status).toBe('failing');
  });

  it("keeps a group's binding vote with whoever voted first, even when they vote again", () => {
    const capped = structuredClone(policy) as Policy;
    const council = capped.model.bodies.find((b) => b.id === 'technical-council');
    if (council === undefined) throw new Error('fixture');
    council.caps = [{ seats: 1 }];
    // cho and fay are both Example Cloud. cho votes yes first; fay votes no; cho re-posts the same yes.
    const commands = [cmd('cho-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('fay-example', 'vote', 'no', '2024-07-03T00:00:00Z'), cmd('cho-example', 'vote', 'yes', '2024-07-04T00:00:00Z')];
    const e = evaluate(snapshot({ labels: ['governance/plugin-certification'], files: [], applicant: 'example-silicon-labs', commands }), capped, '2024-07-20T00:00:00Z');
    expect(e.tally).toMatchObject({ yes: 1, no: 0 });
    expect(e.refusals.filter((r) => r.reason === 'over-cap')).toMatchObject([{ user: 'fay-example' }]);
  });

  it('counts a person seated twice on a body once (a hand-built policy the validator would refuse)', () => {
    const twice = structuredClone(policy) as Policy;
    twice.model.bodies[0]?.seats.push({ person: 'Ana-Example', since: '2023-06-01' });
    const e = evaluate(snapshot({ ...NEW_MAINTAINER }), twice, CLOSED);
    expect(e.tally?.eligible).toBe(4);
  });

  it('counts abstentions towards quorum but not towards a cast denominator', () => {
    const removal = { labels: ['governance/maintainer-removal'], files: [], subject: 'dev-example' };
    // Electorate ana, cho, eli (dev is recused); quorum 67%, threshold 75% of yes + no.
    const commands = [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z'), cmd('cho-example', 'vote', 'abstain', '2024-07-02T00:00:00Z')];
    const twoOfThree = evaluate(snapshot({ ...removal, commands }), policy, '2024-07-20T00:00:00Z');
    expect(twoOfThree.requirements.find((r) => r.id === 'vote:quorum')?.status).toBe('failed');
    const all = evaluate(snapshot({ ...removal, commands: [...commands, cmd('eli-example', 'vote', 'abstain', '2024-07-03T00:00:00Z')] }), policy, '2024-07-20T00:00:00Z');
    expect(all.tally).toMatchObject({ yes: 1, no: 0, abstain: 2, denominator: 1 });
    expect(all.status).toBe('passing');
  });

  it("recuses the whole group when the applicant is a subsidiary: Example Silicon Labs recuses Example Silicon Corp's members", () => {
    const cert = { labels: ['governance/plugin-certification'], files: [], applicant: 'example-silicon-labs' };
    const e = evaluate(snapshot({ ...cert, commands: [cmd('ana-example', 'vote', 'yes', '2024-07-02T00:00:00Z')] }), policy, '2024-07-20T00:00:00Z');
    expect(e.refusals).toMatchObject([{ user: 'ana-example', reason: 'recused' }]);
    expect(e.tally?.electorate).not.toContain('ana-example');
  });

  it('decides recusal from the subject frozen when the decision opened, not from a description edited later', () => {
    const removal = snapshot({ labels: ['governance/maintainer-removal'], files: [], subject: 'dev-example' });
    const frozen = freezeDecision(removal, policy);
    const commands = [cmd('dev-example', 'vote', 'no', '2024-07-02T00:00:00Z'), ...['ana-example', 'cho-example', 'eli-example'].map((u) => cmd(u, 'vote', 'yes', '2024-07-02T00:00:00Z'))];
    // The description now names cho: were it read again, cho would be recused and dev would vote.
    const edited = { ...removal, subject: 'cho-example', commands, frozen };
    const e = evaluate(edited, policy, '2024-07-20T00:00:00Z');
    expect(e.refusals).toMatchObject([{ user: 'dev-example', reason: 'recused' }]);
    expect(e.tally).toMatchObject({ yes: 3, no: 0 });
    expect(e.explanations.some((x) => x.message.includes('subject is fixed when the decision opens'))).toBe(true);
  });

  it('refuses to decide a vote that recuses by subject or applicant when none is named, or an unknown one', () => {
    const cases = [
      snapshot({ labels: ['governance/new-maintainer'], files: [] }),
      snapshot({ labels: ['governance/new-maintainer'], files: [], subject: 'nobody-example' }),
      snapshot({ labels: ['governance/plugin-certification'], files: [] }),
      snapshot({ labels: ['governance/plugin-certification'], files: [], applicant: 'no-such-org' }),
    ];
    for (const s of cases) {
      expect(() => evaluate(s, policy, CLOSED)).toThrow(expect.objectContaining({ code: 'E_GOV_DECISION_FIELDS' }) as Error);
      expect(() => freezeDecision(s, policy)).toThrow(expect.objectContaining({ code: 'E_GOV_DECISION_FIELDS' }) as Error);
    }
  });

  it('refuses a veto after the decision closed, so a passed decision stays passed', () => {
    const charter = { labels: ['governance/charter-change'], files: [] };
    const votes = ['ana-example', 'cho-example', 'eli-example'].map((u) => cmd(u, 'vote', 'yes', '2024-07-02T00:00:00Z'));
    // The 30-day window closes at 2024-07-31T10:00Z; the lead's objection comes a second later.
    const late = cmd('ana-example', 'object', 'changed my mind', '2024-07-31T10:00:01Z');
    const e = evaluate(snapshot({ ...charter, commands: [...votes, late] }), policy, '2024-08-15T00:00:00Z');
    expect(e.status).toBe('passing');
    expect(e.refusals).toMatchObject([{ user: 'ana-example', reason: 'after-deadline' }]);
    const inTime = cmd('ana-example', 'object', 'no', '2024-07-31T10:00:00Z');
    expect(evaluate(snapshot({ ...charter, commands: [...votes, inTime] }), policy, '2024-08-15T00:00:00Z').status).toBe('failing');
  });
});

describe('recusal as of the opening', () => {
  // dev worked for Example Silicon until 2024-06-30 and for Example Devices from 2024-07-01.
  const moved = examplePolicy(['      - { org: example-silicon, from: 2023-01-01, to: 2024-05-31 }\n      - { org: example-devices, from: 2024-06-01 }', '      - { org: example-silicon, from: 2023-01-01, to: 2024-06-30 }\n      - { org: example-devices, from: 2024-07-01 }']);
  const cert = (openedAt: string) => snapshot({ labels: ['governance/plugin-certification'], files: [], applicant: 'example-silicon-labs', openedAt, commands: [cmd('dev-example', 'vote', 'yes', '2024-07-02T00:00:00Z')] });

  it('does not recuse a voter whose tie to the applicant expired before the vote opened', () => {
    const e = evaluate(cert('2024-07-01T10:00:00Z'), moved, '2024-07-20T00:00:00Z');
    expect(e.tally?.electorate).toContain('dev-example');
    expect(e.tally?.electorate).not.toContain('ana-example');
    expect(e.tally?.yes).toBe(1);
  });

  it('recuses them from a vote opened while the tie lasted, even when they vote after it ended', () => {
    const e = evaluate(cert('2024-06-15T10:00:00Z'), moved, '2024-07-20T00:00:00Z');
    expect(e.tally?.electorate).not.toContain('dev-example');
    expect(e.refusals).toMatchObject([{ user: 'dev-example', reason: 'recused' }]);
  });
});
