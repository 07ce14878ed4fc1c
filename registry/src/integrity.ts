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

/** Whether a packed file is or holds a private key: a signer key file, or PEM/JSON private key material. */
function holdsPrivateKey(dir: string, path: string): boolean {
  if (/\.key\.json$|\.pem$|(^|\/)id_(rsa|ed25519)$/.test(path)) return true;
  if (!/\.(json|txt|key)$/.test(path)) return false;
  const text = readFileSync(join(dir, path), 'utf8');
  return text.includes('PRIVATE KEY-----') || /"privateKey"\s*:/.test(text);
}

/**
 * Refuses a package that would ship a private key (a signer key written into the package folder and not
 * ignored): publishing it would hand the signing key to everyone who installs the package.
 */
function refusePrivateKeys(dir: string, files: readonly string[]): void {
  const keys = files.filter((f) => holdsPrivateKey(dir, f));
  if (keys.length > 0) {
    throw new RegistryError('E_REG_PACK', `${dir}: the package would contain a private key (${keys.join(', ')}). Move it out of the package (hearth registry keygen writes to ~/.hearth/keys), add *.key.json to .gitignore and .npmignore, and revoke the key if it was ever published or committed.`, { path: join(dir, keys[0]!) });
  }
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
    const listing = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: target, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    refusePrivateKeys(target, (JSON.parse(listing) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? []);
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no tarball');
    return tarballIntegrity(join(out, tgz));
  } catch (cause) {
    if (cause instanceof RegistryError) throw cause;
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    throw new RegistryError('E_REG_PACK', `npm pack failed in ${target}: ${stderr || (cause as Error).message}`, { path: target, cause });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
