// Test support: compute a costly value once per test run and share it between test files (which run in
// separate workers). The value is kept in the run's own folder (global-setup.ts), under a key that hashes
// every input file it depends on, so an edit during a watch session computes it afresh, never reuses it.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import { inject } from 'vitest';
import type {} from './global-setup.js'; // the type of inject('runCacheDir')

const SKIPPED = new Set(['node_modules', 'dist', '.stryker-tmp', 'reports']);

/** A hash of every file under `roots` (build outputs and installed modules aside), names and contents. */
export function hashInputs(roots: readonly string[]): string {
  const hash = createHash('sha256').update(process.version);
  const walk = (path: string): void => {
    if (!existsSync(path)) return void hash.update(`missing ${path}\n`);
    if (!statSync(path).isDirectory()) return void hash.update(`${path}\n`).update(readFileSync(path)).update('\n');
    const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (SKIPPED.has(e.name) || e.name.startsWith('.stryker-tmp')) continue;
      const p = join(path, e.name);
      if (e.isDirectory() || e.isFile()) walk(p);
    }
  };
  for (const root of roots) walk(root);
  return hash.digest('hex').slice(0, 32);
}

/** True while the process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `compute()`'s value, computed by the first test file of this run that asks for `name` with these
 * `inputs` (files and folders it reads), and read back (a structured clone) by every later one. A file that
 * asks while another computes waits for it rather than competing for the same cores.
 */
export async function oncePerRun<T>(name: string, inputs: readonly string[], compute: () => Promise<T>): Promise<T> {
  const file = join(inject('runCacheDir'), `${name}-${hashInputs(inputs)}.v8`);
  const lock = `${file}.lock`;
  for (;;) {
    if (existsSync(file)) return deserialize(readFileSync(file)) as T;
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lock, 'utf8') || 0);
      if (holder && !alive(holder)) rmSync(lock, { force: true }); // its computer died: compute it here
      else await sleep(100);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const value = await compute();
      writeFileSync(`${file}.${process.pid}`, serialize(value));
      renameSync(`${file}.${process.pid}`, file); // readers see the whole file or none
      return value;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}
