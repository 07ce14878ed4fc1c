import { join, resolve } from 'node:path';
import type { RunResult } from '@hearth/conformance';
import { packageDirOf, packageIntegrity, readPluginPackage, readSignerKey, writeBundle } from '@hearth/registry';

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

/** After a passing certification run, writes the signed bundle; returns its folder. */
export function writeCertification(run: RunResult, options: CertifyOptions): string {
  const key = readSignerKey(resolve(options.signKey));
  const dir = packageDirOf(options.plugin);
  const pkg = readPluginPackage(dir);
  const out = resolve(options.bundle ?? join('certification', `${pkg.name.replace(/^@/, '').replace(/\//g, '__')}-${pkg.version}-${run.device.type}-${run.profile.name}`));
  writeBundle({ run, package: pkg, integrity: packageIntegrity(options.packageFile ?? dir), key, dir: out });
  return out;
}
