import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Every published (not private) Hearth package by its workspace folder, from the root's `workspaces`. */
export const PUBLISHED: Readonly<Record<string, string>> = Object.fromEntries(
  (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces
    .map((folder) => [JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8')) as { name: string; private?: boolean }, folder] as const)
    .filter(([pkg]) => !pkg.private)
    .map(([pkg, folder]) => [pkg.name, folder]),
);

/** The environment for npm in a project outside the repository: none of the calling npm's settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

/** Packs the published packages (already built) into a new temp folder; returns tarball paths by package name. */
export function packAll(names: readonly string[] = Object.keys(PUBLISHED)): { dir: string; tarballs: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-packed-'));
  const out = execFileSync('npm', ['pack', ...names.flatMap((n) => ['-w', PUBLISHED[n]!]), '--pack-destination', dir, '--json'], {
    cwd: REPO,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  return { dir, tarballs: Object.fromEntries(packed.map((p) => [p.name, join(dir, p.filename)])) };
}

/**
 * Makes a project in a new folder under `parent` depending on `deps` (package name to version spec), with
 * every packed Hearth package standing in for its registry version (npm `overrides`), and installs it from
 * the npm cache where it can. Returns the project folder.
 */
export function installProject(parent: string, name: string, deps: Record<string, string>, tarballs: Record<string, string>, dev = false): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const overrides = Object.fromEntries(Object.entries(tarballs).map(([n, t]) => [n, `file:${t}`]));
  const resolved = Object.fromEntries(Object.entries(deps).map(([n, v]) => [n, tarballs[n] ? `file:${tarballs[n]}` : v]));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '0.0.0', private: true, type: 'module', [dev ? 'devDependencies' : 'dependencies']: resolved, overrides }, null, 2)}\n`,
  );
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: cleanEnv(), stdio: 'pipe' });
  return dir;
}
