import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sha512Integrity } from './canonical.js';
import { RegistryError } from './error.js';

/** The integrity of a package tarball (`.tgz`), as npm records it: `sha512-<base64>`. */
export function tarballIntegrity(file: string): string {
  return sha512Integrity(readFileSync(file));
}

/**
 * The integrity npm computes for a package: of the tarball itself when given a `.tgz`, else of the tarball
 * `npm pack` makes from the package folder (the bytes `npm publish` would upload). Throws `E_REG_PACK`.
 */
export function packageIntegrity(path: string): string {
  const target = resolve(path);
  if (!statSync(target, { throwIfNoEntry: false })) throw new RegistryError('E_REG_PACK', `${target} does not exist; pass a package folder or its .tgz.`, { path: target });
  if (statSync(target).isFile()) return tarballIntegrity(target);
  const out = mkdtempSync(join(tmpdir(), 'hearth-pack-'));
  try {
    execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', out], { cwd: target, stdio: ['ignore', 'pipe', 'pipe'] });
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no tarball');
    return tarballIntegrity(join(out, tgz));
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    throw new RegistryError('E_REG_PACK', `npm pack failed in ${target}: ${stderr || (cause as Error).message}`, { path: target, cause });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
