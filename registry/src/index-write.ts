import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { matrix, ulpHistogram, type RunResult } from '@hearth/conformance';
import { bundleDigest } from './bundle.js';
import { RegistryError } from './error.js';
import { entryPath, expiryOf, readIndex, type Certification, type IndexEntry, type IndexVersion, type RegistryIndex, type RunSummary } from './index-file.js';
import type { Signer } from './keys.js';
import { readBundle, refusalReasons, verifyBundle, type VerifyOptions, type VerifyReport } from './verify.js';

function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Creates an index folder trusting `signers` (or adds them to an existing one's signers.json). */
export function initIndex(dir: string, signers: readonly Signer[]): RegistryIndex {
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  let existing: readonly Signer[] = [];
  try {
    existing = readIndex(dir).signers;
  } catch (e) {
    if ((e as RegistryError).code !== 'E_REG_INDEX') throw e;
  }
  const merged = [...existing, ...signers.filter((s) => !existing.some((x) => x.keyId === s.keyId)).map((s) => ({ name: s.name, keyId: s.keyId, publicKey: s.publicKey }))];
  writeJson(join(dir, 'signers.json'), { signers: merged });
  return readIndex(dir);
}

/** The figures the web page shows of a run. */
export function summarize(run: RunResult): RunSummary {
  const m: Record<string, Record<string, string>> = {};
  for (const [op, row] of matrix(run.results)) m[op] = Object.fromEntries([...row].map(([dtype, cell]) => [dtype, cell.status]));
  return { counts: Object.fromEntries(Object.entries(run.counts).filter(([, n]) => n > 0)), matrix: m, ulp: Object.fromEntries(ulpHistogram(run.results)) };
}

/** The index as it would be with a verified bundle added (pure). */
export function withBundle(index: RegistryIndex, report: VerifyReport, bundle: string): IndexEntry {
  const pkg = report.package!;
  const s = report.certificate.statement;
  const cert: Certification = {
    profile: s.profile,
    deviceType: s.deviceType,
    suiteVersion: s.suiteVersion,
    opset: s.opsetVersion,
    bundle,
    signer: s.signer.keyId,
    certifiedAt: s.signedAt,
    expires: expiryOf(s.signedAt),
    summary: summarize(report.results!),
  };
  const old = index.entries.find((e) => e.name === pkg.name);
  const versions = [...(old?.versions ?? [])];
  const i = versions.findIndex((v) => v.version === pkg.version);
  const prev = i >= 0 ? versions[i]! : undefined;
  const version: IndexVersion = {
    version: pkg.version,
    integrity: s.plugin.integrity,
    coreApi: pkg.hearth.coreApi,
    opset: pkg.hearth.opset,
    deviceTypes: [...pkg.hearth.deviceTypes],
    profiles: [...pkg.hearth.profiles],
    certifications: [...(prev?.certifications ?? []).filter((c) => !(c.profile === cert.profile && c.deviceType === cert.deviceType)), cert],
  };
  if (i >= 0) versions[i] = version;
  else versions.push(version);
  return { name: pkg.name, vendor: pkg.hearth.vendor, contact: pkg.hearth.contact, versions };
}

/**
 * Verifies a bundle against the index (its signers, revocations, other bundles' profiles, device-type
 * owners) and records it in the plugin's entry. Throws `E_REG_VERIFY` listing every failed check, or
 * `E_REG_INDEX` when the same version is already certified with another package integrity.
 */
export function addBundle(indexDir: string, bundleDir: string, options: Omit<VerifyOptions, 'signers' | 'index'> = {}): IndexEntry {
  const index = readIndex(indexDir);
  const report = verifyBundle(readBundle(bundleDir), { ...options, signers: index.signers, index });
  if (!report.ok) throw new RegistryError('E_REG_VERIFY', `${bundleDir} is refused:\n${refusalReasons(report).map((r) => `  ${r}`).join('\n')}`, { path: bundleDir });
  const s = report.certificate.statement;
  const existing = index.entries.find((e) => e.name === s.plugin.name)?.versions.find((v) => v.version === s.plugin.version);
  if (existing && existing.integrity !== s.plugin.integrity) {
    throw new RegistryError('E_REG_INDEX', `${s.plugin.name}@${s.plugin.version} is already certified with integrity ${existing.integrity}; this bundle is of a different package (${s.plugin.integrity}). Publish a new version.`, { path: join(indexDir, entryPath(s.plugin.name)) });
  }
  const entry = withBundle(index, report, bundleDigest(bundleDir));
  writeJson(join(indexDir, entryPath(entry.name)), entry);
  return entry;
}

/** Revokes a plugin version in the index; its certifications stop counting at once. Throws `E_REG_INDEX` if absent. */
export function revokeVersion(indexDir: string, name: string, version: string, reason: string, now: Date = new Date()): IndexEntry {
  const index = readIndex(indexDir);
  const entry = index.entries.find((e) => e.name === name);
  if (!entry?.versions.some((v) => v.version === version)) throw new RegistryError('E_REG_INDEX', `${name}@${version} is not in the index at ${indexDir}.`, { path: join(indexDir, entryPath(name)) });
  const updated: IndexEntry = { ...entry, versions: entry.versions.map((v) => (v.version === version ? { ...v, revoked: { at: now.toISOString(), reason } } : v)) };
  writeJson(join(indexDir, entryPath(name)), updated);
  return updated;
}
