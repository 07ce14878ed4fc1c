import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { HearthError, type HearthPlugin } from '@hearth/core';

/** The first-party plugin packages `hearth` looks for when none is named. */
export const KNOWN_PLUGINS: readonly string[] = ['@hearth/plugin-cpu', '@hearth/plugin-wasm', '@hearth/plugin-webgpu', '@hearth/plugin-native', '@hearth/plugin-cuda'];

/** A plugin package that was looked for and could not be used. */
export interface PluginLoadFailure {
  /** The package name or path. */
  readonly spec: string;
  /** Why. */
  readonly error: HearthError;
}

function isPlugin(x: unknown): x is HearthPlugin {
  return typeof x === 'object' && x !== null && typeof (x as HearthPlugin).register === 'function' && typeof (x as HearthPlugin).manifest === 'object';
}

/**
 * Imports a plugin from a package name or a file path (`./my-plugin.js`, optionally `#exportName`).
 * Throws `E_PLUGIN` when it can't be imported or exports no plugin (`{ manifest, register }`).
 */
export async function importPlugin(spec: string): Promise<HearthPlugin> {
  const [target, exportName] = spec.split('#') as [string, string | undefined];
  const isPath = target.startsWith('.') || target.startsWith('/') || /\.[cm]?js$/.test(target);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(isPath ? pathToFileURL(resolve(target)).href : target)) as Record<string, unknown>;
  } catch (e) {
    throw new HearthError('E_PLUGIN', `Could not import plugin "${spec}": ${(e as Error).message}. Pass an installed package name or the path of a built plugin module.`, { spec }, { cause: e });
  }
  const candidates = exportName ? [mod[exportName]] : [mod['default'], mod['plugin'], ...Object.values(mod)];
  const found = candidates.find(isPlugin);
  if (!found) {
    throw new HearthError(
      'E_PLUGIN',
      `"${spec}" is not a Hearth plugin: it exports no object with a manifest and a register(host) function${exportName ? ` under "${exportName}"` : ''}.`,
      { spec },
    );
  }
  return found;
}

/** Imports every known first-party plugin that is installed; a missing or broken one is reported, not thrown. */
export async function importInstalledPlugins(specs: readonly string[] = KNOWN_PLUGINS): Promise<{ plugins: HearthPlugin[]; failures: PluginLoadFailure[] }> {
  const plugins: HearthPlugin[] = [];
  const failures: PluginLoadFailure[] = [];
  for (const spec of specs) {
    try {
      plugins.push(await importPlugin(spec));
    } catch (e) {
      const missing = (e as HearthError).cause && /Cannot find (package|module)/.test(String((e as Error & { cause?: Error }).cause?.message));
      if (!missing || !KNOWN_PLUGINS.includes(spec)) failures.push({ spec, error: e as HearthError });
    }
  }
  return { plugins, failures };
}
