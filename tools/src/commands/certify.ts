import { join, resolve } from 'node:path';
import { HearthError } from '@hearth/core';
import type { RunResult } from '@hearth/conformance';
import { packageDirOf, packageIntegrity, readPluginPackage, readSignerKey, writeBundle, type PluginPackage, type SignerKey } from '@hearth/registry';

/** Options of {@link writeCertification}. */
export interface CertifyOptions {
  /** The plugin spec the run was given. */
  readonly plugin: string;
  /** The profile the run certifies; the package's manifest must claim it. */
  readonly profile: string;
  /** The signer key file. */
  readonly signKey: string;
  /** The bundle folder (default `certification/<plugin>-<version>-<device>-<profile>`). */
  readonly bundle?: string;
  /** The package tarball to take the integrity of (default: `npm pack` of the plugin's package folder). */
  readonly packageFile?: string;
}

/**
 * Checks what a bundle needs (the signer key, the plugin's package and its manifest) before the suite runs,
 * so bad input fails in a second rather than after the run; returns what writes the bundle of a passing run
 * (and returns its folder).
 */
export function prepareCertification(options: CertifyOptions): (run: RunResult) => string {
  const key = readSignerKey(resolve(options.signKey));
  const dir = packageDirOf(options.plugin);
  const pkg = readPluginPackage(dir);
  const claims: readonly string[] = pkg.hearth.profiles;
  if (!claims.includes(options.profile)) {
    throw new HearthError(
      'E_ARG',
      `${pkg.name}@${pkg.version} claims ${claims.join(', ') || 'no profile'} in package.json#/hearth/profiles, so a bundle certifying ${options.profile} would be refused by \`hearth registry verify\`. Run the profile it claims (--profile ${claims[0] ?? 'core'}), or change hearth.profiles to what it passes.`,
      { plugin: pkg.name, claims, profile: options.profile },
    );
  }
  return (run) => writeCertification(run, options, { key, dir, pkg });
}

function writeCertification(run: RunResult, options: CertifyOptions, { key, dir, pkg }: { key: SignerKey; dir: string; pkg: PluginPackage }): string {
  const out = resolve(options.bundle ?? join('certification', `${pkg.name.replace(/^@/, '').replace(/\//g, '__')}-${pkg.version}-${run.device.type}-${run.profile.name}`));
  writeBundle({ run, package: pkg, integrity: packageIntegrity(options.packageFile ?? dir), key, dir: out });
  return out;
}
