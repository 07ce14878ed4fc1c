import { beforeAll, describe, expect, it } from 'vitest';
import { junitXml, runConformance } from '@hearth/conformance';
import { buildFixture, pluginModule } from './fixtures.js';

describe('the reference native plugin under the conformance suite', () => {
  it('passes the whole core profile through the loader, in the runner\'s child process', async () => {
    const r = await runConformance({ plugin: '@hearth/plugin-native', certify: true });
    const failing = r.results.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}`);
    expect(failing).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.counts.pass).toBeGreaterThan(1000);
  }, 300_000);
});

describe('a native kernel that crashes the process', () => {
  let module: string;
  beforeAll(() => {
    module = pluginModule('crashing-plugin', buildFixture('variant.c', 'variant-kernel-crash', ['KERNEL_CRASH']));
  }, 60_000);

  it('costs exactly the case it was on; the rest of the run completes and the report names the case', async () => {
    const r = await runConformance({ plugin: module, queries: ['hearth:op,neg:*', 'hearth:op,abs:*'] });
    const crashed = r.results.filter((c) => c.status === 'crash');
    expect(crashed.map((c) => c.id)).toEqual(['hearth:op,neg:dtype=int32;case=rank6']);
    expect(crashed[0]!.message).toContain('SIGSEGV');
    expect(r.results.filter((c) => c.status === 'pass')).toHaveLength(r.results.length - 1);
    expect(r.results.some((c) => c.id.startsWith('hearth:op,abs:'))).toBe(true);
    expect(junitXml(r)).toContain('hearth:op,neg:dtype=int32;case=rank6');
  }, 120_000);
});
