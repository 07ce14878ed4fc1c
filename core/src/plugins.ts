import semver from 'semver';
import { HearthError } from './errors.js';
import { CORE_API_VERSION, OPSET_VERSION } from './version.js';
import { OPSET_V1 } from './opset/index.js';
import type { BackendFactory, HearthPlugin, PluginHost, PluginManifest } from './plugin.js';
import type { KernelTable } from './kernel-table.js';
import type { KernelSpec } from './kernel.js';

/** What the runtime knows of a plugin it was given. */
export interface PluginRecord {
  /** The plugin's name (or `"(unnamed)"` when its manifest had none). */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** Its manifest, when it was valid. */
  readonly manifest?: PluginManifest;
  /** `loaded`, or `failed` with the reason. */
  readonly status: 'loaded' | 'failed';
  /** Why it failed. */
  readonly error?: HearthError;
  /** Kernels it registered. */
  readonly kernels: number;
}

/** A backend factory with its plugin and the preference used when no backends are named. */
export interface FactoryRecord {
  /** The factory. */
  readonly factory: BackendFactory;
  /** The plugin that registered it. */
  readonly plugin: string;
  /** Its manifest priority. */
  readonly priority: number;
}

/** Checks a manifest's shape and its core API range; throws `E_PLUGIN` or `E_PLUGIN_VERSION`. */
export function checkManifest(m: unknown): PluginManifest {
  const problems: string[] = [];
  const o = (m ?? {}) as Record<string, unknown>;
  for (const k of ['name', 'version', 'vendor', 'coreApi'] as const) if (typeof o[k] !== 'string' || o[k] === '') problems.push(`manifest.${k} must be a non-empty string`);
  if (!Array.isArray(o['deviceTypes']) || !o['deviceTypes'].every((d) => typeof d === 'string')) problems.push('manifest.deviceTypes must be an array of strings');
  if (o['priority'] !== undefined && typeof o['priority'] !== 'number') problems.push('manifest.priority must be a number');
  if (typeof o['version'] === 'string' && !semver.valid(o['version'])) problems.push(`manifest.version "${o['version']}" is not a semver version`);
  if (typeof o['coreApi'] === 'string' && !semver.validRange(o['coreApi'])) problems.push(`manifest.coreApi "${o['coreApi']}" is not a semver range`);
  if (problems.length) {
    throw new HearthError('E_PLUGIN', `Plugin ${String(o['name'] ?? '(unnamed)')} has an invalid manifest: ${problems.join('; ')}.`, { problems });
  }
  const manifest = m as PluginManifest;
  if (!semver.satisfies(CORE_API_VERSION, manifest.coreApi)) {
    throw new HearthError(
      'E_PLUGIN_VERSION',
      `Plugin ${manifest.name}@${manifest.version} supports core API ${manifest.coreApi}, but this is core API ${CORE_API_VERSION}. Install a version of the plugin built for core ${CORE_API_VERSION}.`,
      { plugin: manifest.name, supports: manifest.coreApi, core: CORE_API_VERSION },
    );
  }
  return manifest;
}

/**
 * Loads plugins into a kernel table: checks each manifest, runs `register` with a host that records
 * provenance, and keeps the reason of each failure. A failing plugin leaves nothing behind.
 */
export class PluginLoader {
  readonly records: PluginRecord[] = [];
  readonly factories: FactoryRecord[] = [];

  constructor(private readonly table: KernelTable) {}

  /** Loads one plugin; never throws. Returns a promise when `register` is async. */
  load(plugin: HearthPlugin): void | Promise<void> {
    const name = String((plugin as { manifest?: { name?: unknown } })?.manifest?.name ?? '(unnamed)');
    const version = String((plugin as { manifest?: { version?: unknown } })?.manifest?.version ?? '?');
    if (this.records.some((r) => r.name === name && r.version === version && r.status === 'loaded')) return;
    let manifest: PluginManifest;
    try {
      if (typeof plugin?.register !== 'function') throw new HearthError('E_PLUGIN', `Plugin ${name} has no register(host) function; a plugin exports { manifest, register }.`);
      manifest = checkManifest(plugin.manifest);
    } catch (e) {
      this.records.push({ name, version, status: 'failed', error: asPluginError(e, name), kernels: 0 });
      return;
    }
    const factories: FactoryRecord[] = [];
    let kernels = 0;
    const host: PluginHost = {
      coreVersion: CORE_API_VERSION,
      opsetVersion: OPSET_VERSION,
      ops: OPSET_V1,
      registerBackend: (factory) => {
        if (!manifest.deviceTypes.includes(factory.type)) {
          throw new HearthError('E_PLUGIN', `${name} registers a backend "${factory.type}" that its manifest's deviceTypes (${manifest.deviceTypes.join(', ')}) does not list.`);
        }
        factories.push({ factory, plugin: name, priority: manifest.priority ?? 0 });
      },
      registerKernel: (spec) => {
        kernels += this.table.register(spec as unknown as KernelSpec, { plugin: name, version }).length;
      },
    };
    const done = () => {
      this.factories.push(...factories);
      this.records.push({ name, version, manifest, status: 'loaded', kernels });
    };
    const fail = (e: unknown) => {
      this.table.unregisterPlugin(name);
      this.records.push({ name, version, manifest, status: 'failed', error: asPluginError(e, name), kernels: 0 });
    };
    try {
      const r = plugin.register(host);
      if (r instanceof Promise) return r.then(done, fail);
      done();
    } catch (e) {
      fail(e);
    }
  }
}

function asPluginError(e: unknown, name: string): HearthError {
  if (e instanceof HearthError) return e;
  return new HearthError('E_PLUGIN', `Plugin ${name} failed to register: ${(e as Error)?.message ?? String(e)}. Report this to the plugin's vendor.`, { plugin: name }, { cause: e });
}
