import { join } from 'node:path';
import type { PluginManifest } from '@hearth/core';
import { RegistryError } from './error.js';
import { readJson, schemaProblems } from './schema.js';

/** A certification profile of the conformance suite: an op profile, or a model profile (`models-opset2-set1`). */
export type ProfileName = 'core' | 'core-partial' | 'float16' | 'float64' | `models-opset${number}-${string}`;

/** The `hearth` field of a plugin's package.json (schema/manifest.schema.json). */
export interface HearthField {
  /** The module exporting the plugin, relative to the package root, e.g. `"./dist/index.js"`; absent for a native-only plugin. */
  readonly entry?: string;
  /** The export holding the plugin; by default `default`, `plugin` or the first export that is a plugin. */
  readonly export?: string;
  /** The device types it provides (equal to the runtime manifest's). */
  readonly deviceTypes: readonly string[];
  /** The core API range it supports (equal to the runtime manifest's). */
  readonly coreApi: string;
  /** The opset version it implements. */
  readonly opset: number;
  /** The conformance profiles it claims; each must be certified. */
  readonly profiles: readonly ProfileName[];
  /** Who publishes it (equal to the runtime manifest's). */
  readonly vendor: string;
  /** An email address or URL for reports. */
  readonly contact: string;
  /** Its shared library, relative to the package root, where it has one (without `entry`: a native-only plugin). */
  readonly nativeLibrary?: string;
}

/** A plugin package: its name, version and `hearth` field, as found on disk. */
export interface PluginPackage {
  /** The package name. */
  readonly name: string;
  /** The package version. */
  readonly version: string;
  /** The `hearth` field. */
  readonly hearth: HearthField;
}

/**
 * Checks parsed package.json data as a plugin package; throws `E_REG_MANIFEST` naming `file` and the JSON
 * pointer of every problem (e.g. `package.json#/hearth/deviceTypes/0: must match pattern ...`).
 */
export function parsePluginPackage(data: unknown, file: string): PluginPackage {
  const problems: string[] = [];
  const pkg = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof pkg['name'] !== 'string' || pkg['name'] === '') problems.push('/name: required, a package name');
  if (typeof pkg['version'] !== 'string' || pkg['version'] === '') problems.push('/version: required, a semver version');
  if (!('hearth' in pkg)) problems.push('/hearth: required field missing (the plugin manifest)');
  else problems.push(...schemaProblems('manifest', pkg['hearth'], '/hearth'));
  if (problems.length > 0) {
    throw new RegistryError('E_REG_MANIFEST', `${file} is not a valid Hearth plugin manifest:\n${problems.map((p) => `  ${file}#${p}`).join('\n')}\nSee the manifest schema in @hearth/registry/schema/manifest.schema.json.`, { path: `${file}#${problems[0]!.split(':')[0]}` });
  }
  return { name: pkg['name'] as string, version: pkg['version'] as string, hearth: pkg['hearth'] as HearthField };
}

/** Reads `<dir>/package.json` as a plugin package (see {@link parsePluginPackage}). */
export function readPluginPackage(dir: string): PluginPackage {
  const file = join(dir, 'package.json');
  const read = readJson(file);
  if (!read.ok) throw new RegistryError('E_REG_MANIFEST', `${read.reason}.`, { path: file });
  return parsePluginPackage(read.data, file);
}

/**
 * The ways a plugin's runtime manifest disagrees with its package's `hearth` field: name, version,
 * vendor, device types (as sets) and core API range must be the same. Empty when they agree.
 */
export function manifestDisagreements(pkg: PluginPackage, runtime: PluginManifest): string[] {
  const out: string[] = [];
  const same = (field: string, a: unknown, b: unknown): void => {
    if (a !== b) out.push(`${field}: package.json says ${JSON.stringify(a)}, the plugin's runtime manifest says ${JSON.stringify(b)}`);
  };
  same('name', pkg.name, runtime.name);
  same('version', pkg.version, runtime.version);
  same('vendor', pkg.hearth.vendor, runtime.vendor);
  same('coreApi', pkg.hearth.coreApi, runtime.coreApi);
  const a = [...pkg.hearth.deviceTypes].sort().join(',');
  const b = [...(Array.isArray(runtime.deviceTypes) ? runtime.deviceTypes : [])].sort().join(',');
  same('deviceTypes', a, b);
  return out;
}
