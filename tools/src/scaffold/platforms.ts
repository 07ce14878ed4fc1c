import type { ScaffoldPlan } from './options.js';
import { libraryName } from './native.js';

/**
 * The platforms a native plugin can publish a package for, by the name @hearth/plugin-native's
 * `nativePlatform()` gives the machine, with the npm `os`, `cpu` and `libc` fields that make npm install
 * only the matching one. The Makefile builds with `cc -shared`, so Linux and macOS (a `.so` loads there too);
 * musl on x64 only, where GitHub runs JavaScript actions in an Alpine container.
 */
export const NATIVE_PLATFORMS: Readonly<Record<string, NativePlatform>> = {
  'linux-x64-gnu': { os: 'linux', cpu: 'x64', libc: 'glibc', runner: 'ubuntu-latest' },
  'linux-arm64-gnu': { os: 'linux', cpu: 'arm64', libc: 'glibc', runner: 'ubuntu-24.04-arm' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl', runner: 'ubuntu-latest', container: 'node:20-alpine' },
  'darwin-x64': { os: 'darwin', cpu: 'x64', runner: 'macos-13' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', runner: 'macos-latest' },
};

/** A platform: npm's fields for its package, and the GitHub Actions machine that builds it. */
export interface NativePlatform {
  readonly os: string;
  readonly cpu: string;
  readonly libc?: string;
  /** The GitHub-hosted runner of that OS and CPU. */
  readonly runner: string;
  /** A container image on the runner, for a C library the runner's OS doesn't have (musl: Alpine). */
  readonly container?: string;
}

/** What `--platforms` is when not given: the Linux servers accelerators are installed in. */
export const DEFAULT_PLATFORMS: readonly string[] = ['linux-x64-gnu', 'linux-arm64-gnu'];

/** The package that carries platform `platform`'s library: `@acme/hearth-plugin-npu-linux-x64-gnu`. */
export const platformPackageName = (p: ScaffoldPlan, platform: string): string => `${p.name}-${platform}`;

/** `platforms/<platform>/package.json`: the library alone, installable only where it runs. */
export function platformPackageJson(p: ScaffoldPlan, platform: string): string {
  const { os, cpu, libc } = NATIVE_PLATFORMS[platform]!;
  const pkg = {
    name: platformPackageName(p, platform),
    version: '0.1.0',
    description: `The ${platform} build of ${p.name}'s native library. Install ${p.name}, which picks it.`,
    os: [os],
    cpu: [cpu],
    ...(libc ? { libc: [libc] } : {}),
    files: [libraryName(p)],
    // Yarn's Plug'n'Play must unpack it: a shared library is opened from a real file.
    preferUnplugged: true,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** `platforms/<platform>/README.md`. */
export function platformReadme(p: ScaffoldPlan, platform: string): string {
  return `# ${platformPackageName(p, platform)}

The ${platform} build of [${p.name}](https://www.npmjs.com/package/${p.name})'s native library
(\`${libraryName(p)}\`). Don't install it yourself: \`npm i ${p.name}\` installs the package of your platform
as an optional dependency, and the plugin loads its library from there.
`;
}

/** `scripts/build-native.mjs`: builds native/ into this machine's platform package. */
export function buildNativeScript(p: ScaffoldPlan): string {
  return `// Builds native/ into this machine's platform package, platforms/<platform>/${libraryName(p)}: the file that
// package publishes. Each platform is built on a machine of its own (a CI runner per platform).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nativePlatform } from '@hearth/plugin-native';

const platform = nativePlatform();
if (!existsSync(\`platforms/\${platform}/package.json\`)) {
  console.error(\`build-native: this machine is \${platform}, for which ${p.name} has no package in platforms/. Add one (docs/native-plugins.md, "One package per platform"), or build on a listed platform.\`);
  process.exit(1);
}
const make = spawnSync('make', ['-s', '-C', 'native', \`OUT=../platforms/\${platform}\`], { stdio: 'inherit' });
process.exit(make.status ?? 1);
`;
}

/**
 * `.github/workflows/release.yml`: on a version tag, builds and certifies the library on each platform's own
 * runner, then one job publishes every platform package and the main package, which depends on them all.
 */
export function releaseWorkflow(p: ScaffoldPlan): string {
  const include = p.platforms
    .map((x) => {
      const { runner, container } = NATIVE_PLATFORMS[x]!;
      return `          - platform: ${x}\n            runner: ${runner}${container ? `\n            container: ${container}` : ''}`;
    })
    .join('\n');
  return `# Releases on a version tag (v0.1.0): each platform's library is built and certified on a machine of that
# platform; then one job publishes each platform's package with its library, and the main package, whose
# optionalDependencies name them all. Every package carries the same version: bump package.json,
# platforms/*/package.json and the optionalDependencies together. Needs the NPM_TOKEN secret.
name: release
on:
  push:
    tags: ['v*']
jobs:
  build:
    strategy:
      fail-fast: true
      matrix:
        include:
${include}
    runs-on: \${{ matrix.runner }}
    container: \${{ matrix.container }}
    steps:
      - uses: actions/checkout@v4
      # In an Alpine (musl) container: its own Node, and a C toolchain.
      - if: matrix.container != ''
        run: apk add --no-cache build-base
      - if: matrix.container == ''
        uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      # Builds this platform's library and runs the conformance suite on it.
      - run: npm test
      - uses: actions/upload-artifact@v4
        with:
          name: \${{ matrix.platform }}
          path: platforms/\${{ matrix.platform }}/${libraryName(p)}
          if-no-files-found: error
  publish:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          registry-url: https://registry.npmjs.org
      - run: npm ci
      - run: npx tsc -p .
      # Each artifact lands in platforms/<platform>/, beside that platform's package.json.
      - uses: actions/download-artifact@v4
        with:
          path: platforms
      - name: publish the platform packages, then the main package
        env:
          NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
        run: |
          for dir in platforms/*/; do npm publish "./$dir" --access public; done
          npm publish --access public
`;
}
