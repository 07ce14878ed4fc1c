import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { HEAD, approve, cmd, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();
// Removing Dev: 14-day vote of the core maintainers (Ana, Cho, Eli eligible), 75% of cast, quorum 67%.
const removal = { labels: ['governance/maintainer-removal'], subject: 'dev-example' };

describe('inputs belong to their authors', () => {
  it("refuses a vote from another account under a member's login (the login was renamed and claimed)", () => {
    const claimed = { ...cmd('cho-example', 'vote', 'yes', '2024-07-02T10:00:00Z'), userId: 777 };
    const s = snapshot({ ...removal, commands: [{ ...cmd('ana-example', 'vote', 'yes', '2024-07-02T09:00:00Z'), userId: 1001 }, claimed, { ...cmd('eli-example', 'vote', 'no', '2024-07-02T11:00:00Z'), userId: 1005 }] });
    const e = evaluate(s, policy, '2024-07-20T00:00:00Z');
    expect(e.refusals).toContainEqual(expect.objectContaining({ user: 'cho-example', reason: 'other-account', message: expect.stringContaining('account 1003') as unknown }));
    expect(e.tally).toMatchObject({ yes: 1, no: 1 });
    expect(e.status).toBe('failing');
  });

  it('refuses an input from another account than the one pinned for a login the model gives no id', () => {
    const s = snapshot({ reviews: [{ ...approve('fay-example'), userId: 1006 }], pinnedIds: { 'eli-example': 1005 }, commands: [] });
    const noIds = examplePolicy(['    githubId: 1006\n', '']);
    expect(evaluate(s, noIds, '2024-07-03T00:00:00Z').status).toBe('passing');
    const other = snapshot({ reviews: [{ ...approve('fay-example'), userId: 4242 }], pinnedIds: { 'fay-example': 1006 } });
    expect(evaluate(other, noIds, '2024-07-03T00:00:00Z').refusals).toContainEqual(expect.objectContaining({ user: 'fay-example', reason: 'other-account' }));
  });

  it('reports every dropped input as not counted, with its reason', () => {
    const s = snapshot({ ...removal, dropped: [{ user: 'cho-example', input: '/vоte yes', at: '2024-07-02T10:00:00Z', reason: 'the line has a Cyrillic letter where a Latin one looks the same; write /vote with plain letters in a new comment' }] });
    expect(evaluate(s, policy, '2024-07-03T00:00:00Z').refusals).toEqual([expect.objectContaining({ user: 'cho-example', input: '/vоte yes', reason: 'not-counted', message: expect.stringContaining('Cyrillic') as unknown })]);
  });
});

describe('an approval approves a diff', () => {
  it('is stale once the pull request is retargeted to another base, though the head is the same', () => {
    const s = snapshot({ files: ['docs/a.md'], reviews: [approve('fay-example', '2024-07-02T10:00:00Z', HEAD)], baseRef: 'main', baseChangedAt: '2024-07-02T12:00:00Z' });
    const e = evaluate(s, policy, '2024-07-03T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(e.refusals).toContainEqual(expect.objectContaining({ user: 'fay-example', reason: 'stale', message: expect.stringContaining('retargeted to main') as unknown }));
    expect(evaluate({ ...s, reviews: [approve('fay-example', '2024-07-02T13:00:00Z')] }, policy, '2024-07-03T00:00:00Z').status).toBe('passing');
  });
});
