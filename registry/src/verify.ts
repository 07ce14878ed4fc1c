import { createPublicKey, verify } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getOp } from '@hearth/core';
import { getProfile, validateResults, type RunResult } from '@hearth/conformance';
import { BUNDLE_FILES, CERTIFICATE_FILE, type Certificate } from './bundle.js';
import { canonicalJson, sha512Integrity } from './canonical.js';
import { RegistryError } from './error.js';
import { certifiedProfiles, deviceTypeOwners, expiryOf, revokedContent, type RegistryIndex } from './index-file.js';
import { coversDeviceType, coversPackage, packageNameProblem, skeleton, type TrustedSigner } from './trust.js';
import { keyIdOf, type Signer } from './keys.js';
import { parsePluginPackage, type PluginPackage } from './manifest.js';
import { schemaProblems } from './schema.js';
import { currentCaseList, releasedCaseList, supportedSuiteVersions, SUITE_RELEASES } from './suites.js';
import { SUITE_VERSION } from '@hearth/conformance';

/** A bundle read from its folder: the certificate and the raw bytes of each file. */
export interface Bundle {
  /** The folder. */
  readonly dir: string;
  /** certificate.json, schema-checked. */
  readonly certificate: Certificate;
  /** The bytes of each bundle file. */
  readonly files: Readonly<Record<(typeof BUNDLE_FILES)[number], Buffer>>;
}

/** The largest size each bundle file may have: a core run's results.json is a few MB. */
export const BUNDLE_FILE_LIMITS: Readonly<Record<string, number>> = { [CERTIFICATE_FILE]: 1 << 20, 'results.json': 64 << 20, 'junit.xml': 64 << 20, 'manifest.json': 1 << 20 };

/**
 * Reads one file of a bundle, refusing anything but a regular file of bounded size directly in the folder:
 * a FIFO would block the reader forever, a symlink could point out of the bundle, a huge file exhaust memory.
 */
function readBundleFile(dir: string, name: string): Buffer {
  const path = join(dir, name);
  const st = lstatSync(path);
  if (!st.isFile()) throw new RegistryError('E_REG_BUNDLE', `${path}: not a regular file (${st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a FIFO' : 'a special file'}); a bundle holds plain files only.`, { path });
  const limit = BUNDLE_FILE_LIMITS[name]!;
  if (st.size > limit) throw new RegistryError('E_REG_BUNDLE', `${path}: ${st.size} bytes, over the ${limit}-byte limit for ${name}.`, { path });
  return readFileSync(path);
}

/**
 * Reads a bundle folder; throws `E_REG_BUNDLE` naming the path when a file is missing or certificate.json
 * is not valid JSON of the certificate schema (every problem with its JSON pointer).
 */
export function readBundle(dir: string): Bundle {
  const missing = [CERTIFICATE_FILE, ...BUNDLE_FILES].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new RegistryError('E_REG_BUNDLE', `${dir} is not a certification bundle: missing ${missing.join(', ')}. Make one with \`hearth conformance --certify --sign-key <key>\`.`, { path: join(dir, missing[0]!) });
  const file = join(dir, CERTIFICATE_FILE);
  let data: unknown;
  try {
    data = JSON.parse(readBundleFile(dir, CERTIFICATE_FILE).toString('utf8'));
  } catch (e) {
    throw new RegistryError('E_REG_BUNDLE', `${file}: not valid JSON (${(e as Error).message}).`, { path: file });
  }
  const problems = schemaProblems('certificate', data);
  if (problems.length > 0) throw new RegistryError('E_REG_BUNDLE', `${file} is not a valid certificate:\n${problems.map((p) => `  ${file}#${p}`).join('\n')}`, { path: `${file}#${problems[0]!.split(':')[0]}` });
  const files = Object.fromEntries(BUNDLE_FILES.map((f) => [f, readBundleFile(dir, f)])) as Bundle['files'];
  return { dir, certificate: data as Certificate, files };
}

/** The names of the checks {@link verifyBundle} makes, in order. */
export const CHECKS = ['signature', 'signer', 'signer-scope', 'hashes', 'manifest', 'results', 'suite-version', 'case-list', 'outcomes', 'device-type', 'profiles', 'expiry', 'revocation', 'integrity', 'device-ownership', 'identity'] as const;

/** One verification check. */
export interface VerifyCheck {
  /** Which check. */
  readonly check: (typeof CHECKS)[number];
  /** Whether it passed. */
  readonly ok: boolean;
  /** True when it could not be made (its input was not given); it does not fail the bundle. */
  readonly skipped?: boolean;
  /** What was found, precisely. */
  readonly message: string;
  /** The bundle file it is about. */
  readonly file: string;
}

/** The result of {@link verifyBundle}. */
export interface VerifyReport {
  /** True when every check passed. */
  readonly ok: boolean;
  /** Every check, in order. */
  readonly checks: readonly VerifyCheck[];
  /** The certificate's statement. */
  readonly certificate: Certificate;
  /** The bundle's manifest, when it parsed. */
  readonly package: PluginPackage | undefined;
  /** The results, when they parsed. */
  readonly results: RunResult | undefined;
}

/** Which suite versions are accepted and what each runs. */
export interface SuitePolicy {
  /** The current suite version (default: this @hearth/conformance's). */
  readonly current: string;
  /** Released versions, oldest first. */
  readonly releases: readonly string[];
  /** The exact case IDs of a version's certification run of a profile, or undefined when unknown. */
  readonly caseList: (version: string, profile: string) => readonly string[] | undefined;
}

/** Options of {@link verifyBundle}. */
export interface VerifyOptions {
  /** The signers whose certificates are accepted, each with what it may certify (an index's signers.json). */
  readonly signers: readonly TrustedSigner[];
  /** The time to judge expiry at (default now). */
  readonly now?: Date;
  /** npm's integrity of the package as published or installed (see `packageIntegrity`); unchecked if absent. */
  readonly integrity?: string;
  /** The index the bundle would join: revocations, profiles certified by other bundles, device-type owners. */
  readonly index?: RegistryIndex;
  /** The suite versions accepted (default: the current one and the two before it, each checked against its own frozen case list). */
  readonly suite?: SuitePolicy;
}

const DEFAULT_SUITE: SuitePolicy = {
  current: SUITE_VERSION,
  releases: SUITE_RELEASES,
  caseList: (version, profile) => (version === SUITE_VERSION ? currentCaseList(profile) : releasedCaseList(version, profile)),
};

function listed(ids: readonly string[], max = 5): string {
  return `${ids.slice(0, max).join(', ')}${ids.length > max ? ` and ${ids.length - max} more` : ''}`;
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a certification bundle and says precisely why it is refused: the Ed25519 signature and that
 * its signer is trusted, every file hash, the manifest, the results (schema, and that they are the
 * statement's plugin, suite, profile and device), the suite version window, that the case list is
 * exactly the suite version's with every case passed (no skip, failure or missing case), that the device
 * type and every profile the manifest claims are certified, expiry (12 months) and revocation, the
 * package integrity, and that no other vendor's certified plugin owns the device type.
 */
export function verifyBundle(bundle: Bundle, options: VerifyOptions): VerifyReport {
  const now = options.now ?? new Date();
  const suite = options.suite ?? DEFAULT_SUITE;
  const { statement, signature } = bundle.certificate;
  const checks: VerifyCheck[] = [];
  const add = (check: VerifyCheck['check'], ok: boolean, message: string, file: string = CERTIFICATE_FILE, skipped = false): void => {
    checks.push({ check, ok, message, file, ...(skipped ? { skipped } : {}) });
  };

  // Signature and signer.
  let sigOk = false;
  try {
    const key = createPublicKey({ key: Buffer.from(statement.signer.publicKey, 'base64'), format: 'der', type: 'spki' });
    sigOk = key.asymmetricKeyType === 'ed25519' && verify(null, Buffer.from(canonicalJson(statement)), key, Buffer.from(signature, 'base64'));
  } catch {
    sigOk = false;
  }
  const idOk = keyIdOf(statement.signer.publicKey) === statement.signer.keyId;
  add('signature', sigOk && idOk, sigOk ? (idOk ? `signed by ${statement.signer.keyId}` : `the key id ${statement.signer.keyId} is not the id of the public key beside it (${keyIdOf(statement.signer.publicKey)})`) : 'the Ed25519 signature does not match the statement: the certificate was changed after signing, or signed by another key');
  const trusted = options.signers.find((s) => s.keyId === statement.signer.keyId && s.publicKey === statement.signer.publicKey);
  add('signer', trusted !== undefined, trusted ? `${trusted.name} (${trusted.keyId}) is a trusted signer` : `signer "${statement.signer.name}" (${statement.signer.keyId}) is not among the ${options.signers.length} trusted signers`);
  const name = statement.plugin.name;
  const scopeOk = trusted !== undefined && coversPackage(trusted.packages, name) && coversDeviceType(trusted.deviceTypes, statement.deviceType);
  add(
    'signer-scope',
    scopeOk || !trusted, // an untrusted signer is the signer check's refusal, not a second one
    !trusted
      ? 'not checked: the signer is not trusted'
      : scopeOk
        ? `${trusted.name} may certify ${name} on ${statement.deviceType}`
        : `${trusted.name} is trusted for packages ${trusted.packages.join(', ')} and device types ${trusted.deviceTypes.join(', ')}, not for ${name} on ${statement.deviceType}; the package's own vendor's signer (or one the foundation scopes to it) must certify it`,
    CERTIFICATE_FILE,
    !trusted,
  );

  // File hashes.
  const badHashes = BUNDLE_FILES.filter((f) => sha512Integrity(bundle.files[f]) !== statement.files[f]);
  add('hashes', badHashes.length === 0, badHashes.length === 0 ? 'every file matches its hash' : `${badHashes.join(', ')} changed after signing (sha512 differs from the certificate's)`, badHashes[0] ?? CERTIFICATE_FILE);

  // The manifest.
  let pkg: PluginPackage | undefined;
  try {
    pkg = parsePluginPackage(parseJson(bundle.files['manifest.json']), join(bundle.dir, 'manifest.json'));
    const diffs = (['name', 'version'] as const).filter((k) => pkg![k] !== statement.plugin[k]).map((k) => `${k} ${JSON.stringify(pkg![k])} ≠ certificate's ${JSON.stringify(statement.plugin[k])}`);
    if (pkg.hearth.vendor !== statement.plugin.vendor) diffs.push(`vendor ${JSON.stringify(pkg.hearth.vendor)} ≠ certificate's ${JSON.stringify(statement.plugin.vendor)}`);
    add('manifest', diffs.length === 0, diffs.length === 0 ? `${pkg.name}@${pkg.version} by ${pkg.hearth.vendor}` : `manifest.json disagrees with the certificate: ${diffs.join('; ')}`, 'manifest.json');
  } catch (e) {
    add('manifest', false, (e as Error).message, 'manifest.json');
  }

  // The results.
  const data = parseJson(bundle.files['results.json']);
  const problems = data === undefined ? ['not valid JSON'] : validateResults(data);
  const results = problems.length === 0 ? (data as RunResult) : undefined;
  if (!results) add('results', false, `results.json does not match the results schema: ${listed(problems, 3)}`, 'results.json');
  else {
    const diffs: string[] = [];
    const same = (what: string, a: unknown, b: unknown): void => void (a !== b && diffs.push(`${what} ${JSON.stringify(a)} ≠ certificate's ${JSON.stringify(b)}`));
    same('plugin', results.plugin.name, statement.plugin.name);
    same('version', results.plugin.version, statement.plugin.version);
    same('suite', results.suite.version, statement.suiteVersion);
    same('profile', results.profile.name, statement.profile);
    same('device', results.device.type, statement.deviceType);
    same('core API', results.coreApiVersion, statement.coreApiVersion);
    same('opset', results.opsetVersion, statement.opsetVersion);
    if (!results.selection.certify) diffs.push('not a certification run (selection.certify is false)');
    if (!results.init.ok) diffs.push(`the device did not start (${results.init.reason ?? 'no reason given'})`);
    add('results', diffs.length === 0, diffs.length === 0 ? `${results.results.length} results of ${results.plugin.name}@${results.plugin.version} on ${results.device.type}` : `results.json: ${diffs.join('; ')}`, 'results.json');
  }

  // Suite version window and the exact case list.
  const window = supportedSuiteVersions(suite.current, suite.releases);
  const inWindow = window.includes(statement.suiteVersion);
  add('suite-version', inWindow, inWindow ? `suite ${statement.suiteVersion} is supported (${window.join(', ')})` : `suite version ${statement.suiteVersion} is not supported: certificates are accepted from suite ${window.join(', ')}; rerun with a current suite`);
  const expected = suite.caseList(statement.suiteVersion, statement.profile);
  if (!results) add('case-list', false, 'not checked: results.json is invalid', 'results.json');
  else if (!expected) add('case-list', false, `no case list is known for suite ${statement.suiteVersion}, profile ${statement.profile}`, 'results.json');
  else {
    const got = results.results.map((r) => r.id);
    const gotSet = new Set(got);
    const want = new Set(expected);
    const missing = expected.filter((id) => !gotSet.has(id));
    const extra = got.filter((id) => !want.has(id));
    const dup = got.length - gotSet.size;
    const ok = missing.length === 0 && extra.length === 0 && dup === 0;
    add('case-list', ok, ok ? `exactly the ${expected.length} cases of suite ${statement.suiteVersion}, profile ${statement.profile}` : [missing.length ? `${missing.length} case(s) missing: ${listed(missing)}` : '', extra.length ? `${extra.length} case(s) not in the suite: ${listed(extra)}` : '', dup ? `${dup} duplicate result(s)` : ''].filter(Boolean).join('; '), 'results.json');
  }

  // Every case passed.
  if (!results) add('outcomes', false, 'not checked: results.json is invalid', 'results.json');
  else {
    let requireAll = true;
    try {
      requireAll = getProfile(statement.profile).requireAll;
    } catch {
      requireAll = true;
    }
    // A skip is an outcome only for an operator of a later opset than the certificate covers.
    const later = (op: string | undefined) => {
      try {
        return op !== undefined && (getOp(op).since ?? 1) > statement.opsetVersion;
      } catch {
        return false;
      }
    };
    const bad = results.results.filter((r) => !(r.status === 'pass' || (r.status === 'not-supported' && !requireAll) || (r.status === 'skip' && later(r.op))));
    const byStatus = [...new Set(bad.map((r) => r.status))].map((s) => `${bad.filter((r) => r.status === s).length} ${s}`);
    add('outcomes', bad.length === 0 && results.verdict === 'pass', bad.length === 0 ? (results.verdict === 'pass' ? 'every case passed' : `the verdict is ${results.verdict}: ${results.reasons.join('; ')}`) : `not every case passed (${byStatus.join(', ')}): ${listed(bad.map((r) => `${r.id} [${r.status}]`))}`, 'results.json');
  }

  // What the manifest claims.
  if (pkg) {
    const dtOk = pkg.hearth.deviceTypes.includes(statement.deviceType);
    add('device-type', dtOk, dtOk ? `${statement.deviceType} is one of the manifest's device types` : `the certified device type ${statement.deviceType} is not in the manifest's deviceTypes (${pkg.hearth.deviceTypes.join(', ')})`, 'manifest.json');
    const entryVersion = options.index?.entries.find((e) => e.name === pkg!.name)?.versions.find((v) => v.version === pkg!.version);
    const certified = new Set([statement.profile, ...(entryVersion ? certifiedProfiles(pkg.name, entryVersion, now, options.index!.signers) : [])]);
    const unproven = pkg.hearth.profiles.filter((p) => !certified.has(p));
    add('profiles', unproven.length === 0, unproven.length === 0 ? `every claimed profile is certified (${pkg.hearth.profiles.join(', ')})` : `manifest.json#/hearth/profiles claims ${unproven.join(', ')}, which no certified run of ${pkg.name}@${pkg.version} passed (this bundle certifies ${statement.profile})`, 'manifest.json');
  } else {
    add('device-type', false, 'not checked: manifest.json is invalid', 'manifest.json');
    add('profiles', false, 'not checked: manifest.json is invalid', 'manifest.json');
  }

  // Expiry and revocation.
  // The expiry comes from signedAt only once signedAt is a real instant (a leap second is not one).
  const expires = expiryOf(statement.signedAt);
  const signedAt = Date.parse(statement.signedAt);
  const fresh = expires !== undefined && signedAt <= now.getTime() + 5 * 60_000 && Date.parse(expires) > now.getTime();
  add('expiry', fresh, expires === undefined ? `signedAt "${statement.signedAt}" is not an ISO 8601 instant (as toISOString() writes it)` : signedAt > now.getTime() + 5 * 60_000 ? `signed in the future (${statement.signedAt})` : fresh ? `valid until ${expires}` : `expired on ${expires} (certificates last 12 months); recertify with a current suite`);
  // Revocation follows the content: the same tarball under another version label or name stays revoked.
  const revoked = options.index?.entries.find((e) => e.name === statement.plugin.name)?.versions.find((v) => v.version === statement.plugin.version)?.revoked;
  const sameContent = options.index ? revokedContent(options.index, statement.plugin.integrity) : undefined;
  add(
    'revocation',
    !revoked && !sameContent,
    revoked
      ? `${statement.plugin.name}@${statement.plugin.version} was revoked on ${revoked.at}: ${revoked.reason}`
      : sameContent
        ? `this package's content (${statement.plugin.integrity.slice(0, 22)}…) was revoked as ${sameContent.name}@${sameContent.version.version} on ${sameContent.version.revoked!.at}: ${sameContent.version.revoked!.reason}`
        : options.index ? 'not revoked' : 'not checked: no index given',
    CERTIFICATE_FILE,
    !options.index,
  );

  // The package itself.
  if (options.integrity === undefined) add('integrity', true, 'not checked: the package was not given', CERTIFICATE_FILE, true);
  else add('integrity', options.integrity === statement.plugin.integrity, options.integrity === statement.plugin.integrity ? `the package matches ${statement.plugin.integrity.slice(0, 22)}…` : `the package's integrity ${options.integrity} is not the certified ${statement.plugin.integrity}: this is not the package that was tested`);

  // Device types owned by another vendor.
  if (!options.index || !pkg) add('device-ownership', true, 'not checked: no index given', 'manifest.json', true);
  else {
    const conflicts = pkg.hearth.deviceTypes.flatMap((t) => deviceTypeOwners(options.index!, t, now).filter((o) => o.vendor !== pkg!.hearth.vendor && o.name !== pkg!.name).map((o) => `${t} is owned by ${o.name}@${o.version} (${o.vendor})`));
    add('device-ownership', conflicts.length === 0, conflicts.length === 0 ? 'no device type is owned by another vendor' : `manifest.json#/hearth/deviceTypes: ${conflicts.join('; ')}; choose another device type name`, 'manifest.json');
  }

  // One name, one vendor, as a person reads them: npm's rules for names, no look-alike of another entry.
  if (!pkg) add('identity', false, 'not checked: manifest.json is invalid', 'manifest.json');
  else {
    const problems: string[] = [];
    const nameProblem = packageNameProblem(pkg.name);
    if (nameProblem) problems.push(`the package name ${JSON.stringify(pkg.name)} is not one npm accepts for a new package (${nameProblem})`);
    for (const e of options.index?.entries ?? []) {
      if (e.name !== pkg.name && skeleton(e.name) === skeleton(pkg.name)) problems.push(`the name ${JSON.stringify(pkg.name)} looks like ${JSON.stringify(e.name)}, already in the index`);
      if (e.vendor !== pkg.hearth.vendor && skeleton(e.vendor) === skeleton(pkg.hearth.vendor)) problems.push(`the vendor ${JSON.stringify(pkg.hearth.vendor)} looks like ${JSON.stringify(e.vendor)} (of ${e.name}) but is not the same string`);
    }
    const unique = [...new Set(problems)];
    add('identity', unique.length === 0, unique.length === 0 ? `${pkg.name} by ${pkg.hearth.vendor} is confusable with no other entry` : `${unique.join('; ')}; choose a name and vendor a reader can tell apart`, 'manifest.json');
  }

  return { ok: checks.every((c) => c.ok), checks, certificate: bundle.certificate, package: pkg, results };
}

/** The failed checks of a report as one message per line (`check: reason`). */
export function refusalReasons(report: VerifyReport): string[] {
  return report.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.message}`);
}
