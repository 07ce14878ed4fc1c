import { resolve } from 'node:path';
import type { HearthPlugin } from '@hearth/core';
import { loadPlugin } from '@hearth/conformance';
import { isMissingPackage, notInstalled } from './optional.js';
import { loadInstalledPlugins, packageDirOf, readPluginPackage, type DiscoveryOptions, type LoadedPlugin } from '@hearth/registry';

/** A plugin package that was looked for and could not be used. */
export interface PluginLoadFailure {
  /** The package name or path. */
  readonly spec: string;
  /** Why (a HearthError or a RegistryError, with the underlying error as `cause`). */
  readonly error: Error & { readonly code: string };
  /** The version and device types its package.json declares, when it could be read. */
  readonly package?: { readonly version: string; readonly deviceTypes: readonly string[] };
}

/**
 * Imports a plugin from a package name or a file path (`./my-plugin.js`, optionally `#exportName`), as
 * the conformance runner does: a package name resolves from the current project first. Throws `E_PLUGIN`
 * when it can't be imported or exports no plugin (`{ manifest, register }`).
 */
export const importPlugin: (spec: string) => Promise<HearthPlugin> = loadPlugin;

/**
 * The spec that imports a discovered plugin in another process: its entry module's path and export;
 * undefined for a native-only plugin (no module to import).
 */
export function specOf(p: LoadedPlugin): string | undefined {
  const { entry, export: name } = p.package.hearth;
  return entry === undefined ? undefined : `${resolve(p.dir, entry)}${name ? `#${name}` : ''}`;
}

/** Makes a native-only package's plugin through @hearth/plugin-native (an optional peer of the CLI). */
async function loadNative(dir: string): Promise<HearthPlugin> {
  let native: typeof import('@hearth/plugin-native');
  try {
    native = await import('@hearth/plugin-native');
  } catch (e) {
    if (isMissingPackage(e, '@hearth/plugin-native')) throw notInstalled('@hearth/plugin-native', 'A native-only plugin');
    throw e;
  }
  return native.nativePluginFromPackage(dir);
}

/**
 * Discovers and imports the installed plugins the user allows (every package in node_modules with a
 * `hearth` manifest; `HEARTH_PLUGINS`, hearth.config.json or `HEARTH_AUTOLOAD=0` restrict it). A plugin
 * that can't be loaded is reported with its cause, never thrown.
 */
export async function importInstalledPlugins(options: DiscoveryOptions = {}): Promise<{
  plugins: HearthPlugin[];
  loaded: readonly LoadedPlugin[];
  failures: PluginLoadFailure[];
  /** hearth.config.json's `isolate`, for `createHearth({ isolate })`. */
  isolate?: boolean | readonly string[];
}> {
  const found = await loadInstalledPlugins({ loadNative, ...options });
  return {
    plugins: found.plugins.map((p) => p.plugin),
    loaded: found.plugins,
    failures: found.failures.map((f) => ({ spec: f.name, error: f.error, ...(f.package ? { package: f.package } : {}) })),
    ...(found.selection?.isolate !== undefined ? { isolate: found.selection.isolate } : {}),
  };
}

/**
 * The profile a plugin is judged by: the first its package's manifest claims (`hearth.profiles`), the one
 * it is certified for, when the plugin is a package that has one. Undefined for a bare module path.
 */
export function claimedProfile(plugin: string): string | undefined {
  try {
    return readPluginPackage(packageDirOf(plugin)).hearth.profiles[0];
  } catch {
    return undefined; // a bare module path or an unpackaged plugin: no claim to follow
  }
}
