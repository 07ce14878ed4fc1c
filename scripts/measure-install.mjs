#!/usr/bin/env node
// Measures what `npm i -D @hearth/cli @hearth/conformance` costs a vendor (the light path), beside installing
// every Hearth package: packs the workspaces (build first), installs the tarballs into empty projects outside
// the repository, and prints install time and node_modules size, with a cold npm cache (everything
// downloaded) and a warm one. Usage: node scripts/measure-install.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const folders = root.workspaces.filter((w) => !JSON.parse(readFileSync(join(repo, w, 'package.json'), 'utf8')).private);
const work = mkdtempSync(join(tmpdir(), 'hearth-measure-'));
const packed = JSON.parse(execFileSync('npm', ['pack', ...folders.flatMap((f) => ['-w', f]), '--pack-destination', work, '--json'], { cwd: repo, env, encoding: 'utf8' }));
const tarballs = Object.fromEntries(packed.map((p) => [p.name, join(work, p.filename)]));

function measure(label, names, cache) {
  const dir = mkdtempSync(join(work, 'project-'));
  const overrides = Object.fromEntries(Object.entries(tarballs).filter(([n]) => !names.includes(n)).map(([n, t]) => [n, `file:${t}`]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'measure', private: true, type: 'module', overrides }));
  const args = ['install', '-D', ...names.map((n) => tarballs[n]), '--no-audit', '--no-fund', '--loglevel=error', ...(cache ? ['--cache', cache] : ['--prefer-offline'])];
  const t0 = performance.now();
  execFileSync('npm', args, { cwd: dir, env, stdio: 'pipe' });
  const seconds = (performance.now() - t0) / 1000;
  const kb = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  const packages = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, env, encoding: 'utf8' }).trim().split('\n').length - 1;
  console.log(`${label.padEnd(44)} ${cache ? 'cold' : 'warm'} cache: ${seconds.toFixed(1).padStart(5)} s, ${(kb / 1024).toFixed(1).padStart(6)} MB, ${packages} packages`);
}

const light = ['@hearth/cli', '@hearth/conformance'];
for (const cold of [true, false]) {
  measure('npm i -D @hearth/cli @hearth/conformance', light, cold ? mkdtempSync(join(work, 'cache-')) : undefined);
  measure('every Hearth package', Object.keys(tarballs), cold ? mkdtempSync(join(work, 'cache-')) : undefined);
}
rmSync(work, { recursive: true, force: true });
