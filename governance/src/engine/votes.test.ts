import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { cmd, examplePolicy, snapshot } from '../testing/fixtures.js';
import type { Policy } from '../model/types.js';

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
