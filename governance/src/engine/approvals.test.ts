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
