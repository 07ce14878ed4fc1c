import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { RegistryError } from './error.js';
import { packageIntegrity } from './integrity.js';
import { readJson } from './schema.js';
import type { Bundle } from './verify.js';

/**
 * Refuses a bundle whose package in `dir` (the working tree) is no longer the package it certifies: npm's
 * integrity of `npm pack` there must be the certificate's, so what gets published is what was tested. The
 * message says what changed where it can tell (package.json against the bundle's manifest.json).
 * Throws `E_REG_VERIFY`.
 */
export function refuseChangedPackage(dir: string, bundle: Bundle): void {
  const plugin = bundle.certificate.statement.plugin;
  const now = packageIntegrity(dir);
  if (now === plugin.integrity) return;
  const pkg = readJson(join(dir, 'package.json'));
  const certified = JSON.parse(bundle.files['manifest.json'].toString('utf8')) as Record<string, unknown>;
  const current = pkg.ok ? (pkg.data as Record<string, unknown>) : {};
  const changed = ['name', 'version', 'hearth'].filter((k) => !isDeepStrictEqual(current[k], certified[k]));
  const what = changed.length > 0
    ? `package.json changed after certifying (${changed.map((k) => (k === 'hearth' ? 'its "hearth" field' : `${k} ${JSON.stringify(current[k])}, certified ${JSON.stringify(certified[k])}`)).join('; ')})`
    : 'a file npm packs (package.json, built code, README, ...) changed after certifying';
  throw new RegistryError('E_REG_VERIFY', `${dir} is no longer the package ${plugin.name}@${plugin.version} that was certified: ${what}; its integrity is ${now.slice(0, 22)}…, the certificate's ${plugin.integrity.slice(0, 22)}…. Certify the package as it is now (hearth conformance --certify, then a new bundle), or restore it.`, { path: join(dir, 'package.json') });
}
