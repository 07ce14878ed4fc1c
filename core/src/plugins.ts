import semver from 'semver';
import { HearthError, describeError } from './errors.js';
import { CORE_API_VERSION, OPSET_VERSION } from './version.js';
import { OPSET, opId } from './opset/index.js';
import { DTYPES, isDType, type DType } from './dtype.js';
import type { Backend } from './backend.js';
import type { BackendFactory, HearthPlugin, PluginHost, PluginManifest } from './plugin.js';
import type { KernelTable, Registration } from './kernel-table.js';
import type { KernelFn, KernelSpec, Provenance } from './kernel.js';
import { bindOnce, readOnce } from './snapshot.js';
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
  /**
   * The kernel table's key for the devices it makes: the device type, or `type@plugin` when another
   * plugin loaded first provides the same type (each provider's kernels run only on its own devices).
   */
  readonly kernelKey: string;
}

const MANIFEST_STRINGS = ['name', 'version', 'vendor', 'coreApi', 'description'] as const;

/**
 * Reads a manifest once into a frozen copy of the core's own: each field read once (a getter runs once),
 * `deviceTypes` copied element by element (an own `includes` or a Proxy on the plugin's array is never
 * consulted). Returns the copy and the problems found. Throws what a getter or Proxy throws.
 */
function readManifest(m: unknown): { copy: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const copy: Record<string, unknown> = {};
  if (typeof m !== 'object' || m === null) return { copy, problems: ['manifest must be an object'] };
  for (const k of MANIFEST_STRINGS) copy[k] = readOnce(m, k);
  const types = readOnce(m, 'deviceTypes');
  if (Array.isArray(types) && types.length <= 64) {
    const list: unknown[] = [];
    for (let i = 0; i < types.length; i++) list.push(types[i]);
    copy['deviceTypes'] = list;
  } else copy['deviceTypes'] = types;
  const priority = readOnce(m, 'priority');
  if (priority !== undefined) copy['priority'] = priority;
  const opset = readOnce(m, 'opset');
  if (opset !== undefined) copy['opset'] = opset;
  for (const k of ['name', 'version', 'vendor', 'coreApi'] as const) if (typeof copy[k] !== 'string' || copy[k] === '') problems.push(`manifest.${k} must be a non-empty string`);
  if (copy['description'] === undefined) delete copy['description'];
  else if (typeof copy['description'] !== 'string') problems.push('manifest.description must be a string when present');
  const dt = copy['deviceTypes'];
  if (!Array.isArray(dt) || !dt.every((d) => typeof d === 'string' && d !== '')) problems.push('manifest.deviceTypes must be an array of at most 64 non-empty strings');
  if (priority !== undefined && !(typeof priority === 'number' && Number.isFinite(priority))) problems.push('manifest.priority must be a finite number');
  if (typeof copy['version'] === 'string' && !semver.valid(copy['version'])) problems.push(`manifest.version "${copy['version']}" is not a semver version`);
  if (typeof copy['coreApi'] === 'string' && !semver.validRange(copy['coreApi'])) problems.push(`manifest.coreApi "${copy['coreApi']}" is not a semver range`);
  if (opset !== undefined && !(Number.isSafeInteger(opset) && (opset as number) >= 1)) problems.push(`manifest.opset must be an integer >= 1, got ${JSON.stringify(opset)}`);
  return { copy, problems };
}

/**
 * Checks a manifest's shape and its core API range; throws `E_PLUGIN` or `E_PLUGIN_VERSION`. Each field is
 * read once; what it returns is a frozen copy (the core never reads the plugin's object again), so a
 * getter or Proxy can't make the manifest say one thing when checked and another when used. A getter or
 * Proxy that throws is `E_PLUGIN`.
 */
export function checkManifest(m: unknown): PluginManifest {
  let read: { copy: Record<string, unknown>; problems: string[] };
  try {
    read = readManifest(m);
  } catch (e) {
    throw new HearthError('E_PLUGIN', `A plugin's manifest could not be read: ${describeError(e)}. A manifest is a plain object of data; report this to the plugin's vendor.`, {}, { cause: e });
  }
  const { copy, problems } = read;
  if (problems.length) {
    const name = typeof copy['name'] === 'string' && copy['name'] !== '' ? copy['name'] : '(unnamed)';
    throw new HearthError('E_PLUGIN', `Plugin ${name} has an invalid manifest: ${problems.join('; ')}.`, { problems });
  }
  Object.freeze(copy['deviceTypes']);
  const manifest = Object.freeze(copy) as unknown as PluginManifest;
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
    // The plugin object is read once, here, inside a guard: its manifest and register function.
    let rawManifest: unknown;
    let register: unknown;
    let name = '(unnamed)';
    let version = '?';
    try {
      rawManifest = readOnce(plugin, 'manifest');
      const n = readOnce(rawManifest, 'name');
      const v = readOnce(rawManifest, 'version');
      if (typeof n === 'string' && n !== '') name = n;
      if (typeof v === 'string') version = v;
      register = readOnce(plugin, 'register');
    } catch (e) {
      this.records.push({ name, version, status: 'failed', error: new HearthError('E_PLUGIN', `Plugin ${name} could not be read: ${describeError(e)}. A plugin is a plain object { manifest, register }; report this to the plugin's vendor.`, { plugin: name }, { cause: e }), kernels: 0 });
      return;
    }
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
      if (typeof register !== 'function') throw new HearthError('E_PLUGIN', `Plugin ${name} has no register(host) function; a plugin exports { manifest, register }.`);
      manifest = checkManifest(rawManifest);
      if (manifest.name !== name || manifest.version !== version) {
        throw new HearthError('E_PLUGIN', `Plugin ${name}: its manifest changed while it was read (name or version); a manifest is plain data. Report this to the plugin's vendor.`, { plugin: name });
      }
    } catch (e) {
      this.records.push({ name, version, status: 'failed', error: asPluginError(e, name), kernels: 0 });
      return;
    }
    this.#claimed.set(name, { plugin, version });
    const provenance = Object.freeze({ plugin: name, version });
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
    // What register() gets: frozen, with the process-wide frozen opset; the functions read what they are
    // given once (readFactory, readKernelSpec) and keep copies.
    const host: PluginHost = Object.freeze({
      coreVersion: CORE_API_VERSION,
      opsetVersion: OPSET_VERSION,
      ops: OPSET,
      registerBackend: (given: BackendFactory) => {
        const factory = guardRead(name, 'a backend factory', () => readFactory(given));
        declared('a backend', factory.type);
        if (typeof factory.create !== 'function') throw new HearthError('E_PLUGIN', `${name}: the backend factory for "${factory.type}" has no create(options) function.`, { plugin: name });
        if (factories.some((f) => f.factory.type === factory.type)) throw new HearthError('E_PLUGIN', `${name} registers a "${factory.type}" backend twice; register one factory per device type.`, { plugin: name });
        factories.push({ factory, plugin: name, priority: manifest.priority ?? 0, kernelKey: factory.type });
      },
      registerKernel: <B extends Backend>(given: KernelSpec<B>) => {
        const spec = guardRead(name, 'a kernel spec', () => readKernelSpec(given));
        declared(`a kernel of ${JSON.stringify(spec.op)}`, spec.device);
        checkKernelSpec(spec, name);
        specs.push(spec);
      },
    });
    // Kernels are entered once register() ends, when it is known which of them run on this plugin's own
    // backend (keyed apart when that device type has another provider) and which add to another's.
    const specs: KernelSpec[] = [];
    const done = () => {
      open = false;
      // Another plugin may provide the same type: each provider gets its own devices and kernels, ranked per op by preference.
      const keyed = factories.map((f) => (this.factories.some((o) => o.factory.type === f.factory.type) ? { ...f, kernelKey: `${f.factory.type}@${name}` } : f));
      factories.splice(0, factories.length, ...keyed);
      try {
        for (const spec of specs) {
          const own = factories.find((f) => f.factory.type === spec.device);
          registrations.push(...this.table.register(spec, provenance, mayOverride, own?.kernelKey ?? spec.device));
        }
      } catch (e) {
        fail(e);
        return;
      }
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
      const r = (register as HearthPlugin['register']).call(plugin, host);
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

/** Reads what a plugin passed to the host inside a guard: a throwing getter or Proxy is `E_PLUGIN` naming it. */
function guardRead<T>(plugin: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof HearthError) throw e;
    throw new HearthError('E_PLUGIN', `${plugin} passed ${what} that could not be read: ${describeError(e)}. Pass plain objects to the plugin host.`, { plugin }, { cause: e });
  }
}

/** A backend factory, each field read once, as a frozen copy (`create` bound to the plugin's object). */
function readFactory(given: unknown): BackendFactory {
  const type = readOnce(given, 'type');
  const create = readOnce(given, 'create');
  const lazy = readOnce(given, 'lazy') === true;
  return Object.freeze({ type: type as string, create: (typeof create === 'function' ? bindOnce(create as BackendFactory['create'], given) : create) as BackendFactory['create'], lazy });
}

/** A kernel spec, each field read once, as a frozen copy with its dtypes as a list. */
function readKernelSpec(given: unknown): KernelSpec & { readonly dtypes: readonly unknown[] } {
  const raw = readOnce(given, 'dtypes');
  let dtypes: unknown[];
  if (Array.isArray(raw)) {
    dtypes = [];
    for (let i = 0; i < Math.min(raw.length, DTYPES.length + 1); i++) dtypes.push(raw[i]);
  } else dtypes = [raw];
  return Object.freeze({
    op: readOnce(given, 'op') as string,
    device: readOnce(given, 'device') as string,
    dtypes: Object.freeze(dtypes) as readonly DType[],
    run: readOnce(given, 'run') as KernelFn,
    override: readOnce(given, 'override') === true,
  });
}

/** Throws `E_PLUGIN` unless a kernel spec names a known operator, real dtypes and a run function. */
function checkKernelSpec(spec: KernelSpec & { readonly dtypes: readonly unknown[] }, plugin: string): void {
  const what = `${plugin}: the kernel ${typeof spec.op === 'string' ? spec.op : JSON.stringify(spec.op)} on "${spec.device}"`;
  if (typeof spec.op !== 'string') throw new HearthError('E_PLUGIN', `${what} has no operator name (op must be a string such as "add").`, { plugin });
  if (typeof spec.run !== 'function') throw new HearthError('E_PLUGIN', `${what} has no run function.`, { plugin });
  const bad = spec.dtypes.filter((d) => !isDType(d));
  if (spec.dtypes.length === 0 || bad.length) {
    throw new HearthError('E_PLUGIN', `${what} lists dtypes ${bad.length ? bad.map((d) => (typeof d === 'string' ? JSON.stringify(d) : `a ${typeof d}`)).join(', ') : '(none)'}, which are not Hearth dtypes; use one or more of ${DTYPES.join(', ')}.`, { plugin, op: spec.op, dtypes: bad.map((d) => (typeof d === 'string' ? d : typeof d)) });
  }
  opId(spec.op);
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
