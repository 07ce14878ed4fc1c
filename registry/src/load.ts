import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { CORE_API_VERSION, OPSET_VERSION, pluginExport, type HearthPlugin } from '@hearth/core';
import { RegistryError } from './error.js';
import { findInstalledPlugins, pluginSelection, trustSettings, type PluginSelection } from './discover.js';
import { readIndex } from './index-file.js';
import { standingOf, type Standing } from './standing.js';
import { manifestDisagreements, readPluginPackage, type PluginPackage } from './manifest.js';

/** A plugin found, allowed and imported. */
export interface LoadedPlugin {
  /** The plugin object, ready for `createHearth({ plugins })`. */
  readonly plugin: HearthPlugin;
  /** Its package manifest. */
  readonly package: PluginPackage;
  /** Its folder. */
  readonly dir: string;
}

/** A plugin that was allowed but could not be loaded, with the full cause. */
export interface PluginFailure {
  /** The package name (or the config source, when the configuration itself is bad). */
  readonly name: string;
  /** Its folder, when it was found. */
  readonly dir?: string;
  /** Its version and device types, when its package.json could be read. */
  readonly package?: { readonly version: string; readonly deviceTypes: readonly string[] };
  /** Why: `E_REG_MANIFEST`, `E_REG_LOAD` or `E_REG_CONFIG`, with the underlying error as `cause`. */
  readonly error: RegistryError;
}

/** What {@link loadInstalledPlugins} found. */
export interface DiscoveryResult {
  /** The plugins to pass to `createHearth`. */
  readonly plugins: readonly LoadedPlugin[];
  /** The allowed plugins that could not be loaded. */
  readonly failures: readonly PluginFailure[];
  /** Which plugins were allowed, and why (undefined when the configuration could not be read). */
  readonly selection: PluginSelection | undefined;
}

/** Options of {@link loadInstalledPlugins}. */
export interface DiscoveryOptions {
  /** The project folder (default `process.cwd()`). */
  readonly cwd?: string;
  /** The environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Makes the plugin of a native-only package (a `nativeLibrary` and no `entry`) from its folder: pass
   * `nativePluginFromPackage` of @hearth/plugin-native. Without it such a package is a failure that says so.
   */
  readonly loadNative?: (dir: string) => HearthPlugin | Promise<HearthPlugin>;
  /**
   * `certified`: load only plugins with a standing certificate in the index (`index`, else
   * `HEARTH_INDEX` or hearth.config.json's); the others are failures that say why, and their code is never
   * imported. Default: `HEARTH_REQUIRE` or hearth.config.json's `require`, else any installed plugin.
   */
  readonly require?: 'certified';
  /** The registry index folder to judge certification by. */
  readonly index?: string;
}

async function entryPlugin(dir: string, pkg: PluginPackage, entryPath: string): Promise<HearthPlugin> {
  const entry = join(dir, entryPath);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new RegistryError('E_REG_LOAD', `${pkg.name}: importing ${entry} failed: ${(cause as Error)?.message ?? String(cause)}. Reinstall the package or report it to its vendor (${pkg.hearth.contact}).`, { path: entry, cause });
  }
  const name = pkg.hearth.export;
  const plugin = pluginExport(mod, name);
  if (!plugin) {
    throw new RegistryError('E_REG_LOAD', `${pkg.name}: ${entry} exports no Hearth plugin (an object with a manifest and a register(host) function)${name ? ` under "${name}"` : ''}.`, { path: entry });
  }
  if (plugin.origin) return plugin;
  // Where another process imports it from, for createHearth({ isolate }): the same entry and export.
  const key = Object.keys(mod).find((k) => mod[k] === plugin) ?? 'default';
  return { manifest: plugin.manifest, register: (host) => plugin.register(host), origin: { module: pathToFileURL(entry).href, export: key } };
}

async function nativePlugin(dir: string, pkg: PluginPackage, loadNative: DiscoveryOptions['loadNative']): Promise<HearthPlugin> {
  if (!loadNative) throw new RegistryError('E_REG_LOAD', `${pkg.name} is a native-only plugin (hearth.nativeLibrary, no entry): loading it needs @hearth/plugin-native; install it beside ${pkg.name}.`, { path: join(dir, 'package.json') });
  try {
    return await loadNative(dir);
  } catch (cause) {
    throw new RegistryError('E_REG_LOAD', `${pkg.name}: its native library ${pkg.hearth.nativeLibrary} could not be made a plugin: ${(cause as Error)?.message ?? String(cause)}`, { path: join(dir, pkg.hearth.nativeLibrary ?? ''), cause });
  }
}

/**
 * Imports the plugin of an installed package: a native-only package through `loadNative`, else its `hearth.entry` module, the `hearth.export` export (or
 * `default`, `plugin`, or the first export that is a plugin), and checks the runtime manifest agrees with
 * package.json. Throws `E_REG_MANIFEST` or `E_REG_LOAD` with the underlying error as `cause`.
 */
export async function importInstalledPlugin(dir: string, loadNative?: DiscoveryOptions['loadNative']): Promise<LoadedPlugin> {
  const pkg = readPluginPackage(dir);
  // Refused before importing: an incompatible plugin's module (or native library) is never loaded.
  if (!semver.satisfies(CORE_API_VERSION, pkg.hearth.coreApi)) {
    throw new RegistryError('E_REG_MANIFEST', `${pkg.name}@${pkg.version} supports core API ${pkg.hearth.coreApi}, but this core is ${CORE_API_VERSION}; install a version of the plugin built for core ${CORE_API_VERSION}.`, { path: `${join(dir, 'package.json')}#/hearth/coreApi` });
  }
  if (pkg.hearth.opset > OPSET_VERSION) {
    throw new RegistryError('E_REG_MANIFEST', `${pkg.name}@${pkg.version} implements opset ${pkg.hearth.opset}, but this core has opset ${OPSET_VERSION}; upgrade @hearth/core or install an older version of the plugin.`, { path: `${join(dir, 'package.json')}#/hearth/opset` });
  }
  const plugin = pkg.hearth.entry === undefined ? await nativePlugin(dir, pkg, loadNative) : await entryPlugin(dir, pkg, pkg.hearth.entry);
  const disagreements = manifestDisagreements(pkg, plugin.manifest);
  if (disagreements.length > 0) {
    throw new RegistryError('E_REG_MANIFEST', `${pkg.name}: the runtime manifest disagrees with ${join(dir, 'package.json')}#/hearth:\n${disagreements.map((d) => `  ${d}`).join('\n')}`, { path: join(dir, 'package.json') });
  }
  return { plugin, package: pkg, dir };
}

/** The version and device types of a package that failed, when its package.json says them. */
function packageFacts(dir: string): Pick<PluginFailure, 'package'> {
  try {
    const pkg = readPluginPackage(dir);
    return { package: { version: pkg.version, deviceTypes: pkg.hearth.deviceTypes } };
  } catch {
    return {};
  }
}

/**
 * Discovers and imports the installed plugins the user allows (see `pluginSelection`): never throws,
 * whatever is installed. Each plugin that can't be loaded is a failure with its full cause, and the others
 * still load. The core has no file-system code; this helper is how a Node program gets plugins for it:
 * `createHearth({ plugins: (await loadInstalledPlugins()).plugins.map((p) => p.plugin) })`.
 */
export async function loadInstalledPlugins(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const cwd = options.cwd ?? process.cwd();
  let selection: PluginSelection;
  try {
    selection = pluginSelection(cwd, options.env ?? process.env);
  } catch (e) {
    const error = e instanceof RegistryError ? e : new RegistryError('E_REG_CONFIG', String(e), { cause: e });
    return { plugins: [], failures: [{ name: error.path ?? 'configuration', error }], selection: undefined };
  }
  if (!selection.autoload) return { plugins: [], failures: [], selection };
  const installed = findInstalledPlugins(cwd);
  const plugins: LoadedPlugin[] = [];
  const failures: PluginFailure[] = [];
  let certified: ((name: string, version: string) => Standing) | undefined;
  try {
    const trust = trustSettings(cwd, options.env ?? process.env);
    if ((options.require ?? trust.require) === 'certified') {
      const dir = options.index ?? trust.index;
      if (!dir) throw new RegistryError('E_REG_CONFIG', 'Only certified plugins may load, but no registry index is named: set HEARTH_INDEX or "index" in hearth.config.json (a folder such as the foundation\'s registry index).');
      const index = readIndex(dir);
      certified = (name, version) => standingOf(index, name, version);
    }
  } catch (e) {
    const error = e instanceof RegistryError ? e : new RegistryError('E_REG_CONFIG', String(e), { cause: e });
    return { plugins: [], failures: [{ name: error.path ?? 'configuration', error }], selection };
  }
  for (const name of selection.only ?? []) {
    if (!installed.some((p) => p.name === name)) {
      failures.push({ name, error: new RegistryError('E_REG_CONFIG', `${name} is allowed by ${selection.source} but no installed package of that name has a "hearth" manifest; install it (npm install ${name}) or remove it from the list.`, { path: selection.source }) });
    }
  }
  for (const p of installed) {
    if (selection.only && !selection.only.includes(p.name)) continue;
    if (certified) {
      const facts = packageFacts(p.dir);
      const standing = certified(p.name, facts.package?.version ?? '?');
      if (standing.status !== 'certified') {
        failures.push({ name: p.name, dir: p.dir, ...facts, error: new RegistryError('E_REG_LOAD', `${p.name}@${facts.package?.version ?? '?'} is not loaded: only certified plugins may load here, and it is ${standing.summary}.`, { path: p.dir }) });
        continue;
      }
    }
    try {
      plugins.push(await importInstalledPlugin(p.dir, options.loadNative));
    } catch (e) {
      const error = e instanceof RegistryError ? e : new RegistryError('E_REG_LOAD', `${p.name}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      failures.push({ name: p.name, dir: p.dir, ...packageFacts(p.dir), error });
    }
  }
  return { plugins, failures, selection };
}
