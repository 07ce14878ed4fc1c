import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { RegistryError } from './error.js';

/**
 * The folder of the package a plugin spec names: for a package name, where it resolves from `cwd`; for a
 * module path (optionally `#export`), the nearest folder above it with a package.json. Throws
 * `E_REG_MANIFEST` when there is none.
 */
export function packageDirOf(spec: string, cwd: string = process.cwd()): string {
  const target = spec.split('#')[0]!;
  const isPath = target.startsWith('.') || target.startsWith('/') || /\.[cm]?js$/.test(target);
  let start: string;
  if (isPath) start = dirname(resolve(cwd, target));
  else {
    // From the project first, then from Hearth's own install: where the conformance runner finds it too.
    const found = [join(resolve(cwd), 'package.json'), import.meta.url].map((from) => {
      try {
        return createRequire(from).resolve(target);
      } catch {
        return undefined;
      }
    }).find((x) => x !== undefined);
    if (!found) throw new RegistryError('E_REG_MANIFEST', `${target} is not installed in ${cwd}; install it, or name the plugin by its module path.`, { path: target });
    start = dirname(found);
  }
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (isPath || (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === target)) return dir;
    if (dirname(dir) === dir) throw new RegistryError('E_REG_MANIFEST', `No package.json above ${start}: a certified plugin must be a package with a "hearth" field.`, { path: start });
  }
}
