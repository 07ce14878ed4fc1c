import validateName from 'validate-npm-package-name';
import { HearthError } from '@hearth/core';
import { DEFAULT_PLATFORMS, NATIVE_PLATFORMS } from './platforms.js';

/** What `hearth plugin init` is asked for. */
export interface ScaffoldOptions {
  /** The npm package name, e.g. `@acme/hearth-plugin-npu`. */
  readonly name: string;
  /** The device type the plugin brings, e.g. `npu`. */
  readonly device: string;
  /** Who publishes it (default: the package scope, or the name). */
  readonly vendor?: string;
  /** Where to report problems: an email address or a URL. */
  readonly contact?: string;
  /** A native plugin: a C skeleton on `hearth_plugin.h` with its build, loaded through @hearth/plugin-native. */
  readonly native?: boolean;
  /** A native plugin's platforms, one package each (default: linux-x64-gnu and linux-arm64-gnu). */
  readonly platforms?: readonly string[];
}

/** The options with defaults applied and derived names, after validation. */
export interface ScaffoldPlan extends Required<ScaffoldOptions> {
  /** The backend class name, e.g. `NpuBackend`. */
  readonly backendClass: string;
  /** The Hearth package version range to depend on, e.g. `^1.0.0`. */
  readonly hearthRange: string;
}

/** Device types: what the registry's manifest schema accepts. */
const DEVICE_TYPE = /^[a-z][a-z0-9-]*$/;

/** Checks the options (E_ARG with what to change) and fills in the defaults. */
export function planScaffold(options: ScaffoldOptions, hearthVersion: string): ScaffoldPlan {
  const check = validateName(options.name);
  if (!check.validForNewPackages) {
    const why = [...(check.errors ?? []), ...(check.warnings ?? [])].join('; ');
    throw new HearthError('E_ARG', `"${options.name}" is not a valid npm package name (${why}); use something like @acme/hearth-plugin-npu.`, { name: options.name });
  }
  if (!DEVICE_TYPE.test(options.device)) {
    throw new HearthError('E_ARG', `--device "${options.device}" is not a device type: use lower-case letters, digits and dashes, starting with a letter (npu, my-accel).`, { device: options.device });
  }
  if (options.platforms && !options.native) {
    throw new HearthError('E_ARG', '--platforms is for native plugins: add --native, or leave --platforms out (a TypeScript plugin runs on every platform).', {});
  }
  const platforms = [...new Set(options.platforms ?? DEFAULT_PLATFORMS)];
  const unknown = platforms.filter((x) => !Object.hasOwn(NATIVE_PLATFORMS, x));
  if (unknown.length > 0 || platforms.length === 0) {
    throw new HearthError('E_ARG', `--platforms ${unknown.length > 0 ? `"${unknown.join(', ')}" is not a platform the scaffold builds for` : 'is empty'}: choose from ${Object.keys(NATIVE_PLATFORMS).join(', ')}.`, { platforms });
  }
  const scope = /^@([^/]+)\//.exec(options.name)?.[1];
  const vendor = options.vendor ?? scope ?? options.name;
  const pascal = options.device.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  return {
    name: options.name,
    device: options.device,
    vendor,
    contact: options.contact ?? `https://www.npmjs.com/package/${options.name}`,
    native: options.native ?? false,
    platforms,
    backendClass: `${pascal}Backend`,
    hearthRange: `^${hearthVersion}`,
  };
}
