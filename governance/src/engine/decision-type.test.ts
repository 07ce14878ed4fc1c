import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { freezeDecision } from './freeze.js';
import { approve, examplePolicy, snapshot } from '../testing/fixtures.js';

const policy = examplePolicy();

describe('the decision type is not the author\'s to choose', () => {
  it('decides an unlabelled change to the policy file as a charter change, which one approval does not pass', () => {
    const s = snapshot({ files: ['.github/governance.yaml'], reviews: [approve('fay-example')] });
    const e = evaluate(s, policy, '2024-07-03T00:00:00Z');
    expect(e.decision).toBe('charter-change');
    expect(e.status).toBe('pending');
    expect(e.explanations.map((x) => x.message)).toContainEqual(expect.stringContaining("module 'governance' requires decision type 'charter-change'"));
    // A lower label changes nothing: the most demanding applicable type wins.
    expect(evaluate({ ...s, labels: ['governance/breaking-change'] }, policy, '2024-07-03T00:00:00Z').decision).toBe('charter-change');
  });

  it('takes the labelled type when it is more demanding than what the modules require', () => {
    const raised = examplePolicy(['    requires: charter-change', '    requires: breaking-change']);
    expect(evaluate(snapshot({ files: ['governance/src/x.ts'] }), raised, '2024-07-03T00:00:00Z').decision).toBe('breaking-change');
    expect(evaluate(snapshot({ files: ['governance/src/x.ts'], labels: ['governance/charter-change'] }), raised, '2024-07-03T00:00:00Z').decision).toBe('charter-change');
  });

  it('lets a required type of the default rank win over the default type of an unlabelled change', () => {
    const unranked = examplePolicy(['    requires: charter-change', '    requires: new-maintainer']);
    expect(evaluate(snapshot({ files: ['governance/src/x.ts'], subject: 'fay-example' }), unranked, '2024-07-03T00:00:00Z').decision).toBe('new-maintainer');
  });

  it('refuses two applicable types of one rank rather than picking one', () => {
    const tie = examplePolicy(['    requires: charter-change', '    requires: new-maintainer']);
    expect(() => evaluate(snapshot({ files: ['governance/src/x.ts'], labels: ['governance/maintainer-removal'], subject: 'dev-example' }), tie, '2024-07-03T00:00:00Z')).toThrow(/same rank/);
  });

  it('does not let a frozen routine change stay routine once a stricter type applies: it must open anew', () => {
    const opened = snapshot({ files: ['docs/a.md'] });
    const frozen = freezeDecision(opened, policy);
    expect(frozen.decision).toBe('routine-change');
    // Force-pushed into a breaking change of the core, then labelled.
    const now = { ...opened, files: ['core/src/api.ts'], labels: ['governance/breaking-change'], reviews: [approve('cho-example'), approve('ana-example')], frozen };
    const e = evaluate(now, policy, '2024-07-10T00:00:00Z');
    expect(e.status).toBe('pending');
    expect(e.requirements.find((r) => r.id === 'decision:upgraded')?.description).toContain("'breaking-change'");
    // The force-push alone, into the policy file, upgrades it too: the module requires it.
    expect(evaluate({ ...opened, files: ['.github/governance.yaml'], reviews: [approve('fay-example')], frozen }, policy, '2024-07-10T00:00:00Z').requirements.map((r) => r.id)).toContain('decision:upgraded');
  });
});
