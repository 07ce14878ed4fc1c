import { createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { junitXml, resultsJson, type RunResult } from '@hearth/conformance';
import { canonicalJson, sha512Integrity } from './canonical.js';
import { RegistryError } from './error.js';
import { publicSigner, type SignerKey } from './keys.js';
import type { PluginPackage, ProfileName } from './manifest.js';

/** The files of a certification bundle (a folder), each hashed in the signed statement. */
export const BUNDLE_FILES = ['results.json', 'junit.xml', 'manifest.json'] as const;

/** The signed file of a bundle. */
export const CERTIFICATE_FILE = 'certificate.json';

/** What a signer states about a certification run (schema/certificate.schema.json). */
export interface CertificateStatement {
  /** The package certified: name, version, vendor, and npm's integrity of its tarball. */
  readonly plugin: { readonly name: string; readonly version: string; readonly vendor: string; readonly integrity: string };
  /** The conformance suite version that ran. */
  readonly suiteVersion: string;
  /** The core API version it ran against. */
  readonly coreApiVersion: string;
  /** The opset version. */
  readonly opsetVersion: number;
  /** The profile certified. */
  readonly profile: ProfileName;
  /** The device type certified. */
  readonly deviceType: string;
  /** The integrity (sha512) of each bundle file. */
  readonly files: Readonly<Record<(typeof BUNDLE_FILES)[number], string>>;
  /** Who signed: name, key id and public key. */
  readonly signer: { readonly name: string; readonly keyId: string; readonly publicKey: string };
  /** When (ISO 8601); the certificate expires 12 months later. */
  readonly signedAt: string;
}

/** certificate.json: the statement and its Ed25519 signature (base64) over the statement's canonical JSON. */
export interface Certificate {
  /** Format version. */
  readonly format: 1;
  /** What is certified. */
  readonly statement: CertificateStatement;
  /** The signature. */
  readonly signature: string;
}

/** Options of {@link writeBundle}. */
export interface WriteBundleOptions {
  /** A complete certification run (`runConformance({ certify: true })`). */
  readonly run: RunResult;
  /** The plugin's package manifest (package.json with its `hearth` field). */
  readonly package: PluginPackage;
  /** npm's integrity of the package tarball (see `packageIntegrity`). */
  readonly integrity: string;
  /** The signer's key. */
  readonly key: SignerKey;
  /** The bundle folder to write. */
  readonly dir: string;
  /** The signing time (default now). */
  readonly now?: Date;
}

/** Signs a statement with a signer key. */
export function signStatement(statement: CertificateStatement, privateKeyPem: string): Certificate {
  const signature = sign(null, Buffer.from(canonicalJson(statement)), createPrivateKey(privateKeyPem)).toString('base64');
  return { format: 1, statement, signature };
}

/**
 * Writes a certification bundle: results.json, junit.xml, manifest.json (the package's name, version and
 * `hearth` field) and certificate.json (their hashes, the package integrity, suite/core/opset versions,
 * signed with Ed25519). Throws `E_REG_BUNDLE` for a run that is not a complete certification run of
 * that package. Returns the certificate.
 */
export function writeBundle(options: WriteBundleOptions): Certificate {
  const { run, package: pkg } = options;
  if (!run.selection.certify) throw new RegistryError('E_REG_BUNDLE', 'Only a certification run can be bundled: run `hearth conformance --certify`.');
  if (run.plugin.name !== pkg.name || run.plugin.version !== pkg.version) {
    throw new RegistryError('E_REG_BUNDLE', `The run is of ${run.plugin.name}@${run.plugin.version} but the package is ${pkg.name}@${pkg.version}; certify the package you publish.`);
  }
  const contents: Record<(typeof BUNDLE_FILES)[number], string> = {
    'results.json': resultsJson(run),
    'junit.xml': junitXml(run),
    'manifest.json': `${JSON.stringify({ name: pkg.name, version: pkg.version, hearth: pkg.hearth }, null, 2)}\n`,
  };
  const statement: CertificateStatement = {
    plugin: { name: pkg.name, version: pkg.version, vendor: pkg.hearth.vendor, integrity: options.integrity },
    suiteVersion: run.suite.version,
    coreApiVersion: run.coreApiVersion,
    opsetVersion: run.opsetVersion,
    profile: run.profile.name as ProfileName,
    deviceType: run.device.type,
    files: Object.fromEntries(BUNDLE_FILES.map((f) => [f, sha512Integrity(contents[f])])) as CertificateStatement['files'],
    signer: publicSigner(options.key),
    signedAt: (options.now ?? new Date()).toISOString(),
  };
  const certificate = signStatement(statement, options.key.privateKey);
  mkdirSync(options.dir, { recursive: true });
  for (const f of BUNDLE_FILES) writeFileSync(join(options.dir, f), contents[f]);
  writeFileSync(join(options.dir, CERTIFICATE_FILE), `${JSON.stringify(certificate, null, 2)}\n`);
  return certificate;
}

/** The digest that names a bundle in the index: the integrity of its certificate.json. */
export function bundleDigest(dir: string): string {
  return sha512Integrity(readFileSync(join(dir, CERTIFICATE_FILE)));
}
