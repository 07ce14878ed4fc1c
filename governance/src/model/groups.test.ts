import { describe, expect, it } from 'vitest';
import { exampleText } from '../testing/fixtures.js';
import { parsePolicy } from './load.js';
import { groupOfOrg } from './query.js';

/** The example with a third-level subsidiary (`group` naming a subsidiary), a person there, and edits. */
function withResearchArm(group: string, ...edits: [string, string][]): string {
  let text = exampleText()
    .replace('  - id: example-cloud\n', `  - id: example-silicon-research\n    name: Example Silicon Research (a subsidiary of Example Silicon Labs)\n    group: ${group}\n    tier: none\n  - id: example-cloud\n`)
    .replace('  - github: cho-example\n', '  - github: gus-example\n    name: Gus Example\n    affiliations:\n      - { org: example-silicon-research, from: 2023-01-01 }\n  - github: cho-example\n');
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

describe('company groups', () => {
  it('resolves a subsidiary of a subsidiary to the root group, so it counts against the root company cap', () => {
    // The board allows one seat per group: Ana (Example Silicon) holds it; Gus works for its research arm.
    const seatGus = ['      - { person: eli-example, since: 2023-01-01 }\n    caps:\n      - seats: 1', '      - { person: eli-example, since: 2023-01-01 }\n      - { person: gus-example, since: 2024-01-01 }\n    caps:\n      - seats: 1'] as [string, string];
    expect(() => parsePolicy(withResearchArm('example-silicon-labs', seatGus), 'governance.yaml')).toThrow(/over its cap on 2024-01-01: group 'example-silicon' holds 2/);
    const policy = parsePolicy(withResearchArm('example-silicon-labs'), 'governance.yaml');
    expect(groupOfOrg(policy.model, 'example-silicon-research')).toBe('example-silicon');
  });

  it("refuses a group that names no organisation (a typo would make a company group of its own)", () => {
    expect(() => parsePolicy(withResearchArm('example-silicon-lab'), 'governance.yaml')).toThrow(/\/organisations\/2\/group names group 'example-silicon-lab', which is no organisation's id/);
  });

  it('refuses groups that loop', () => {
    const loop = ['    name: Example Silicon Corp\n    group: example-silicon\n', '    name: Example Silicon Corp\n    group: example-silicon-research\n'] as [string, string];
    expect(() => parsePolicy(withResearchArm('example-silicon-labs', loop), 'governance.yaml')).toThrow(/makes a loop of groups \(example-silicon → example-silicon-research → example-silicon-labs → example-silicon\)/);
  });
});
