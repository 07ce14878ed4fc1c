import { join } from 'node:path';
import { PROFILES, drawFreshSeed, runConformance, type ModelRunner } from '@hearth/conformance';
import { findInstalledPlugins } from './discover.js';
import type { CertificateStatement } from './bundle.js';
import type { BotEnvironment } from './github.js';
import { packageIntegrity } from './integrity.js';
import { readPluginPackage } from './manifest.js';
import { npmRegistryUrl, publishedIntegrity } from './published.js';

/** Device types a stock bot machine has: the CPU, WebGPU on a software adapter, the reference native plugin's. */
export const RERUN_DEVICE_TYPES: readonly string[] = ['cpu', 'webgpu', 'native'];

/** Options of {@link localBotEnvironment}. */
export interface LocalBotOptions {
  /** Where installed plugins are found (default the current folder). */
  readonly cwd?: string;
  /** Device types to rerun the suite on (default {@link RERUN_DEVICE_TYPES}). */
  readonly deviceTypes?: readonly string[];
  /** The npm registry to fetch published tarballs from (default `HEARTH_NPM_REGISTRY`, else npm's). */
  readonly npmRegistry?: string;
  /** What runs ONNX models, to rerun a model profile (the CLI passes @hearth/onnx's; without it those are not rerun). */
  readonly models?: ModelRunner;
}

/**
 * The bot's environment on this machine: a submitted plugin's integrity is computed from the tarball
 * `npmRegistry` publishes for its name and version; one not published there, but installed here (found by
 * discovery from `cwd`, same name and version), has it from `npm pack` of the installed package. Where its
 * device type is one of `deviceTypes` the suite is rerun on it: a certification run, in a child process,
 * plus every property drawn again from a seed drawn now (recorded in the run's `suite.freshSeed`).
 */
export function localBotEnvironment(options: LocalBotOptions = {}): BotEnvironment {
  const registry = npmRegistryUrl(options.npmRegistry);
  const installed = findInstalledPlugins(options.cwd);
  const deviceTypes = options.deviceTypes ?? RERUN_DEVICE_TYPES;
  const find = (s: CertificateStatement) => {
    const p = installed.find((x) => x.name === s.plugin.name);
    if (!p) return undefined;
    try {
      const pkg = readPluginPackage(p.dir);
      return pkg.version === s.plugin.version ? { dir: p.dir, pkg } : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    integrityOf: async (s) => {
      const published = await publishedIntegrity(s.plugin.name, s.plugin.version, registry);
      if (published !== undefined) return { integrity: published, source: `the tarball ${registry} publishes` };
      const p = find(s);
      return p ? { integrity: packageIntegrity(p.dir), source: `the package installed at ${p.dir}` } : undefined;
    },
    rerun: async (s) => {
      const p = find(s);
      const entry = p?.pkg.hearth.entry;
      if (!p || entry === undefined || !deviceTypes.includes(s.deviceType)) return undefined;
      if (PROFILES.find((p) => p.name === s.profile)?.models !== undefined && !options.models) return undefined;
      const spec = `${join(p.dir, entry)}${p.pkg.hearth.export ? `#${p.pkg.hearth.export}` : ''}`;
      return runConformance({ plugin: spec, device: s.deviceType, profile: s.profile, certify: true, freshSeed: drawFreshSeed(), ...(options.models ? { models: options.models } : {}) });
    },
  };
}
