import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from './error.js';
import type { Signer } from './keys.js';
import type { ProfileName } from './manifest.js';
import { readJson, schemaProblems } from './schema.js';

/** What the index keeps of a run, for the web page: status counts, the op × dtype matrix, ULP histograms. */
export interface RunSummary {
  /** Cases per status. */
  readonly counts: Readonly<Record<string, number>>;
  /** op → dtype → the cell's worst status. */
  readonly matrix: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** op → cases per ULP bucket (the conformance report's `ULP_BUCKETS`). */
  readonly ulp: Readonly<Record<string, readonly number[]>>;
}

/** One certified run of a plugin version. */
export interface Certification {
  /** The profile. */
  readonly profile: ProfileName;
  /** The device type. */
  readonly deviceType: string;
  /** The suite version. */
  readonly suiteVersion: string;
  /** The opset the certificate covers (the plugin's declared one); absent in entries from before opset 2, which were all opset 1. */
  readonly opset?: number;
  /** The bundle's digest (integrity of its certificate.json). */
  readonly bundle: string;
  /** The signer's key id. */
  readonly signer: string;
  /** When it was signed (ISO 8601). */
  readonly certifiedAt: string;
  /** When it expires: 12 months after signing. */
  readonly expires: string;
  /** The run in figures. */
  readonly summary: RunSummary;
}

/** One version of a plugin in the index. */
export interface IndexVersion {
  /** The package version. */
  readonly version: string;
  /** npm's integrity of its tarball. */
  readonly integrity: string;
  /** Its core API range. */
  readonly coreApi: string;
  /** Its opset version. */
  readonly opset: number;
  /** The device types its manifest claims. */
  readonly deviceTypes: readonly string[];
  /** The profiles its manifest claims. */
  readonly profiles: readonly ProfileName[];
  /** Set when the foundation revoked it. */
  readonly revoked?: { readonly at: string; readonly reason: string };
  /** Its certified runs. */
  readonly certifications: readonly Certification[];
}

/** A plugin's file in the index (schema/index-entry.schema.json). */
export interface IndexEntry {
  /** Package name. */
  readonly name: string;
  /** Vendor. */
  readonly vendor: string;
  /** Contact. */
  readonly contact: string;
  /** Versions, oldest first. */
  readonly versions: readonly IndexVersion[];
}

/** A registry index: a folder with signers.json and plugins/<name>.json, kept in git. */
export interface RegistryIndex {
  /** The folder. */
  readonly dir: string;
  /** The signers whose certificates it accepts. */
  readonly signers: readonly Signer[];
  /** One entry per plugin. */
  readonly entries: readonly IndexEntry[];
}

/** Where a plugin's entry lives in the index: `plugins/<scope>__<name>.json`. */
export function entryPath(name: string): string {
  return join('plugins', `${name.replace(/^@/, '').replace(/\//g, '__')}.json`);
}

/** How long a certificate lasts. */
export const CERTIFICATE_MONTHS = 12;

/** The expiry of a certificate signed at `signedAt`: 12 months later. */
export function expiryOf(signedAt: string): string {
  const d = new Date(signedAt);
  d.setUTCMonth(d.getUTCMonth() + CERTIFICATE_MONTHS);
  return d.toISOString();
}

/** A certification's standing at `now`. */
export type CertificationStatus = 'certified' | 'expired' | 'revoked';

/** Whether a certification of a version stands at `now`. */
export function certificationStatus(version: IndexVersion, cert: Certification, now: Date): CertificationStatus {
  if (version.revoked) return 'revoked';
  return Date.parse(cert.expires) <= now.getTime() ? 'expired' : 'certified';
}

/** The profiles certified for a version at `now` (unexpired, not revoked). */
export function certifiedProfiles(version: IndexVersion, now: Date): ProfileName[] {
  return [...new Set(version.certifications.filter((c) => certificationStatus(version, c, now) === 'certified').map((c) => c.profile))];
}

/** The plugins holding a standing certification of a device type at `now`. */
export function deviceTypeOwners(index: RegistryIndex, deviceType: string, now: Date): { name: string; vendor: string; version: string }[] {
  const owners: { name: string; vendor: string; version: string }[] = [];
  for (const e of index.entries) {
    for (const v of e.versions) {
      if (v.certifications.some((c) => c.deviceType === deviceType && certificationStatus(v, c, now) === 'certified')) owners.push({ name: e.name, vendor: e.vendor, version: v.version });
    }
  }
  return owners;
}

function load<T>(file: string, schema: string): T {
  const read = readJson(file);
  if (!read.ok) throw new RegistryError('E_REG_INDEX', `${read.reason}.`, { path: file });
  const problems = schemaProblems(schema, read.data);
  if (problems.length > 0) throw new RegistryError('E_REG_INDEX', `${file} is not a valid registry ${schema} file:\n${problems.map((p) => `  ${file}#${p}`).join('\n')}`, { path: `${file}#${problems[0]!.split(':')[0]}` });
  return read.data as T;
}

/**
 * Reads and validates an index folder; throws `E_REG_INDEX` naming the file and JSON pointer of the
 * first bad file (every problem of that file listed). A folder without signers.json trusts nobody.
 */
export function readIndex(dir: string): RegistryIndex {
  if (!existsSync(dir)) throw new RegistryError('E_REG_INDEX', `${dir}: no such index folder; create one with \`hearth registry index init\`.`, { path: dir });
  const signersFile = join(dir, 'signers.json');
  const signers = existsSync(signersFile) ? load<{ signers: Signer[] }>(signersFile, 'signers').signers : [];
  const pluginsDir = join(dir, 'plugins');
  const files = existsSync(pluginsDir) ? readdirSync(pluginsDir).filter((f) => f.endsWith('.json')).sort() : [];
  const entries = files.map((f) => {
    const file = join(pluginsDir, f);
    const entry = load<IndexEntry>(file, 'index-entry');
    if (join(dir, entryPath(entry.name)) !== file) throw new RegistryError('E_REG_INDEX', `${file}#/name: "${entry.name}" belongs in ${entryPath(entry.name)}; rename the file.`, { path: `${file}#/name` });
    return entry;
  });
  return { dir, signers, entries };
}
