import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from './error.js';
import semver from 'semver';
import { signerFor, type TrustedSigner } from './trust.js';
import type { ProfileName } from './manifest.js';
import type { ModelRow } from '@hearth/conformance';
import { readJson, schemaProblems } from './schema.js';

/** What the index keeps of a run, for the web page: status counts, the op × dtype matrix, ULP histograms. */
export interface RunSummary {
  /** Cases per status. */
  readonly counts: Readonly<Record<string, number>>;
  /** op → dtype → the cell's worst status. */
  readonly matrix: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** op → cases per ULP bucket (the conformance report's `ULP_BUCKETS`). */
  readonly ulp: Readonly<Record<string, readonly number[]>>;
  /** A model profile's reference models: each one's status and its error against onnxruntime-node. */
  readonly models?: readonly ModelRow[];
  /** Set when the figures are the registry bot's own run, not the submitted results. */
  readonly measuredBy?: {
    /** Who ran it. */
    readonly by: 'registry-bot';
    /** The device it ran on, e.g. `cpu:0`. */
    readonly device: string;
    /** The seed of its fresh property draws. */
    readonly freshSeed?: number;
    /** When it ran (ISO 8601). */
    readonly at: string;
  };
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
  /** The signers whose certificates it accepts, each with the packages and device types it may certify. */
  readonly signers: readonly TrustedSigner[];
  /** One entry per plugin. */
  readonly entries: readonly IndexEntry[];
}

/**
 * Where a plugin's entry lives in the index: `plugins/<name>.json`, a scoped name's slash written as `+`
 * (`@acme/npu` → `plugins/@acme+npu.json`). npm names never contain `+`, so no two names share a file.
 */
export function entryPath(name: string): string {
  return join('plugins', `${name.replace('/', '+')}.json`);
}

/** How long a certificate lasts. */
export const CERTIFICATE_MONTHS = 12;

/** Whether `signedAt` is an instant in canonical ISO 8601 form (`toISOString()`'s), e.g. not a leap second. */
export function isInstant(signedAt: string): boolean {
  const t = Date.parse(signedAt);
  return Number.isFinite(t) && new Date(t).toISOString() === signedAt;
}

/** The expiry of a certificate signed at `signedAt`: 12 months later; undefined when `signedAt` is no instant. */
export function expiryOf(signedAt: string): string | undefined {
  if (!isInstant(signedAt)) return undefined;
  const d = new Date(signedAt);
  d.setUTCMonth(d.getUTCMonth() + CERTIFICATE_MONTHS);
  return d.toISOString();
}

/**
 * A certification's standing at `now`: `untrusted` once its signer is no longer trusted for that package
 * and device type (its key left signers.json, or its scope no longer covers them).
 */
export type CertificationStatus = 'certified' | 'expired' | 'revoked' | 'untrusted';

/** Whether a certification of a version of the plugin `name` stands at `now`, under the index's signers. */
export function certificationStatus(name: string, version: IndexVersion, cert: Certification, now: Date, signers: readonly TrustedSigner[]): CertificationStatus {
  if (version.revoked) return 'revoked';
  if (!signerFor(signers, cert.signer, name, cert.deviceType)) return 'untrusted';
  return Date.parse(cert.expires) <= now.getTime() ? 'expired' : 'certified';
}

/** The profiles certified for a version at `now` (unexpired, not revoked, signer still trusted). */
export function certifiedProfiles(name: string, version: IndexVersion, now: Date, signers: readonly TrustedSigner[]): ProfileName[] {
  return [...new Set(version.certifications.filter((c) => certificationStatus(name, version, c, now, signers) === 'certified').map((c) => c.profile))];
}

/** The plugins holding a standing certification of a device type at `now`. */
export function deviceTypeOwners(index: RegistryIndex, deviceType: string, now: Date): { name: string; vendor: string; version: string }[] {
  const owners: { name: string; vendor: string; version: string }[] = [];
  for (const e of index.entries) {
    for (const v of e.versions) {
      if (v.certifications.some((c) => c.deviceType === deviceType && certificationStatus(e.name, v, c, now, index.signers) === 'certified')) owners.push({ name: e.name, vendor: e.vendor, version: v.version });
    }
  }
  return owners;
}

/** The version a user installing the plugin would get: the highest by semver that is not revoked. */
export function installableVersion(entry: IndexEntry): IndexVersion | undefined {
  return [...entry.versions].filter((v) => !v.revoked).sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

/** The newest version by semver, revoked or not. */
export function newestVersion(entry: IndexEntry): IndexVersion {
  return [...entry.versions].sort((a, b) => semver.rcompare(a.version, b.version))[0]!;
}

/** The revoked version whose package content (integrity) is `integrity`, under any name or version label. */
export function revokedContent(index: RegistryIndex, integrity: string): { name: string; version: IndexVersion } | undefined {
  for (const e of index.entries) for (const v of e.versions) if (v.revoked && v.integrity === integrity) return { name: e.name, version: v };
  return undefined;
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
  const signers = existsSync(signersFile) ? load<{ signers: TrustedSigner[] }>(signersFile, 'signers').signers : [];
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
