import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { matrix, modelRows, ulpHistogram, type RunResult } from '@hearth/conformance';
import { bundleDigest } from './bundle.js';
import { RegistryError } from './error.js';
import { entryPath, expiryOf, readIndex, type Certification, type IndexEntry, type IndexVersion, type RegistryIndex, type RunSummary } from './index-file.js';
import type { TrustedSigner } from './trust.js';
import { readBundle, refusalReasons, verifyBundle, type VerifyOptions, type VerifyReport } from './verify.js';
import { compareRerun } from './rerun.js';

function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * Creates an index folder trusting `signers`, each for its packages and device types (or adds them to an
 * existing one's signers.json; a signer already there keeps its recorded scope).
 */
export function initIndex(dir: string, signers: readonly TrustedSigner[]): RegistryIndex {
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  let existing: readonly TrustedSigner[] = [];
  try {
    existing = readIndex(dir).signers;
  } catch (e) {
    if ((e as RegistryError).code !== 'E_REG_INDEX') throw e;
  }
  const merged = [...existing, ...signers.filter((s) => !existing.some((x) => x.keyId === s.keyId)).map((s) => ({ name: s.name, keyId: s.keyId, publicKey: s.publicKey, packages: [...s.packages], deviceTypes: [...s.deviceTypes] }))];
  writeJson(join(dir, 'signers.json'), { signers: merged });
  return readIndex(dir);
}

/** The figures the web page shows of a run; `byBot` marks the registry bot's own rerun. */
export function summarize(run: RunResult, byBot = false): RunSummary {
  const m: Record<string, Record<string, string>> = {};
  for (const [op, row] of matrix(run.results)) m[op] = Object.fromEntries([...row].map(([dtype, cell]) => [dtype, cell.status]));
  const measuredBy = byBot ? { by: 'registry-bot' as const, device: run.device.name ?? run.device.type, ...(run.suite.freshSeed !== undefined ? { freshSeed: run.suite.freshSeed } : {}), at: run.startedAt } : undefined;
  const models = modelRows(run);
  return {
    counts: Object.fromEntries(Object.entries(run.counts).filter(([, n]) => n > 0)),
    matrix: m,
    ulp: Object.fromEntries(ulpHistogram(run.results)),
    ...(models.length ? { models } : {}),
    ...(measuredBy ? { measuredBy } : {}),
  };
}

/** The index as it would be with a verified bundle added (pure); `rerun`, the bot's own run, gives the figures. */
export function withBundle(index: RegistryIndex, report: VerifyReport, bundle: string, rerun?: RunResult): IndexEntry {
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
    expires: expiryOf(s.signedAt)!, // a verified statement's signedAt is an instant
    summary: rerun ? summarize(rerun, true) : summarize(report.results!),
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

/** Options of {@link addBundle}. */
export interface AddBundleOptions extends Omit<VerifyOptions, 'signers' | 'index'> {
  /**
   * The registry bot's own run of the plugin (see `BotEnvironment.rerun`): it must agree with the bundle
   * (`compareRerun`), and the index publishes its figures rather than the submitted ones.
   */
  readonly rerun?: RunResult;
}

/**
 * Verifies a bundle against the index (its signers, revocations, other bundles' profiles, device-type
 * owners) and records it in the plugin's entry, with the bot's figures when `rerun` is given. Throws
 * `E_REG_VERIFY` listing every failed check (the rerun's disagreement included), or `E_REG_INDEX` when the
 * same version is already certified with another package integrity.
 */
export function addBundle(indexDir: string, bundleDir: string, options: AddBundleOptions = {}): IndexEntry {
  const index = readIndex(indexDir);
  const { rerun, ...verify } = options;
  const report = verifyBundle(readBundle(bundleDir), { ...verify, signers: index.signers, index });
  const disagreement = rerun && compareRerun(report.results, rerun);
  const reasons = [...refusalReasons(report), ...(disagreement && !disagreement.ok ? [`rerun: ${disagreement.message}`] : [])];
  if (reasons.length) throw new RegistryError('E_REG_VERIFY', `${bundleDir} is refused:\n${reasons.map((r) => `  ${r}`).join('\n')}`, { path: bundleDir });
  const s = report.certificate.statement;
  const existing = index.entries.find((e) => e.name === s.plugin.name)?.versions.find((v) => v.version === s.plugin.version);
  if (existing && existing.integrity !== s.plugin.integrity) {
    throw new RegistryError('E_REG_INDEX', `${s.plugin.name}@${s.plugin.version} is already certified with integrity ${existing.integrity}; this bundle is of a different package (${s.plugin.integrity}). Publish a new version.`, { path: join(indexDir, entryPath(s.plugin.name)) });
  }
  const entry = withBundle(index, report, bundleDigest(bundleDir), rerun);
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
