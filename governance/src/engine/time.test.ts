import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();
// A new-maintainer vote of ana, cho, dev and eli opened 2024-07-01T10:00Z for 7 days: it closes at
// 2024-07-08T10:00:00Z. Three yes votes early; eli's decisive fourth comes at the boundary.
const early = ['ana-example', 'cho-example'].map((u) => cmd(u, 'vote', 'yes', '2024-07-02T00:00:00Z'));
const vote = (eliAt: string) => snapshot({ labels: ['governance/new-maintainer'], files: [], subject: 'fay-example', commands: [...early, cmd('eli-example', 'vote', 'yes', eliAt)] });
const AFTER = '2024-07-20T00:00:00Z';

describe('instants are compared as time, whatever their spelling', () => {
  it('counts a vote in the deadline instant however it is written (GitHub writes no milliseconds; offsets are the same instant)', () => {
    for (const at of ['2024-07-08T10:00:00Z', '2024-07-08T10:00:00.000Z', '2024-07-08T12:00:00+02:00', '2024-07-08T08:30:00-01:30']) {
      const e = evaluate(vote(at), policy, AFTER);
      expect(e.refusals, at).toEqual([]);
      expect(e.tally?.yes, at).toBe(3);
    }
  });

  it('refuses a vote one second after the deadline, in any spelling, and counts one a second before', () => {
    for (const at of ['2024-07-08T10:00:01Z', '2024-07-08T12:00:01+02:00', '2024-07-08T10:00:00.001Z']) {
      const e = evaluate(vote(at), policy, AFTER);
      expect(e.refusals.map((r) => r.reason), at).toEqual(['after-deadline']);
    }
    expect(evaluate(vote('2024-07-08T11:59:59+02:00'), policy, AFTER).tally?.yes).toBe(3);
  });

  it('closes the vote at the deadline instant for an asOf written with an offset, and not a second before', () => {
    const s = vote('2024-07-03T00:00:00Z');
    expect(evaluate(s, policy, '2024-07-08T12:00:00+02:00').status).toBe('passing');
    expect(evaluate(s, policy, '2024-07-08T11:59:59+02:00').status).toBe('pending');
    expect(evaluate(s, policy, '2024-07-08T09:59:59.999Z').status).toBe('pending');
  });

  it('orders commands by instant, not by text, when the snapshot mixes offsets', () => {
    // 09:00-02:00 is 11:00Z, after the deadline, though its text sorts before 10:00Z.
    const e = evaluate(vote('2024-07-08T09:00:00-02:00'), policy, AFTER);
    expect(e.refusals.map((r) => r.reason)).toEqual(['after-deadline']);
  });

  it('refuses an asOf without a zone or in another form, rather than reading it in the machine zone', () => {
    for (const asOf of ['2024-07-08T10:00:00', 'July 8, 2024', 'yesterday']) {
      expect(() => evaluate(vote('2024-07-03T00:00:00Z'), policy, asOf), asOf).toThrow(expect.objectContaining({ code: 'E_GOV_INPUT' }) as Error);
    }
  });
});
