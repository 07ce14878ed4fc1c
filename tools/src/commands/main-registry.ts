import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '@hearth/conformance';
import { addBundle, buildSite, generateSignerKey, initIndex, packageIntegrity, readIndex, readPluginPackage, writeBundle } from '@hearth/registry';

/** A run of the main job, with the folder of the plugin's package. */
export interface MainRun {
  /** The plugin's package folder. */
  readonly dir: string;
  /** The run. */
  readonly run: RunResult;
}

/**
 * Builds the registry index and web page of the main job's passing certification runs under `dir`
 * (`index/`, `site/`), signed by a key made for this build only: the page shows what this checkout's
 * plugins certify; the foundation's index is signed by its own keys. Returns the site's index.html.
 */
export function buildLocalRegistry(runs: readonly MainRun[], dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  const key = generateSignerKey('hearth npm start (this build only)');
  const indexDir = join(dir, 'index');
  const passing = runs.filter((r) => r.run.verdict === 'pass' && r.run.selection.certify);
  // The build's key is trusted for exactly what it certifies here: these packages on these device types.
  initIndex(indexDir, passing.length === 0 ? [] : [{ ...key, packages: [...new Set(passing.map((r) => r.run.plugin.name))], deviceTypes: [...new Set(passing.map((r) => r.run.device.type))] }]);
  for (const { dir: pkgDir, run } of passing) {
    const bundle = join(dir, 'bundles', `${run.plugin.name.replace(/^@/, '').replace(/\//g, '__')}-${run.device.type}-${run.profile.name}`);
    mkdirSync(bundle, { recursive: true });
    writeBundle({ run, package: readPluginPackage(pkgDir), integrity: packageIntegrity(pkgDir), key, dir: bundle });
    addBundle(indexDir, bundle);
  }
  return buildSite(readIndex(indexDir), join(dir, 'site'));
}
