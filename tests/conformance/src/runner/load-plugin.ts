import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, HearthError, pluginExport, type HearthPlugin } from '@hearth/core';

/**
 * Imports a plugin by package name or file path (`./dist/index.js`, optionally `#exportName`), the way the
 * `hearth` CLI does. A package name resolves from the current directory first (the vendor's project), then
 * from the suite's own install. Throws E_PLUGIN when nothing importable exports `{ manifest, register }`.
 */
export async function loadPlugin(spec: string): Promise<HearthPlugin> {
  const [target, exportName] = spec.split('#') as [string, string | undefined];
  const isPath = target.startsWith('.') || target.startsWith('/') || /\.[cm]?js$/.test(target);
  let url: string = target;
  if (isPath) url = pathToFileURL(resolve(target)).href;
  else {
    try {
      url = pathToFileURL(createRequire(resolve('package.json')).resolve(target)).href;
    } catch {
      // Not installed in the current project: let the suite's own resolution try.
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new HearthError('E_PLUGIN', `Could not import plugin "${spec}": ${describeError(e)}. Pass an installed package name or the path of a built plugin module.`, { spec }, { cause: e });
  }
  const found = pluginExport(mod, exportName);
  if (!found) {
    throw new HearthError('E_PLUGIN', `"${spec}" is not a Hearth plugin: it exports no object with a manifest and a register(host) function${exportName ? ` under "${exportName}"` : ''}.`, { spec });
  }
  return found;
}
