import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { manifestDisagreements, parsePluginPackage, readPluginPackage } from './manifest.js';
import { fixtureHearth } from './testing/fixtures.js';

const good = { name: '@acme/hearth-npu', version: '2.1.0', hearth: fixtureHearth({ name: '@acme/hearth-npu', deviceTypes: ['npu'], vendor: 'Acme' }) };

describe('the hearth field of package.json', () => {
  it('accepts a complete manifest', () => {
    expect(parsePluginPackage(good, 'package.json').hearth.deviceTypes).toEqual(['npu']);
  });

  it('names the exact path of each problem', () => {
    const bad = { ...good, hearth: { ...good.hearth, deviceTypes: ['NPU'], profiles: ['core', 'float8'], opset: 'one', extra: true } };
    let message = '';
    try {
      parsePluginPackage(bad, '/p/package.json');
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_REG_MANIFEST');
      message = (e as Error).message;
    }
    expect(message).toContain('/p/package.json#/hearth/deviceTypes/0: must match pattern');
    expect(message).toContain('/p/package.json#/hearth/profiles/1: must be one of "core", "core-partial", "float16", "float64"');
    expect(message).toContain('/p/package.json#/hearth/opset: must be integer');
    expect(message).toContain('/p/package.json#/hearth/extra: unknown field');
  });

  it('names a missing field and a package without a manifest', () => {
    const { contact: _c, ...noContact } = good.hearth;
    expect(() => parsePluginPackage({ ...good, hearth: noContact }, 'package.json')).toThrow('package.json#/hearth/contact: required field missing');
    expect(() => parsePluginPackage({ name: 'x', version: '1.0.0' }, 'package.json')).toThrow('package.json#/hearth: required field missing');
  });

  it('says which file could not be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-manifest-'));
    expect(() => readPluginPackage(dir)).toThrow(`${join(dir, 'package.json')}: cannot be read (ENOENT)`);
  });

  it("matches Hearth's own CPU plugin against its runtime manifest, and finds each disagreement", () => {
    const pkg = readPluginPackage(join(import.meta.dirname, '../../plugins/cpu'));
    expect(manifestDisagreements(pkg, cpuPlugin.manifest)).toEqual([]);
    const other = { ...cpuPlugin.manifest, vendor: 'Someone', deviceTypes: ['cpu', 'gpu'] };
    expect(manifestDisagreements(pkg, other)).toEqual([
      'vendor: package.json says "Hearth", the plugin\'s runtime manifest says "Someone"',
      'deviceTypes: package.json says "cpu", the plugin\'s runtime manifest says "cpu,gpu"',
    ]);
  });
});
