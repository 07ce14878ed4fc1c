import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED, REPO } from './packed.js';

// What npm users see of each published package: its licence, where it comes from, what Node it needs, and
// one @hearth/core per project (every package that uses core takes it as a peer).
const manifests = Object.entries(PUBLISHED).map(([name, dir]) => ({
  name,
  dir: join(REPO, dir),
  pkg: JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) as Record<string, any>,
}));

describe('published package metadata', () => {
  it.each(manifests)('$name declares licence, repository, homepage, bugs and engines, and ships LICENSE and README', ({ dir, pkg }) => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository?.directory).toBeTruthy();
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\//);
    expect(pkg.engines?.node).toBeTruthy();
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
  });

  // Governance uses nothing of core at run time, so it has no core to share.
  it.each(manifests.filter((m) => m.name !== '@hearth/core' && m.name !== '@hearth/governance'))('$name takes @hearth/core as a peer, never as its own copy', ({ pkg }) => {
    expect(pkg.dependencies?.['@hearth/core']).toBeUndefined();
    expect(pkg.peerDependencies?.['@hearth/core']).toMatch(/^\^1\./);
  });
});
