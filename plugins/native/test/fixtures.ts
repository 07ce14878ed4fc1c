import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { HearthError } from '@hearth/core';

const here = dirname(fileURLToPath(import.meta.url));
/** Where test libraries are compiled (ignored by git, inside the package so modules there resolve @hearth/*). */
export const FIXTURE_DIR = join(here, '../build/test');

/**
 * Compiles a C fixture into a shared library with the C compiler the build uses (real compiled code), one
 * library per set of -D flags. Returns its path.
 */
export function buildFixture(source: string, name: string, defines: readonly string[] = []): string {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const out = join(FIXTURE_DIR, `lib${name}.so`);
  const args = ['-std=c11', '-O1', '-fPIC', '-shared', '-fvisibility=hidden', `-I${join(here, '../include')}`, ...defines.map((d) => `-D${d}`), '-o', out, join(here, 'fixtures', source), '-lm'];
  execFileSync(process.env['CC'] ?? 'cc', args, { stdio: 'pipe' });
  return out;
}

/** Writes a plugin module over a native library, importable by path (for the conformance runner's child). */
export function pluginModule(name: string, library: string): string {
  const path = join(FIXTURE_DIR, `${name}.mjs`);
  writeFileSync(path, `import { loadNativePlugin } from '@hearth/plugin-native';\nexport default loadNativePlugin(${JSON.stringify(library)});\n`);
  return path;
}

/** The HearthError `f` throws; fails the test when it throws something else or nothing. */
export function errorOf(f: () => unknown): HearthError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error('expected a HearthError');
}
