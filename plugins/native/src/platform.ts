import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { familySync, MUSL } from 'detect-libc';
import { HearthError } from '@hearth/core';

/**
 * This machine's platform as per-platform packages are named: `<os>-<cpu>`, with the C library on Linux
 * (`linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64`), as npm's `os`, `cpu` and `libc`
 * fields select them.
 */
export function nativePlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? `${base}-${familySync() === MUSL ? 'musl' : 'gnu'}` : base;
}

/** Where a plugin's per-platform libraries are, for {@link platformLibrary}. */
export interface PlatformLibraryOptions {
  /** The plugin's package name; platform `p`'s package is `<plugin>-<p>`, an optional dependency of it. */
  readonly plugin: string;
  /** The plugin's version, which its platform packages share (for the install command in messages). */
  readonly version?: string;
  /** The platforms a package is published for, as {@link nativePlatform} names them. */
  readonly platforms: readonly string[];
  /** The library's file name inside each platform package, e.g. `libnpu.so`. */
  readonly file: string;
  /** The module the packages are resolved from: the plugin's `import.meta.url`. */
  readonly from: string | URL;
  /**
   * The plugin's own checkout, `platforms/` beside `src/`, where its build puts `<platform>/<file>`; used
   * when that file exists (the published package doesn't ship the folder).
   */
  readonly checkout?: string | URL;
}

/**
 * The path of this platform's shared library among a plugin's per-platform packages (the esbuild and ONNX
 * Runtime pattern: one optional dependency per platform, each with `os`/`cpu`/`libc` fields, so npm
 * installs only the one that fits). Throws `E_UNSUPPORTED` when no package is published for this platform
 * and `E_NOT_INSTALLED`, naming the package to install, when its package is missing (npm skips optional
 * dependencies with `--omit=optional`, and a lockfile written on another platform may lack it).
 */
export function platformLibrary(options: PlatformLibraryOptions): string {
  const platform = nativePlatform();
  const { plugin, file } = options;
  if (options.checkout !== undefined) {
    const local = join(toPath(options.checkout), platform, file);
    if (existsSync(local)) return local;
  }
  if (!options.platforms.includes(platform)) {
    throw new HearthError(
      'E_UNSUPPORTED',
      `${plugin} has no native library for this platform, ${platform}: it is published for ${options.platforms.join(', ') || 'no platform'}. Ask its vendor for a ${platform} build, or build it from its sources (npm run build in its repository).`,
      { plugin, platform, platforms: [...options.platforms] },
    );
  }
  const pkg = `${plugin}-${platform}`;
  let manifestPath: string;
  try {
    manifestPath = createRequire(options.from).resolve(`${pkg}/package.json`);
  } catch {
    const install = `npm i ${pkg}${options.version ? `@${options.version}` : ''}`;
    throw new HearthError(
      'E_NOT_INSTALLED',
      `${plugin} needs its native library for ${platform} from the package ${pkg}, an optional dependency that is not installed (npm skips optional dependencies with --omit=optional, and a lockfile written on another platform may lack it). Install it: ${install}`,
      { plugin, platform, package: pkg },
    );
  }
  const library = join(dirname(manifestPath), file);
  if (!existsSync(library)) {
    throw new HearthError('E_PLUGIN', `${pkg} is installed but has no ${file} (${library}): it was published without its build. Reinstall it, or report it to ${plugin}'s vendor.`, { plugin, platform, package: pkg, library });
  }
  return library;
}

function toPath(u: string | URL): string {
  return typeof u === 'string' && !u.startsWith('file:') ? u : fileURLToPath(u);
}
