import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RegistryError } from './error.js';
import { readJson, schemaProblems } from './schema.js';

/** An installed package whose package.json has a `hearth` field. */
export interface InstalledPlugin {
  /** The package name. */
  readonly name: string;
  /** Its folder (the one holding package.json). */
  readonly dir: string;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function packageDirs(nodeModules: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const path = join(nodeModules, entry);
    if (entry.startsWith('@')) {
      if (isDir(path)) for (const sub of readdirSync(path)) if (!sub.startsWith('.') && isDir(join(path, sub))) out.push(join(path, sub));
    } else if (isDir(path)) out.push(path);
  }
  return out;
}

/**
 * Finds the plugins installed for a project: every package in `node_modules` (of `cwd` and each folder
 * above it, as Node resolves packages) whose package.json has a `hearth` field. The nearest install of
 * a name wins. Reads files only; imports nothing.
 */
export function findInstalledPlugins(cwd: string = process.cwd()): InstalledPlugin[] {
  const found = new Map<string, InstalledPlugin>();
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const nm = join(dir, 'node_modules');
    if (isDir(nm)) {
      for (const pkgDir of packageDirs(nm)) {
        const read = readJson(join(pkgDir, 'package.json'));
        if (!read.ok || typeof read.data !== 'object' || read.data === null || !('hearth' in read.data)) continue;
        const name = (read.data as { name?: unknown }).name;
        const key = typeof name === 'string' ? name : pkgDir;
        if (!found.has(key)) found.set(key, { name: key, dir: pkgDir });
      }
    }
    if (dirname(dir) === dir) break;
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Which installed plugins to load, and why. */
export interface PluginSelection {
  /** False when autoload is off (`HEARTH_AUTOLOAD=0` or `"autoload": false`). */
  readonly autoload: boolean;
  /** Only these package names, or every installed plugin when undefined. */
  readonly only: readonly string[] | undefined;
  /** Where the choice came from. */
  readonly source: 'default' | 'HEARTH_PLUGINS' | 'HEARTH_AUTOLOAD' | string;
  /**
   * The plugins to run isolated (`true`: all), from hearth.config.json's `isolate`; pass it to
   * `createHearth({ isolate })`. Undefined when the file does not say (then `HEARTH_ISOLATE` decides).
   */
  readonly isolate?: boolean | readonly string[];
}

/** The config file looked for in the project folder. */
export const CONFIG_FILE = 'hearth.config.json';

/**
 * Decides which installed plugins to load: `HEARTH_AUTOLOAD=0` loads none; else `HEARTH_PLUGINS`
 * (comma-separated package names) restricts; else `hearth.config.json` in `cwd` (or the file named by
 * `HEARTH_CONFIG`) may set `autoload` and `plugins` (and `isolate`, returned for `createHearth`); else every installed plugin. Throws `E_REG_CONFIG`
 * naming the file and field for a malformed config file or an unknown `HEARTH_AUTOLOAD` value.
 */
export function pluginSelection(cwd: string = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): PluginSelection {
  // The variables win over the file; its `isolate` still applies when the file is valid.
  const fileIsolate = () => {
    let isolate: boolean | string[] | undefined;
    try {
      isolate = readConfig(cwd, env)?.data.isolate;
    } catch {
      isolate = undefined;
    }
    return isolate === undefined ? {} : { isolate };
  };
  const autoloadVar = env['HEARTH_AUTOLOAD'];
  if (autoloadVar !== undefined && autoloadVar !== '') {
    if (autoloadVar === '0' || autoloadVar === 'false') return { autoload: false, only: undefined, source: 'HEARTH_AUTOLOAD', ...fileIsolate() };
    if (autoloadVar !== '1' && autoloadVar !== 'true') throw new RegistryError('E_REG_CONFIG', `HEARTH_AUTOLOAD="${autoloadVar}" is not understood; set it to 0 (load no plugin) or 1 (load the installed ones).`, { path: 'HEARTH_AUTOLOAD' });
  }
  const listVar = env['HEARTH_PLUGINS'];
  if (listVar !== undefined && listVar.trim() !== '') {
    return { autoload: true, only: listVar.split(',').map((s) => s.trim()).filter(Boolean), source: 'HEARTH_PLUGINS', ...fileIsolate() };
  }
  const config = readConfig(cwd, env);
  if (!config) return { autoload: true, only: undefined, source: 'default' };
  return { autoload: config.data.autoload ?? true, only: config.data.plugins, source: config.file, ...(config.data.isolate === undefined ? {} : { isolate: config.data.isolate }) };
}

/** The config file's contents (undefined when there is none), validated; `E_REG_CONFIG` when it is malformed. */
function readConfig(cwd: string, env: Readonly<Record<string, string | undefined>>): { file: string; data: { autoload?: boolean; plugins?: string[]; isolate?: boolean | string[] } } | undefined {
  const file = env['HEARTH_CONFIG'] ? resolve(cwd, env['HEARTH_CONFIG']) : join(resolve(cwd), CONFIG_FILE);
  const read = readJson(file);
  if (!read.ok) {
    if (!env['HEARTH_CONFIG'] && /ENOENT/.test(read.reason)) return undefined;
    throw new RegistryError('E_REG_CONFIG', `${read.reason}.`, { path: file });
  }
  const problems = schemaProblems('config', read.data);
  if (problems.length > 0) throw new RegistryError('E_REG_CONFIG', `${file} is not a valid Hearth config:\n${problems.map((p) => `  ${file}#${p}`).join('\n')}`, { path: file });
  return { file, data: read.data as { autoload?: boolean; plugins?: string[]; isolate?: boolean | string[] } };
}

/** What the project trusts: a registry index to judge installed plugins by, and whether to load only certified ones. */
export interface TrustSettings {
  /** The index folder (absolute), from `HEARTH_INDEX` or hearth.config.json's `index`. */
  readonly index?: string;
  /** `certified`: load only plugins with a standing certificate in the index. */
  readonly require?: 'certified';
}

/**
 * Reads the trust settings: `HEARTH_INDEX` and `HEARTH_REQUIRE` first, then hearth.config.json's `index`
 * (relative to the file) and `require`. Throws `E_REG_CONFIG` for an unknown `HEARTH_REQUIRE` value.
 */
export function trustSettings(cwd: string = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): TrustSettings {
  const file = env['HEARTH_CONFIG'] ? resolve(cwd, env['HEARTH_CONFIG']) : join(resolve(cwd), CONFIG_FILE);
  const read = readJson(file);
  const config = read.ok && schemaProblems('config', read.data).length === 0 ? (read.data as { index?: string; require?: 'certified' }) : {};
  const requireVar = env['HEARTH_REQUIRE']?.trim();
  if (requireVar && requireVar !== 'certified') throw new RegistryError('E_REG_CONFIG', `HEARTH_REQUIRE="${requireVar}" is not understood; set it to "certified" or unset it.`, { path: 'HEARTH_REQUIRE' });
  const index = env['HEARTH_INDEX']?.trim() ? resolve(cwd, env['HEARTH_INDEX'].trim()) : config.index ? resolve(dirname(file), config.index) : undefined;
  const require = requireVar ? 'certified' : config.require;
  return { ...(index ? { index } : {}), ...(require ? { require } : {}) };
}
