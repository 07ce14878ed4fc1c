import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GovernanceError } from '../error.js';
import { exampleText } from '../testing/fixtures.js';
import { loadPolicyFile, parsePolicy } from './load.js';
import { governanceSchema } from './schema.js';

/** Parses the example with one edit and returns the error thrown; fails the test if none is thrown. */
function errorOf(from: string, to: string): GovernanceError {
  const text = exampleText();
  expect(text).toContain(from);
  try {
    parsePolicy(text.replace(from, to), 'governance.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(GovernanceError);
    return e as GovernanceError;
  }
  throw new Error('expected a GovernanceError');
}

/** The 1-based line of the first occurrence of `needle` in the edited example. */
function lineOfText(from: string, to: string, needle: string): number {
  const lines = exampleText().replace(from, to).split('\n');
  return lines.findIndex((l) => l.includes(needle)) + 1;
}

describe('loading a governance model', () => {
  it('loads the shipped example', async () => {
    const policy = await loadPolicyFile(fileURLToPath(new URL('../../examples/foundation.yaml', import.meta.url)));
    expect(policy.model.organisations.map((o) => o.name)).toContain('Example Silicon Corp');
    expect(policy.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives the same hash for the same model written with keys in another order', () => {
    const a = parsePolicy(exampleText(), 'a.yaml');
    const b = parsePolicy(exampleText().replace('    name: Example Cloud Inc\n    tier: gold', '    tier: gold\n    name: Example Cloud Inc'), 'b.yaml');
    expect(b.hash).toBe(a.hash);
  });

  it('reports malformed YAML with the file and line', () => {
    const e = errorOf('  - id: example-cloud\n', '  - id: example-cloud\n   name: [unclosed\n');
    expect(e.code).toBe('E_GOV_YAML');
    expect(e.message).toMatch(/^governance\.yaml:\d+: /);
    expect(e.issues[0]?.line).toBeGreaterThanOrEqual(lineOfText('  - id: example-cloud\n', '  - id: example-cloud\n   name: [unclosed\n', 'unclosed'));
  });

  it('refuses an unknown field, pointing at its line', () => {
    const e = errorOf('    tier: silver\n', '    tier: silver\n    colour: blue\n');
    expect(e.code).toBe('E_GOV_SCHEMA');
    const line = lineOfText('    tier: silver\n', '    tier: silver\n    colour: blue\n', 'colour: blue');
    expect(e.message).toBe(`governance.yaml:${line}: /organisations/3 has unknown field 'colour'; remove it or check its spelling`);
  });

  it('reports a value out of range as file:line: pointer must be ...', () => {
    const e = errorOf('      - share: 0.4\n', '      - share: 1.5\n');
    const line = lineOfText('      - share: 0.4\n', '      - share: 1.5\n', 'share: 1.5');
    expect(e.message).toBe(`governance.yaml:${line}: /bodies/1/caps/0/share must be <= 1`);
  });

  it('reports every problem of a file at once', () => {
    const text = exampleText().replace('    tier: silver\n', '    tier: bronze\n').replace('version: 1', 'version: 1\nextra: true');
    const e = (() => {
      try {
        parsePolicy(text, 'governance.yaml');
      } catch (err) {
        return err as GovernanceError;
      }
      throw new Error('expected an error');
    })();
    expect(e.issues.map((i) => i.message)).toEqual(expect.arrayContaining([expect.stringContaining("unknown field 'extra'"), expect.stringContaining('must be one of')]));
  });

  it('refuses dates out of order, with the line', () => {
    const from = '      - { org: example-silicon, from: 2023-01-01, to: 2024-05-31 }';
    const to = '      - { org: example-silicon, from: 2023-01-01, to: 2022-05-31 }';
    const e = errorOf(from, to);
    expect(e.code).toBe('E_GOV_DATES');
    expect(e.message).toContain(`governance.yaml:${lineOfText(from, to, 'to: 2022-05-31')}: /people/3/affiliations/0/to (2022-05-31) is before from (2023-01-01)`);
  });

  it('refuses a day that does not exist and a malformed one', () => {
    expect(errorOf('{ person: fay-example, since: 2024-06-01 }', '{ person: fay-example, since: 2024-02-30 }').code).toBe('E_GOV_DATES');
    const e = errorOf('{ person: fay-example, since: 2024-06-01 }', '{ person: fay-example, since: June }');
    expect(e.code).toBe('E_GOV_SCHEMA');
    expect(e.message).toContain('must be a day written YYYY-MM-DD');
  });

  it('refuses an affiliation gap', () => {
    const e = errorOf('{ org: example-devices, from: 2024-06-01 }', '{ org: example-devices, from: 2024-07-01 }');
    expect(e.code).toBe('E_GOV_AFFILIATION_GAP');
    expect(e.message).toContain("'dev-example' has no affiliation from 2024-06-01");
  });

  it('refuses a body over its company cap', () => {
    // Putting fay-example (Example Cloud, like cho-example) on the board breaks its cap of one seat per group.
    const e = errorOf('      - { person: eli-example, since: 2023-01-01 }\n    caps:\n      - seats: 1', '      - { person: eli-example, since: 2023-01-01 }\n      - { person: fay-example, since: 2024-06-01 }\n    caps:\n      - seats: 1');
    expect(e.code).toBe('E_GOV_CAP');
    expect(e.message).toContain("body 'board' over its cap on 2024-06-01: group 'example-cloud' holds 2 of 4 seats, and at most 1 are allowed");
  });

  it('refuses a module without an owner', () => {
    const e = errorOf('    paths: [docs/**, "*.md"]\n    owners: [eli-example, fay-example, cho-example]\n', '    paths: [docs/**, "*.md"]\n');
    expect(e.code).toBe('E_GOV_MODULE_OWNER');
    expect(e.message).toContain("(module 'docs') has no owner");
  });

  it('refuses a decision type without a rule', () => {
    const e = errorOf('  - id: routine-change\n    description: An ordinary pull request.\n    rule:\n      approvals: { coverage: true, min: 1, sharedDistinctGroups: 2 }\n', '  - id: routine-change\n    description: An ordinary pull request.\n');
    expect(e.code).toBe('E_GOV_DECISION_RULE');
    expect(e.message).toMatch(/^governance\.yaml:\d+: \/decisions\/0 \(decision type 'routine-change'\) has no rule/);
  });

  it('refuses a reference to someone not in the model', () => {
    const e = errorOf('owners: [ana-example, ben-example]', 'owners: [ana-example, zed-example]');
    expect(e.code).toBe('E_GOV_REFERENCE');
    expect(e.message).toContain("names 'zed-example', who is not in /people");
  });

  it('reports a missing file as an input error, not a crash', async () => {
    await expect(loadPolicyFile('/nonexistent/governance.yaml')).rejects.toMatchObject({ code: 'E_GOV_INPUT' });
  });

  it('publishes the schema it validates with', () => {
    const path = fileURLToPath(new URL('../../schema/governance.schema.json', import.meta.url));
    const text = `${JSON.stringify(governanceSchema, null, 2)}\n`;
    // Regenerate with UPDATE_SCHEMA=1 after changing schema.ts.
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('model checks a determined member cannot slip past', () => {
  it('refuses a body that goes over its cap on the day after a seat ends', () => {
    // Without eli, the council has 4 seats; a share of 0.4 then allows one per group, and Example Cloud holds two.
    const e = errorOf('      - { person: eli-example, since: 2023-01-01 }\n      - { person: fay-example, since: 2024-06-01 }', '      - { person: eli-example, since: 2023-01-01, until: 2024-12-31 }\n      - { person: fay-example, since: 2024-06-01 }');
    expect(e.code).toBe('E_GOV_CAP');
    expect(e.message).toContain("body 'technical-council' over its cap on 2025-01-01");
  });

  it('refuses a body that goes over its cap when a seat holder changes company', () => {
    // dev moves to Example Cloud, which then holds three of the council's five seats.
    const e = errorOf('      - { org: example-devices, from: 2024-06-01 }', '      - { org: example-devices, from: 2024-06-01, to: 2024-12-31 }\n      - { org: example-cloud, from: 2025-01-01 }');
    expect(e.code).toBe('E_GOV_CAP');
    expect(e.message).toContain("over its cap on 2025-01-01: group 'example-cloud' holds 3 of 5 seats");
  });

  it('refuses a seat holder whose affiliation ends while the seat lasts', () => {
    const e = errorOf('      - { org: example-silicon, from: 2023-01-01 }\n  - github: ben-example', '      - { org: example-silicon, from: 2023-01-01, to: 2024-12-31 }\n  - github: ben-example');
    expect(e.code).toBe('E_GOV_AFFILIATION_GAP');
    expect(e.message).toContain("seats 'ana-example' from 2023-01-01, but they have no affiliation on some of those days");
  });

  it('refuses a person seated twice on one body', () => {
    const e = errorOf('      - { person: eli-example, since: 2023-01-01 }\n    caps:\n      - seats: 1', '      - { person: eli-example, since: 2023-01-01 }\n      - { person: Ana-Example, since: 2024-01-01 }\n    caps:\n      - seats: 1');
    expect(e.issues.map((i) => i.code)).toContain('E_GOV_DUPLICATE');
    expect(e.message).toContain("seats 'Ana-Example' on body 'board' a second time while their seat from 2023-01-01 lasts");
  });

  it('refuses two decision types with one label', () => {
    const e = errorOf('    label: governance/charter-change', '    label: governance/new-maintainer');
    expect(e.code).toBe('E_GOV_DUPLICATE');
    expect(e.message).toContain("'governance/new-maintainer' already selects decision type 'new-maintainer'");
  });

  it('refuses a duration so long that it would overflow a date, and a zero one', () => {
    for (const window of ['99999999999w', '0h', '100000h']) {
      const e = errorOf('        window: 30d', `        window: ${window}`);
      expect(e.code).toBe('E_GOV_SCHEMA');
      expect(e.message).toContain('must be a duration such as 30m');
    }
  });

  it('refuses a YAML alias bomb with E_GOV_YAML, not a crash', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
    try {
      parsePolicy(bomb, 'bomb.yaml');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(GovernanceError);
      expect((e as GovernanceError).code).toBe('E_GOV_YAML');
    }
  });

  it('requires the owner body of paths no module matches to exist', () => {
    expect(errorOf('unownedPaths: { ownerBody: technical-council }', 'unownedPaths: { ownerBody: nobody }').code).toBe('E_GOV_REFERENCE');
  });
});
