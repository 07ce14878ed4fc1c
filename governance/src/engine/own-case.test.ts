import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { approve, cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

describe('no one judges their own case', () => {
  it("refuses a recused veto holder's veto: the board lead voting on her own removal has no veto", () => {
    // A charter change about the board lead (Ana), who is recused as its subject.
    const policy = examplePolicy(['        window: 30d\n      veto: { leadOf: board }', '        window: 30d\n        recuse: [subject]\n      veto: { leadOf: board }']);
    const s = snapshot({
      labels: ['governance/charter-change'],
      subject: 'ana-example',
      commands: [cmd('cho-example', 'vote', 'yes', '2024-07-02T10:00:00Z'), cmd('eli-example', 'vote', 'yes', '2024-07-02T11:00:00Z'), cmd('ana-example', 'object', 'no', '2024-07-03T10:00:00Z')],
    });
    const e = evaluate(s, policy, '2024-08-15T00:00:00Z');
    expect(e.requirements.find((r) => r.id === 'veto:none')?.status).toBe('met');
    expect(e.refusals).toContainEqual(expect.objectContaining({ user: 'ana-example', input: '/object no', reason: 'recused' }));
    expect(e.status).toBe('passing');
  });

  it("refuses a recused person's approval too", () => {
    const policy = examplePolicy(['    rule:\n      approvals: { coverage: true, min: 1, sharedDistinctGroups: 2 }', '    rule:\n      approvals: { coverage: true, min: 1, sharedDistinctGroups: 2 }\n      vote: { body: board, threshold: 0.5, denominator: cast, window: 1d, recuse: [subject] }']);
    const e = evaluate(snapshot({ subject: 'fay-example', reviews: [approve('fay-example')] }), policy, '2024-07-03T00:00:00Z');
    expect(e.refusals).toContainEqual(expect.objectContaining({ user: 'fay-example', reason: 'recused' }));
    expect(e.requirements.find((r) => r.id === 'approvals:count')?.status).toBe('open');
  });

  // A breaking change to the core by Fay (Example Cloud); Dev objects, so the dispute goes to the core's owners.
  const dispute = (commands: ReturnType<typeof cmd>[]) =>
    snapshot({ author: 'fay-example', labels: ['governance/breaking-change'], files: ['core/src/api.ts'], reviews: [approve('cho-example'), approve('eli-example')], commands });
  const objection = cmd('dev-example', 'object', 'breaks the ABI', '2024-07-02T10:00:00Z');

  it("refuses to let a colleague of the author resolve the dispute about the author's change", () => {
    const e = evaluate(dispute([objection, cmd('cho-example', 'approve', undefined, '2024-07-02T12:00:00Z')]), examplePolicy(), '2024-07-05T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(e.refusals).toContainEqual(expect.objectContaining({ user: 'cho-example', reason: 'party-to-dispute', message: expect.stringContaining("company group 'example-cloud'") as unknown }));
    // Someone from another group resolves it.
    const resolved = evaluate(dispute([objection, cmd('eli-example', 'approve', undefined, '2024-07-02T12:00:00Z')]), examplePolicy(), '2024-07-05T00:00:00Z');
    expect(resolved.status).toBe('passing');
  });

  it('lets the model say that company groups are not recused from disputes', () => {
    const policy = examplePolicy(['      escalation:\n        after: 7d', '      escalation:\n        recuseGroups: false\n        after: 7d']);
    const e = evaluate(dispute([objection, cmd('cho-example', 'approve', undefined, '2024-07-02T12:00:00Z')]), policy, '2024-07-05T00:00:00Z');
    expect(e.status).toBe('passing');
  });
});
