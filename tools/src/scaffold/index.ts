import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HearthError } from '@hearth/core';
import { planScaffold, type ScaffoldOptions } from './options.js';
import { certifyWorkflow, gitignore, packageJson, readme } from './package.js';
import { backendTs, indexTs, kernelsTs, tsconfigJson } from './typescript.js';
import { makefile, nativeIndexTs, pluginC } from './native.js';
import { buildNativeScript, platformPackageJson, platformPackageName, platformReadme, releaseWorkflow } from './platforms.js';

export type { ScaffoldOptions } from './options.js';
export { NATIVE_PLATFORMS } from './platforms.js';

/**
 * The files of a new plugin package, by path relative to its folder: the package.json with its `hearth`
 * manifest, a TypeScript skeleton (a working host-memory backend and no kernels) or, with `native`, a C
 * skeleton on `hearth_plugin.h` with its Makefile, one package per platform for its library (`platforms`)
 * and the TypeScript that loads this platform's, the conformance run as
 * `npm test`, a GitHub Actions workflow that certifies and keeps the bundle, and a README with next steps.
 * Throws `E_ARG` for an invalid package name or device type. `hearthVersion` is the Hearth release the
 * plugin builds against.
 */
export function scaffoldPlugin(options: ScaffoldOptions, hearthVersion: string): Map<string, string> {
  const p = planScaffold(options, hearthVersion);
  const common: [string, string][] = [
    ['.github/workflows/certify.yml', certifyWorkflow(p)],
    ['.gitignore', gitignore(p)],
    ['README.md', readme(p)],
  ];
  if (p.native) {
    const pkg = packageJson(p, {
      files: ['native'],
      scripts: { build: 'node scripts/build-native.mjs' },
      dependencies: { '@hearth/plugin-native': p.hearthRange },
      optionalDependencies: Object.fromEntries(p.platforms.map((x) => [platformPackageName(p, x), '0.1.0'])),
      devDependencies: { '@types/node': '^20.19.0' },
    });
    return new Map([
      ['package.json', pkg],
      ['tsconfig.json', tsconfigJson(['node'])],
      ['src/index.ts', nativeIndexTs(p)],
      ['native/plugin.c', pluginC(p)],
      ['native/Makefile', makefile(p)],
      ['scripts/build-native.mjs', buildNativeScript(p)],
      ['.github/workflows/release.yml', releaseWorkflow(p)],
      ...p.platforms.flatMap((x): [string, string][] => [
        [`platforms/${x}/package.json`, platformPackageJson(p, x)],
        [`platforms/${x}/README.md`, platformReadme(p, x)],
      ]),
      ...common,
    ]);
  }
  return new Map([
    ['package.json', packageJson(p)],
    ['tsconfig.json', tsconfigJson()],
    ['src/index.ts', indexTs(p)],
    ['src/backend.ts', backendTs(p)],
    ['src/kernels.ts', kernelsTs(p)],
    ...common,
  ]);
}

/** Writes `files` into `dir`, which must not exist or be empty (E_ARG otherwise: nothing is overwritten). */
export function writeScaffold(dir: string, files: ReadonlyMap<string, string>): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new HearthError('E_ARG', `${dir} already exists and is not empty; pick another folder with --dir, or remove it.`, { dir });
  }
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
