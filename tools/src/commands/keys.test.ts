import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSignerKey, packageIntegrity } from '@hearth/registry';
import { gitignore } from '../scaffold/package.js';

const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;
const hearth = (cwd: string, env: Record<string, string>, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });

/** A plugin package folder, as a vendor's checkout has one. */
function pluginPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-keys-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/npu', version: '0.1.0', files: ['dist', '*.json'] }));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist/index.js'), 'export default {};\n');
  return dir;
}

describe('signer keys stay out of packages', () => {
  it('keygen writes under ~/.hearth/keys by default, and refuses a path inside a package', () => {
    const home = mkdtempSync(join(tmpdir(), 'hearth-home-'));
    const pkg = pluginPackage();
    const made = hearth(pkg, { HOME: home }, 'registry', 'keygen', '--name', 'ACME CI');
    expect(made.status).toBe(0);
    expect(existsSync(join(home, '.hearth/keys/acme-ci.key.json'))).toBe(true);
    expect(existsSync(join(pkg, 'hearth-signer.key.json'))).toBe(false);
    const inside = hearth(pkg, { HOME: home }, 'registry', 'keygen', '--name', 'ACME CI', '--out', 'acme.key.json');
    expect(inside.status).toBe(2);
    expect(inside.stderr).toContain('is inside the package');
  });

  it('refuses to pack (and so to certify) a package that contains a private key', () => {
    const pkg = pluginPackage();
    expect(packageIntegrity(pkg)).toMatch(/^sha512-/);
    writeFileSync(join(pkg, 'signer.key.json'), JSON.stringify(generateSignerKey('ACME CI')));
    expect(() => packageIntegrity(pkg)).toThrow(expect.objectContaining({ code: 'E_REG_PACK', message: expect.stringContaining('would contain a private key (signer.key.json)') }));
  });

  it("lists *.key.json in the scaffold's .gitignore", () => {
    expect(gitignore({ native: false } as never).split('\n')).toContain('*.key.json');
  });
});
