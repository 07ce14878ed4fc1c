import { getOp } from '@hearth/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { junitXml, runConformance, type RunResult } from '@hearth/conformance';
import { buildFixture, pluginModule } from './fixtures.js';

describe('the reference native plugin under the conformance suite', () => {
  it('certifies on the whole core profile through the loader: `hearth conformance --certify`', () => {
    const cli = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/dist/bin.js');
    const out = execFileSync(process.execPath, [cli, 'conformance', '--plugin', '@hearth/plugin-native', '--certify', '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const r = JSON.parse(out) as RunResult;
    // A skip is allowed only for an operator newer than the opset the plugin declares.
    const failing = r.results.filter((c) => c.status !== 'pass' && !(c.status === 'skip' && c.op !== undefined && (getOp(c.op).since ?? 1) > r.opsetVersion)).map((c) => `${c.id}: ${c.status}`);
    expect(failing).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.plugin.name).toBe('@hearth/plugin-native');
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
