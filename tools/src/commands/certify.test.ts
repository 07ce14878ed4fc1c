import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSignerKey } from '@hearth/registry';
import { prepareCertification } from './certify.js';

/** A plugin package folder whose manifest claims `profiles`, and a signer key, as a vendor has them. */
function vendorPackage(profiles: string[]): { dir: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-claims-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist/index.js'), 'export default {};\n');
  const hearth = { entry: './dist/index.js', deviceTypes: ['npu'], coreApi: '^1.0.0', opset: 1, profiles, vendor: 'ACME', contact: 'https://acme.example/support' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/npu', version: '0.1.0', type: 'module', hearth }));
  const key = join(dir, '..', `${dir.split('/').pop()}.key.json`);
  writeFileSync(key, JSON.stringify(generateSignerKey('ACME CI')));
  return { dir, key };
}

describe('certification follows what the manifest claims', () => {
  it('refuses, before the suite runs, to sign a profile the manifest does not claim', () => {
    const { dir, key } = vendorPackage(['core-partial']);
    expect(() => prepareCertification({ plugin: join(dir, 'dist/index.js'), profile: 'core', signKey: key })).toThrow(
      expect.objectContaining({ code: 'E_ARG', message: expect.stringContaining('claims core-partial') }),
    );
  });

  it('accepts the profile the manifest claims', () => {
    const { dir, key } = vendorPackage(['core-partial']);
    expect(typeof prepareCertification({ plugin: join(dir, 'dist/index.js'), profile: 'core-partial', signKey: key })).toBe('function');
  });
});
