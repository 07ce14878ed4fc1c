import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { OLD, approve, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();
const req = (e: ReturnType<typeof evaluate>, id: string) => e.requirements.find((r) => r.id === id);
const AS_OF = '2024-07-03T00:00:00Z';

describe('approvals', () => {
  it('passes a routine docs change approved by a docs owner on the head commit', () => {
    const e = evaluate(snapshot({ reviews: [approve('fay-example')] }), policy, AS_OF);
    expect(e.status).toBe('passing');
    expect(req(e, 'module:docs')?.satisfiedBy).toEqual(['fay-example']);
  });

  it('refuses an author approving their own change', () => {
    const e = evaluate(snapshot({ author: 'fay-example', reviews: [approve('fay-example')] }), policy, AS_OF);
    expect(e.status).toBe('pending');
    expect(e.refusals).toMatchObject([{ user: 'fay-example', reason: 'self-approval' }]);
    // Who could still approve: the other docs owners, never the author.
    expect(req(e, 'module:docs')?.couldSatisfy.sort()).toEqual(['cho-example', 'eli-example']);
  });

  it('refuses an approval made before a new push (stale)', () => {
    const e = evaluate(snapshot({ reviews: [approve('fay-example', '2024-07-02T10:00:00Z', OLD)] }), policy, AS_OF);
    expect(e.status).toBe('pending');
    expect(e.refusals).toMatchObject([{ user: 'fay-example', reason: 'stale' }]);
  });

  it('refuses two approvals from one company group where the rule needs two groups', () => {
    const labels = ['governance/breaking-change'];
    const e = evaluate(snapshot({ author: 'dev-example', labels, reviews: [approve('fay-example'), approve('cho-example')] }), policy, '2024-07-10T00:00:00Z');
    const groups = req(e, 'approvals:distinct-groups');
    expect(groups?.status).toBe('open');
    expect(groups?.couldSatisfy).toEqual(['eli-example']);
    expect(e.status).toBe('pending');
    const fixed = evaluate(snapshot({ author: 'dev-example', labels, reviews: [approve('fay-example'), approve('eli-example', '2024-07-02T11:00:00Z')] }), policy, '2024-07-10T00:00:00Z');
    expect(fixed.status).toBe('passing');
  });

  it("does not let a vendor alone approve its plugin's change to shared code", () => {
    const files = ['plugins/silicon/kernels.ts', 'core/src/dispatch.ts'];
    const byVendor = evaluate(snapshot({ author: 'ben-example', files, reviews: [approve('ana-example')] }), policy, AS_OF);
    expect(req(byVendor, 'module:plugin-silicon')?.status).toBe('met');
    expect(req(byVendor, 'module:core')?.status).toBe('met');
    expect(req(byVendor, 'shared:vendor-neutral')?.status).toBe('open');
    expect(byVendor.status).toBe('pending');
    const withNeutral = evaluate(snapshot({ author: 'ben-example', files, reviews: [approve('ana-example'), approve('dev-example')] }), policy, AS_OF);
    expect(withNeutral.status).toBe('passing');
  });

  it('lets a vendor approve a change confined to its own plugin folder', () => {
    const e = evaluate(snapshot({ author: 'ben-example', files: ['plugins/silicon/a.ts'], reviews: [approve('ana-example')] }), policy, AS_OF);
    expect(e.status).toBe('passing');
  });

  it('does not count an approval from someone who owns none of the touched modules', () => {
    const e = evaluate(snapshot({ files: ['core/x.ts'], reviews: [approve('fay-example')] }), policy, AS_OF);
    expect(e.refusals).toMatchObject([{ user: 'fay-example', reason: 'not-owner' }]);
    expect(e.status).toBe('pending');
  });

  it('lets a later request for changes withdraw an approval, and ignores reviews after asOf', () => {
    const changes = { user: 'fay-example', state: 'CHANGES_REQUESTED' as const, commitId: 'headheadheadheadheadheadheadheadheadhead', submittedAt: '2024-07-02T12:00:00Z' };
    const s = snapshot({ reviews: [approve('fay-example'), changes] });
    expect(evaluate(s, policy, '2024-07-02T11:00:00Z').status).toBe('passing');
    const later = evaluate(s, policy, AS_OF);
    expect(later.status).toBe('pending');
    expect(req(later, 'approvals:no-changes-requested')?.couldSatisfy).toEqual(['fay-example']);
  });

  it('points each requirement at its policy line', () => {
    const e = evaluate(snapshot(), policy, AS_OF);
    const docs = req(e, 'module:docs');
    expect(docs?.ref.file).toBe('governance.yaml');
    expect(docs?.ref.line).toBe(policy.lines['/modules/4']);
    expect(docs?.ref.line).toBeGreaterThan(1);
  });
});

describe('approvals judged as of when they were given', () => {
  // eli's core-maintainer seat ends 2024-07-05: an approval given on 07-02 still counts when replayed later.
  const seatEnds = examplePolicy(['      - { person: eli-example, since: 2023-01-01 }\n    caps:\n      - share: 0.5', '      - { person: eli-example, since: 2023-01-01, until: 2024-07-05 }\n    caps:\n      - share: 0.5']);
  const core = snapshot({ author: 'cho-example', files: ['core/src/x.ts'], reviews: [approve('eli-example'), approve('dev-example')] });

  it('counts an owner-body approval given while seated, however late the decision is replayed', () => {
    expect(evaluate(core, seatEnds, '2024-07-03T00:00:00Z').status).toBe('passing');
    expect(evaluate(core, seatEnds, '2025-01-01T00:00:00Z').status).toBe('passing');
  });

  it('does not count an approval given after the seat ended', () => {
    const late = snapshot({ author: 'cho-example', files: ['core/src/x.ts'], reviews: [approve('eli-example', '2024-07-06T00:00:00Z'), approve('dev-example')] });
    const e = evaluate(late, seatEnds, '2024-07-10T00:00:00Z');
    expect(e.refusals).toMatchObject([{ user: 'eli-example', reason: 'not-owner' }]);
    expect(e.status).toBe('pending');
  });

  it("counts an approval with the approver's company group when they gave it, after that affiliation ended", () => {
    // eli is independent until 2024-07-05 and joins Example Devices (dev's group) the next day.
    const moved = examplePolicy(['      - { org: independent, from: 2023-01-01 }', '      - { org: independent, from: 2023-01-01, to: 2024-07-05 }\n      - { org: example-devices, from: 2024-07-06 }']);
    const s = snapshot({ author: 'fay-example', labels: ['governance/breaking-change'], files: ['core/src/api.ts'], reviews: [approve('dev-example'), approve('eli-example')] });
    const e = evaluate(s, moved, '2024-07-10T00:00:00Z');
    expect(e.requirements.find((r) => r.id === 'approvals:distinct-groups')?.status).toBe('met');
    const after = snapshot({ ...s, reviews: [approve('dev-example'), approve('eli-example', '2024-07-06T01:00:00Z')] });
    expect(evaluate(after, moved, '2024-07-10T00:00:00Z').requirements.find((r) => r.id === 'approvals:distinct-groups')?.status).toBe('open');
  });

  it('counts two subsidiaries of one company as one group', () => {
    // ana (Example Silicon Corp) and ben (Example Silicon Labs) share the group example-silicon.
    const s = snapshot({ author: 'dev-example', labels: ['governance/breaking-change'], files: ['plugins/silicon/a.ts'], reviews: [approve('ana-example'), approve('ben-example')] });
    const groups = evaluate(s, policy, '2024-07-10T00:00:00Z').requirements.find((r) => r.id === 'approvals:distinct-groups');
    expect(groups?.status).toBe('open');
    expect(groups?.description).toContain('now 1: example-silicon');
  });
});

describe('paths no module owns, and case variants', () => {
  it('requires an approval from the named fallback body for a path no module owns', () => {
    const board = examplePolicy(['unownedPaths: { ownerBody: technical-council }', 'unownedPaths: { ownerBody: board }']);
    const s = snapshot({ files: ['docs/guide.md', 'LICENSE'], reviews: [approve('fay-example')] });
    const e = evaluate(s, board, AS_OF);
    expect(e.status).toBe('pending');
    expect(req(e, 'module:unowned-paths')).toMatchObject({ status: 'open', ref: { pointer: '/unownedPaths' } });
    expect(req(e, 'module:unowned-paths')?.couldSatisfy).toContain('ana-example');
    const approved = evaluate(snapshot({ files: ['docs/guide.md', 'LICENSE'], reviews: [approve('fay-example'), approve('ana-example')] }), board, AS_OF);
    expect(approved.status).toBe('passing');
  });

  it('fails a change to a path no module owns when the model names no body for such paths', () => {
    const none = examplePolicy(['unownedPaths: { ownerBody: technical-council }\n', '']);
    const e = evaluate(snapshot({ files: ['docs/guide.md', 'LICENSE'], reviews: [approve('fay-example'), approve('ana-example')] }), none, AS_OF);
    expect(e.status).toBe('failing');
    expect(req(e, 'module:unowned-paths')?.description).toContain('LICENSE, which no module owns');
  });

  it('treats a case variant of a module path as that module', () => {
    const s = snapshot({ files: ['CORE/src/dispatch.ts', 'Docs/guide.md'], reviews: [approve('fay-example')] });
    const e = evaluate(s, policy, AS_OF);
    expect(req(e, 'module:core')?.status).toBe('open');
    expect(req(e, 'module:unowned-paths')).toBeUndefined();
    expect(e.status).toBe('pending');
  });
});
