import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { CORE_API_VERSION, describeError, HearthError, type HearthPlugin } from '@hearth/core';
import { createNativePlugin } from './plugin.js';

/** Finds an installed package's folder from the current directory (no `exports` entry needed). */
function packageDir(spec: string): string {
  if (spec.startsWith('.') || spec.startsWith('/')) return resolve(spec);
  const paths = createRequire(resolve('package.json')).resolve.paths(spec) ?? [];
  const dir = paths.map((p) => join(p, spec)).find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new HearthError('E_PLUGIN', `Package ${spec} is not installed here (looked in ${paths.slice(0, 3).join(', ')}, ...); install it or pass its folder.`, { spec });
  return dir;
}

/**
 * A plugin over the shared library a package's manifest names: `hearth.nativeLibrary` in its package.json
 * (a path relative to the package), with the manifest from the package's `name`, `version` and `hearth`
 * fields (`vendor`, `deviceTypes`, `coreApi`, and `opset`: the opset whose primitives the library has, 1
 * when absent). `spec` is an installed package name or a package folder. Throws `E_PLUGIN` naming the field
 * that is missing or wrong; the library itself is opened (and checked) when the plugin registers.
 */
export function nativePluginFromPackage(spec: string): HearthPlugin {
  const dir = packageDir(spec);
  const file = join(dir, 'package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new HearthError('E_PLUGIN', `${file} could not be read as JSON: ${describeError(e)}.`, { file }, { cause: e });
  }
  const hearth = (pkg['hearth'] ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const str = (v: unknown, path: string) => (typeof v === 'string' && v !== '' ? v : (problems.push(`${path} must be a non-empty string`), ''));
  const name = str(pkg['name'], 'name');
  const version = str(pkg['version'], 'version');
  const library = str(hearth['nativeLibrary'], 'hearth.nativeLibrary');
  const vendor = str(hearth['vendor'], 'hearth.vendor');
  const deviceTypes = hearth['deviceTypes'];
  if (!Array.isArray(deviceTypes) || deviceTypes.length === 0 || !deviceTypes.every((d) => typeof d === 'string')) problems.push('hearth.deviceTypes must be a non-empty array of strings');
  if (hearth['coreApi'] !== undefined && typeof hearth['coreApi'] !== 'string') problems.push('hearth.coreApi must be a string');
  const opset = hearth['opset'];
  if (opset !== undefined && !(Number.isSafeInteger(opset) && (opset as number) >= 1)) problems.push(`hearth.opset must be an integer >= 1, got ${JSON.stringify(opset)}`);
  if (problems.length) throw new HearthError('E_PLUGIN', `${file} does not describe a native plugin: ${problems.join('; ')}.`, { file, problems });
  return createNativePlugin({
    library: resolve(dir, library),
    manifest: {
      name,
      version,
      vendor,
      deviceTypes: deviceTypes as string[],
      coreApi: (hearth['coreApi'] as string | undefined) ?? `^${CORE_API_VERSION.split('.')[0]}.0.0`,
      ...(opset !== undefined ? { opset: opset as number } : {}),
    },
  });
}
