import semver from 'semver';
import { HearthError, describeError } from './errors.js';
import { CORE_API_VERSION, OPSET_VERSION } from './version.js';
import { OPSET } from './opset/index.js';
import type { BackendFactory, HearthPlugin, PluginHost, PluginManifest } from './plugin.js';
import type { KernelTable, Registration } from './kernel-table.js';
import type { KernelSpec, Provenance } from './kernel.js';
import { isThenable, withTimeLimit } from './time-limit.js';

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
  if (o['opset'] !== undefined && !(Number.isSafeInteger(o['opset']) && (o['opset'] as number) >= 1)) problems.push(`manifest.opset must be an integer >= 1, got ${JSON.stringify(o['opset'])}`);
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
  const opset = pluginOpset(manifest);
  if (opset > OPSET_VERSION) {
    throw new HearthError(
      'E_PLUGIN_VERSION',
      `Plugin ${manifest.name}@${manifest.version} implements opset ${opset}, but this core defines opset ${OPSET_VERSION}. Upgrade @hearth/core, or install a version of the plugin for opset ${OPSET_VERSION}.`,
      { plugin: manifest.name, opset, core: OPSET_VERSION },
    );
  }
  return manifest;
}

/**
 * The opset a plugin declares it implements (1 when its manifest says nothing: plugins written before
 * opset 2). On a newer core, the operators it lacks decompose (composites) or fall back (primitives).
 */
export function pluginOpset(manifest: PluginManifest): number {
  return manifest.opset ?? 1;
}

/** A kernel of one plugin replacing another plugin's, allowed by `createHearth({ allowOverrides })`. */
export interface KernelOverride {
  /** The operator. */
  readonly op: string;
  /** The device type. */
  readonly device: string;
  /** The compute dtype. */
  readonly dtype: string;
  /** The plugin whose kernel is now used. */
  readonly by: Provenance;
  /** The plugin whose kernel it replaced. */
  readonly replaced: Provenance;
}

/** How the loader treats plugins: who may override whom, and how long `register` may take. */
export interface LoaderPolicy {
  /** `true`: any plugin may override another's kernels; a list: only these plugins may. */
  readonly allowOverrides: boolean | readonly string[];
  /** The time limit of one plugin's `register`, in ms. */
  readonly registerTimeoutMs: number;
}

/**
 * Loads plugins into a kernel table: checks each manifest, runs `register` with a host that records
 * provenance and only accepts what the manifest declares, and keeps the reason of each failure. A failing
 * plugin leaves nothing behind: its own registrations are rolled back (never another plugin's of the same
 * name), and its host refuses every call once `register` has settled or timed out.
 */
export class PluginLoader {
  readonly records: PluginRecord[] = [];
  readonly factories: FactoryRecord[] = [];
  readonly overrides: KernelOverride[] = [];
  // Plugins loaded or loading, by name: a second plugin of the same name is refused, the same object ignored.
  readonly #claimed = new Map<string, { plugin: unknown; version: string }>();

  constructor(
    private readonly table: KernelTable,
    private readonly policy: LoaderPolicy,
  ) {}

  /** Loads one plugin; never throws. Returns a promise when `register` is async. */
  load(plugin: HearthPlugin): void | Promise<void> {
    const m = (plugin as { manifest?: { name?: unknown; version?: unknown } } | null | undefined)?.manifest;
    const name = typeof m?.name === 'string' && m.name !== '' ? m.name : '(unnamed)';
    const version = typeof m?.version === 'string' ? m.version : '?';
    const claimed = this.#claimed.get(name);
    if (claimed?.plugin === plugin) return;
    let manifest: PluginManifest;
    try {
      if (claimed) {
        throw new HearthError(
          'E_PLUGIN',
          `Plugin ${name}@${version} is refused: ${name}@${claimed.version} is already loaded under that name. Pass only one of them to createHearth({ plugins }).`,
          { plugin: name, loaded: claimed.version, refused: version },
        );
      }
      if (typeof plugin?.register !== 'function') throw new HearthError('E_PLUGIN', `Plugin ${name} has no register(host) function; a plugin exports { manifest, register }.`);
      manifest = checkManifest(plugin.manifest);
    } catch (e) {
      this.records.push({ name, version, status: 'failed', error: asPluginError(e, name), kernels: 0 });
      return;
    }
    this.#claimed.set(name, { plugin, version });
    const provenance = { plugin: name, version };
    const factories: FactoryRecord[] = [];
    const registrations: Registration[] = [];
    let open = true;
    const allowed = this.policy.allowOverrides;
    const mayOverride = (owner: Provenance) => owner.plugin !== name && (allowed === true || (Array.isArray(allowed) && allowed.includes(name)));
    const declared = (what: string, type: unknown) => {
      if (!open) throw new HearthError('E_PLUGIN', `${name} called the plugin host after its register() ended; register everything before register() returns (or its promise settles).`, { plugin: name });
      if (typeof type !== 'string' || !manifest.deviceTypes.includes(type)) {
        throw new HearthError(
          'E_PLUGIN',
          `${name} registers ${what} for device type ${JSON.stringify(type)}, which its manifest's deviceTypes (${manifest.deviceTypes.join(', ') || 'none'}) does not list. A plugin may only contribute to its own device types.`,
          { plugin: name, device: type },
        );
      }
    };
    const host: PluginHost = {
      coreVersion: CORE_API_VERSION,
      opsetVersion: OPSET_VERSION,
      ops: OPSET,
      registerBackend: (factory) => {
        declared('a backend', factory?.type);
        if (typeof factory.create !== 'function') throw new HearthError('E_PLUGIN', `${name}: the backend factory for "${factory.type}" has no create(options) function.`, { plugin: name });
        const other = [...this.factories, ...factories].find((f) => f.factory.type === factory.type);
        if (other) throw new HearthError('E_PLUGIN', `${name} registers a "${factory.type}" backend, but ${other.plugin} already provides one. Install only one plugin per device type.`, { plugin: name, owner: other.plugin });
        factories.push({ factory, plugin: name, priority: manifest.priority ?? 0 });
      },
      registerKernel: (spec) => {
        declared(`a kernel of ${JSON.stringify(spec?.op)}`, spec?.device);
        if (typeof spec.run !== 'function') throw new HearthError('E_PLUGIN', `${name}: the kernel ${spec.op} on "${spec.device}" has no run function.`, { plugin: name });
        registrations.push(...this.table.register(spec as unknown as KernelSpec, provenance, mayOverride));
      },
    };
    const done = () => {
      open = false;
      this.factories.push(...factories);
      for (const r of registrations) {
        if (r.replaced) this.overrides.push({ op: r.entry.op, device: r.entry.device, dtype: r.entry.dtype, by: provenance, replaced: r.replaced.provenance });
      }
      this.records.push({ name, version, manifest, status: 'loaded', kernels: registrations.length });
    };
    const fail = (e: unknown) => {
      open = false;
      this.table.rollback(registrations);
      this.#claimed.delete(name);
      this.records.push({ name, version, manifest, status: 'failed', error: asPluginError(e, name), kernels: 0 });
    };
    try {
      const r = plugin.register(host);
      if (isThenable(r)) {
        const ms = this.policy.registerTimeoutMs;
        const late = () => new HearthError('E_PLUGIN', `Plugin ${name}@${version}: register() did not finish within ${ms} ms; it was skipped. Raise createHearth({ timeouts: { register } }) if it needs longer.`, { plugin: name, timeoutMs: ms });
        return withTimeLimit(r, ms, late).then(done, fail);
      }
      done();
    } catch (e) {
      fail(e);
    }
  }
}

function asPluginError(e: unknown, name: string): HearthError {
  if (e instanceof HearthError) return e;
  return new HearthError('E_PLUGIN', `Plugin ${name} failed to register: ${describeError(e)}. Report this to the plugin's vendor.`, { plugin: name }, { cause: e });
}

/** True for an object shaped like a plugin: a non-null `manifest` object and a `register(host)` function. */
function isPlugin(x: unknown): x is HearthPlugin {
  return typeof x === 'object' && x !== null && typeof (x as HearthPlugin).register === 'function' && typeof (x as HearthPlugin).manifest === 'object' && (x as HearthPlugin).manifest !== null;
}

/**
 * The plugin an imported module exports: the `name` export when given, else `default`, `plugin`, or the
 * first export that is a plugin (an object with a manifest and a register(host) function); undefined if
 * none. Every loader (the CLI, the conformance runner, the registry's discovery) picks a plugin this way.
 */
export function pluginExport(mod: Readonly<Record<string, unknown>>, name?: string): HearthPlugin | undefined {
  const candidates = name ? [mod[name]] : [mod['default'], mod['plugin'], ...Object.values(mod)];
  return candidates.find(isPlugin);
}
