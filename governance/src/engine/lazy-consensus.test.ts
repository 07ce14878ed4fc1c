import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { approve, cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();
// A breaking change to shared code, approved by two groups; lazy consensus runs 72 h from 2024-07-01T10:00Z.
const breaking = (commands: ReturnType<typeof cmd>[] = []) =>
  snapshot({ author: 'fay-example', labels: ['governance/breaking-change'], files: ['core/src/api.ts'], reviews: [approve('cho-example'), approve('eli-example')], commands });

describe('lazy consensus and escalation', () => {
  it('is pending inside the window and passes in silence once it closes', () => {
    expect(evaluate(breaking(), policy, '2024-07-03T00:00:00Z').status).toBe('pending');
    expect(evaluate(breaking(), policy, '2024-07-04T10:00:00Z').status).toBe('passing');
  });

  it('is stopped by an objection inside the window, which escalates instead of passing', () => {
    const objection = cmd('dev-example', 'object', 'breaks the ABI', '2024-07-02T10:00:00Z');
    const e = evaluate(breaking([objection]), policy, '2024-07-05T00:00:00Z');
    expect(e.status).toBe('pending');
    const esc = e.requirements.find((r) => r.id === 'escalation');
    expect(esc?.status).toBe('open');
    // The first step is the owners of the touched module (core maintainers), less the objector and
    // cho, a colleague of the author (example-cloud): the parties' company groups are recused.
    expect(esc?.couldSatisfy.sort()).toEqual(['ana-example', 'eli-example']);
  });

  it('ignores an objection from someone not entitled, and one after the window', () => {
    const outsider = cmd('ben-example', 'object', undefined, '2024-07-02T10:00:00Z');
    const late = cmd('dev-example', 'object', undefined, '2024-07-05T10:00:00Z');
    const e = evaluate(breaking([outsider, late]), policy, '2024-07-06T00:00:00Z');
    expect(e.status).toBe('passing');
    expect(e.refusals.map((r) => r.reason).sort()).toEqual(['after-deadline', 'not-entitled']);
  });

  it('ignores an objection in an edited comment', () => {
    const edited = cmd('dev-example', 'object', undefined, '2024-07-02T10:00:00Z', true);
    expect(evaluate(breaking([edited]), policy, '2024-07-06T00:00:00Z').status).toBe('passing');
  });

  it('moves the dispute up the chain over time: module owners, core maintainers, then the lead', () => {
    const objection = cmd('dev-example', 'object', undefined, '2024-07-02T10:00:00Z');
    const at = (asOf: string) => evaluate(breaking([objection]), policy, asOf).requirements.find((r) => r.id === 'escalation');
    expect(at('2024-07-03T00:00:00Z')?.description).toContain('module owners');
    expect(at('2024-07-10T00:00:00Z')?.description).toContain('with core-maintainers');
    const last = at('2024-07-20T00:00:00Z');
    expect(last?.description).toContain('lead of core-maintainers');
    expect(last?.couldSatisfy).toEqual(['ana-example']);
  });

  it('is resolved by a decider of the step holding the dispute, not by anyone else', () => {
    const objection = cmd('dev-example', 'object', undefined, '2024-07-02T10:00:00Z');
    // At the lead step (from 2024-07-16T10:00Z) only the lead decides: cho's approval does not count there.
    const cho = cmd('cho-example', 'approve', undefined, '2024-07-17T00:00:00Z');
    expect(evaluate(breaking([objection, cho]), policy, '2024-07-18T00:00:00Z').status).toBe('pending');
    const lead = cmd('ana-example', 'approve', undefined, '2024-07-17T01:00:00Z');
    expect(evaluate(breaking([objection, cho, lead]), policy, '2024-07-18T00:00:00Z').status).toBe('passing');
    const against = cmd('ana-example', 'object', 'agree with dev', '2024-07-17T01:00:00Z');
    expect(evaluate(breaking([objection, cho, against]), policy, '2024-07-18T00:00:00Z').status).toBe('failing');
  });
});

describe('lazy consensus that objectors and authors cannot short-cut', () => {
  const at = (e: ReturnType<typeof evaluate>, id: string) => e.requirements.find((r) => r.id === id);

  it('does not skip the window when an objection is withdrawn minutes after it was made', () => {
    const object = cmd('dev-example', 'object', 'wait', '2024-07-01T11:00:00Z');
    const withdraw = cmd('dev-example', 'approve', undefined, '2024-07-01T11:05:00Z');
    expect(evaluate(breaking([object, withdraw]), policy, '2024-07-03T00:00:00Z').status).toBe('pending');
    expect(evaluate(breaking([object, withdraw]), policy, '2024-07-04T09:59:59Z').status).toBe('pending');
    expect(evaluate(breaking([object, withdraw]), policy, '2024-07-04T10:00:00Z').status).toBe('passing');
  });

  it('weighs a later objection after the first was withdrawn', () => {
    const first = cmd('dev-example', 'object', undefined, '2024-07-01T11:00:00Z');
    const withdraw = cmd('dev-example', 'approve', undefined, '2024-07-01T11:05:00Z');
    const real = cmd('ana-example', 'object', 'this breaks the ABI', '2024-07-02T10:00:00Z');
    const e = evaluate(breaking([first, withdraw, real]), policy, '2024-07-05T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(at(e, 'escalation')?.description).toContain('raised by ana-example');
  });

  it('keeps every standing objection: one objector withdrawing does not lift the objection of another', () => {
    // Lazy consensus without escalation: an objection blocks until its objector withdraws it.
    const plain = examplePolicy(['      escalation:\n        after: 7d\n        chain: [module-owners, { body: core-maintainers }, { lead: core-maintainers }]\n', '']);
    const a = cmd('dev-example', 'object', undefined, '2024-07-01T11:00:00Z');
    const b = cmd('ana-example', 'object', undefined, '2024-07-01T12:00:00Z');
    const withdraw = cmd('dev-example', 'approve', undefined, '2024-07-01T13:00:00Z');
    const e = evaluate(breaking([a, b, withdraw]), plain, '2024-07-05T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(at(e, 'lazy-consensus')?.couldSatisfy).toEqual(['ana-example']);
    const both = evaluate(breaking([a, b, withdraw, cmd('ana-example', 'approve', undefined, '2024-07-06T00:00:00Z')]), plain, '2024-07-07T00:00:00Z');
    expect(both.status).toBe('passing');
  });

  it('does not let the author decide the dispute about their own change', () => {
    // cho, a core maintainer (so a decider at the first step), is the author here.
    const s = snapshot({ author: 'cho-example', labels: ['governance/breaking-change'], files: ['core/src/api.ts'], reviews: [approve('ana-example'), approve('eli-example')], commands: [cmd('dev-example', 'object', undefined, '2024-07-02T10:00:00Z'), cmd('cho-example', 'approve', undefined, '2024-07-03T00:00:00Z')] });
    const e = evaluate(s, policy, '2024-07-05T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(e.refusals).toMatchObject([{ user: 'cho-example', reason: 'party-to-dispute' }]);
    expect(at(e, 'escalation')?.couldSatisfy.sort()).toEqual(['ana-example', 'eli-example']);
  });

  it('does not let an objector decide their own dispute', () => {
    // dev is a core maintainer, so a decider at every step but the last: as the objector, at none.
    const objection = cmd('dev-example', 'object', undefined, '2024-07-02T10:00:00Z');
    for (const [again, asOf] of [
      [cmd('dev-example', 'object', 'and I decide against', '2024-07-03T00:00:00Z'), '2024-07-05T00:00:00Z'],
      [cmd('dev-example', 'object', 'against, as core maintainer', '2024-07-10T00:00:00Z'), '2024-07-11T00:00:00Z'],
    ] as const) {
      const e = evaluate(breaking([objection, again]), policy, asOf);
      expect(e.status).toBe('pending');
      expect(at(e, 'escalation')?.couldSatisfy).not.toContain('dev-example');
    }
  });

  it('still passes only once the window closes when a decider overrules the objection early', () => {
    const objection = cmd('dev-example', 'object', undefined, '2024-07-01T11:00:00Z');
    const overrule = cmd('ana-example', 'approve', undefined, '2024-07-01T12:00:00Z');
    // The approvals are in from 2024-07-02T10:00Z; only the window keeps it pending.
    expect(evaluate(breaking([objection, overrule]), policy, '2024-07-03T00:00:00Z').status).toBe('pending');
    expect(evaluate(breaking([objection, overrule]), policy, '2024-07-04T10:00:00Z').status).toBe('passing');
  });
});
