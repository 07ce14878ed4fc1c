// Test support, excluded from the build: plugin packages written as real files, and certification runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HearthField } from '../manifest.js';

/** What a fixture plugin package is made of. */
export interface FixturePlugin {
  name: string;
  version?: string;
  vendor?: string;
  deviceTypes?: string[];
  profiles?: HearthField['profiles'];
  /** The module's source; by default a plugin whose device can't start ("no hardware here"). */
  source?: string;
  /** Overrides of the `hearth` field (set a key to undefined to drop it). */
  hearth?: Record<string, unknown>;
}

/** The `hearth` field a fixture gets. */
export function fixtureHearth(f: FixturePlugin): Record<string, unknown> {
  return {
    entry: './index.js',
    deviceTypes: f.deviceTypes ?? ['toy'],
    coreApi: '^1.0.0',
    opset: 1,
    profiles: f.profiles ?? ['core'],
    vendor: f.vendor ?? 'Toy Labs',
    contact: 'toy@example.com',
    ...f.hearth,
  };
}

/** Writes a plugin package (package.json with a `hearth` field and index.js, no dependencies) in `dir`. */
export function writePluginPackage(dir: string, f: FixturePlugin): string {
  mkdirSync(dir, { recursive: true });
  const hearth = fixtureHearth(f);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: f.name, version: f.version ?? '1.0.0', type: 'module', main: './index.js', hearth }, null, 2));
  const manifest = { name: f.name, version: f.version ?? '1.0.0', vendor: hearth['vendor'], deviceTypes: hearth['deviceTypes'], coreApi: hearth['coreApi'] };
  writeFileSync(
    join(dir, 'index.js'),
    f.source ??
      `export const plugin = {
  manifest: ${JSON.stringify(manifest)},
  register(host) {
    for (const type of this.manifest.deviceTypes) host.registerBackend({ type, create() { throw new Error(type + ': no hardware here'); } });
  },
};
`,
  );
  return dir;
}
