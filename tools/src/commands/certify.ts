import { join, resolve } from 'node:path';
import type { RunResult } from '@hearth/conformance';
import { packageDirOf, packageIntegrity, readPluginPackage, readSignerKey, writeBundle, type PluginPackage, type SignerKey } from '@hearth/registry';

/** Options of {@link writeCertification}. */
export interface CertifyOptions {
  /** The plugin spec the run was given. */
  readonly plugin: string;
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
  return (run) => writeCertification(run, options, { key, dir, pkg });
}

function writeCertification(run: RunResult, options: CertifyOptions, { key, dir, pkg }: { key: SignerKey; dir: string; pkg: PluginPackage }): string {
  const out = resolve(options.bundle ?? join('certification', `${pkg.name.replace(/^@/, '').replace(/\//g, '__')}-${pkg.version}-${run.device.type}-${run.profile.name}`));
  writeBundle({ run, package: pkg, integrity: packageIntegrity(options.packageFile ?? dir), key, dir: out });
  return out;
}
