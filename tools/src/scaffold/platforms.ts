import type { ScaffoldPlan } from './options.js';
import { libraryName } from './native.js';

/**
 * The platforms a native plugin can publish a package for, by the name @hearth/plugin-native's
 * `nativePlatform()` gives the machine, with the npm `os`, `cpu` and `libc` fields that make npm install
 * only the matching one. The Makefile builds with `cc -shared`, so Linux and macOS (a `.so` loads there too).
 */
export const NATIVE_PLATFORMS: Readonly<Record<string, { os: string; cpu: string; libc?: string }>> = {
  'linux-x64-gnu': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64-gnu': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl' },
  'linux-arm64-musl': { os: 'linux', cpu: 'arm64', libc: 'musl' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
};

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
