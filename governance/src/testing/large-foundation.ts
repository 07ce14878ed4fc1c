// Test support, excluded from the build: a generated foundation of any size, valid by construction.

/**
 * A governance model of `people` people, each in one of 40 organisations (20 company groups: a parent
 * company and one subsidiary each), 50 modules of three owners each, a 20-seat maintainer body capped at a quarter,
 * a 10-seat council, and the decision types of a routine change and a maintainer vote.
 */
export function largeFoundationYaml(people: number): string {
  const login = (i: number): string => `person-${String(i).padStart(5, '0')}`;
  const lines = ['version: 1', 'foundation: Generated Foundation', 'defaultDecision: routine-change', 'organisations:'];
  for (let o = 0; o < 40; o++) lines.push(`  - { id: org-${o}, name: Organisation ${o}, ${o < 20 ? '' : `group: org-${o % 20}, `}tier: silver }`);
  lines.push('people:');
  for (let i = 0; i < people; i++) lines.push(`  - github: ${login(i)}`, `    name: Person ${i}`, '    affiliations:', `      - { org: org-${i % 40}, from: 2023-01-01 }`);
  lines.push('bodies:', '  - id: maintainers', '    name: Maintainers', '    seats:');
  for (let i = 0; i < 20; i++) lines.push(`      - { person: ${login(i)}, since: 2023-01-01${i === 0 ? ', role: lead' : ''} }`);
  lines.push('    caps:', '      - share: 0.25', '  - id: council', '    name: Council', '    seats:');
  for (let i = 0; i < 10; i++) lines.push(`      - { person: ${login(i)}, since: 2023-01-01 }`);
  lines.push('    caps:', '      - seats: 1', 'modules:');
  for (let m = 0; m < 50; m++) {
    const owners = [0, 1, 2].map((k) => login((m * 3 + k) % people));
    lines.push(`  - id: mod-${m}`, `    paths: [src/mod-${m}/**]`, `    owners: [${owners.join(', ')}]`, ...(m < 2 ? ['    shared: true'] : []));
  }
  lines.push('unownedPaths: { ownerBody: council }', 'decisions:');
  lines.push('  - id: routine-change', '    rule:', '      approvals: { min: 1 }');
  lines.push('  - id: maintainer-vote', '    label: governance/vote', '    rule:', '      vote: { body: maintainers, threshold: 0.5, denominator: eligible, window: 7d }');
  return `${lines.join('\n')}\n`;
}
