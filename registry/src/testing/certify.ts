// Test support, excluded from the build: one real certification run of the CPU plugin, and bundles of it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance, type RunResult } from '@hearth/conformance';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { writeBundle } from '../bundle.js';
import { publicSigner, type Signer, type SignerKey } from '../keys.js';
import type { TrustedSigner } from '../trust.js';
import { readPluginPackage, type PluginPackage } from '../manifest.js';
import { oncePerRun } from '../../../tests/support/once-per-run.js';

const repoRoot = join(import.meta.dirname, '../../..');

/** The CPU plugin's package manifest, read from the repository. */
export const cpuPackage: PluginPackage = readPluginPackage(join(import.meta.dirname, '../../../plugins/cpu'));

/**
 * A real certification run of the CPU plugin (core profile), made in this process by the first test file of
 * the test run that asks, and shared with the others: its key hashes the core, the plugin, the suite and the
 * lockfile, so it is never reused after any of them changes.
 */
export function certifyCpu(): Promise<RunResult> {
  const inputs = ['core', 'plugins/cpu', 'tests/conformance', 'package-lock.json'].map((p) => join(repoRoot, p));
  return oncePerRun('certify-cpu-core', inputs, () => runConformance({ plugin: cpuPlugin, certify: true }));
}

/** A deep copy of a run, to tamper with. */
export function copyRun(run: RunResult): { -readonly [K in keyof RunResult]: any } {
  return structuredClone(run) as never;
}

/** Writes a bundle in a fresh temp folder and returns the folder. */
export function bundleOf(run: RunResult, key: SignerKey, options: { package?: PluginPackage; integrity?: string; now?: Date } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bundle-'));
  writeBundle({ run, package: options.package ?? cpuPackage, integrity: options.integrity ?? 'sha512-AAAA', key, dir, ...(options.now ? { now: options.now } : {}) });
  return dir;
}

/** A signer trusted for everything (`*`), as a foundation lab is: for tests that are not about scopes. */
export function trustedForAll(key: Signer): TrustedSigner {
  return { ...publicSigner(key), packages: ['*'], deviceTypes: ['*'] };
}
