import type { ScaffoldPlan } from './options.js';
import { libraryName } from './native.js';

/** The command lines the plugin's scripts, workflow and README share. */
export function commands(p: ScaffoldPlan): { conformance: string; partial: string; certify: string } {
  const base = `hearth conformance --plugin ./dist/index.js --device ${p.device}`;
  return { conformance: base, partial: `${base} --profile core-partial`, certify: `${base} --certify --report reports/certify` };
}

/** `package.json`: ESM, dist/ with types, the `hearth` manifest discovery reads, and the scripts. */
export function packageJson(
  p: ScaffoldPlan,
  extra: { files?: string[]; scripts?: Record<string, string>; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {},
): string {
  const c = commands(p);
  const pkg = {
    name: p.name,
    version: '0.1.0',
    description: `A Hearth backend plugin for ${p.device} devices.`,
    type: 'module',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist', ...(extra.files ?? [])],
    keywords: ['hearth', 'hearth-plugin', p.device],
    scripts: {
      ...(extra.scripts ?? {}),
      build: `${extra.scripts?.['build'] ? `${extra.scripts['build']} && ` : ''}tsc -p .`,
      test: `npm run build && ${c.conformance}`,
      'test:partial': `npm run build && ${c.partial}`,
      certify: `npm run build && ${c.certify}`,
    },
    hearth: {
      entry: './dist/index.js',
      deviceTypes: [p.device],
      coreApi: p.hearthRange,
      opset: 1,
      profiles: ['core'],
      vendor: p.vendor,
      contact: p.contact,
    },
    // One @hearth/core per application: the user's runtime and the plugin must share it.
    peerDependencies: { '@hearth/core': p.hearthRange },
    dependencies: extra.dependencies ?? {},
    ...(extra.optionalDependencies ? { optionalDependencies: extra.optionalDependencies } : {}),
    devDependencies: {
      '@hearth/cli': p.hearthRange,
      '@hearth/conformance': p.hearthRange,
      '@hearth/core': p.hearthRange,
      typescript: '~5.9.3',
      ...(extra.devDependencies ?? {}),
    },
  };
  if (Object.keys(pkg.dependencies).length === 0) delete (pkg as { dependencies?: unknown }).dependencies;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** `.github/workflows/certify.yml`: build, certify, keep the bundle as an artifact. */
export function certifyWorkflow(p: ScaffoldPlan): string {
  return `# Certifies the plugin on every push: the whole conformance profile, no expectations, no skips.
# The report folder (results, JUnit, the signed bundle) is kept as an artifact to submit to the registry.
name: certify
on:
  push:
  pull_request:
  workflow_dispatch:
jobs:
  certify:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm run build
      # Signed when the HEARTH_SIGN_KEY secret holds a key from \`hearth registry keygen\`: the bundle to submit.
      - name: certify
        env:
          HEARTH_SIGN_KEY: \${{ secrets.HEARTH_SIGN_KEY }}
        run: |
          if [ -n "$HEARTH_SIGN_KEY" ]; then
            printf '%s' "$HEARTH_SIGN_KEY" > "$RUNNER_TEMP/signer.key.json"
            set -- --sign-key "$RUNNER_TEMP/signer.key.json" --bundle reports/certify/bundle
          fi
          npx ${commands(p).certify} "$@"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: hearth-certification
          path: reports/certify
`;
}

/** `.gitignore`. */
export function gitignore(p: ScaffoldPlan): string {
  return ['node_modules/', 'dist/', 'reports/', '.conformance/', ...(p.native ? ['build/', `platforms/*/${libraryName(p)}`, '*.tgz'] : []), '# signer keys never belong in the repository or the package', '*.key.json', ''].join('\n');
}

/** `README.md`: what the folder holds and what to do next. */
export function readme(p: ScaffoldPlan): string {
  const c = commands(p);
  const src = p.native ? '`native/plugin.c` (the C kernels, on `hearth_plugin.h`)' : '`src/kernels.ts`';
  return `# ${p.name}

A [Hearth](https://github.com/hearth-dev/hearth) backend plugin for \`${p.device}\` devices, made by
\`hearth plugin init\`.

| file | what it is |
|---|---|
| \`package.json\` | the package; its \`hearth\` field is the manifest Hearth's discovery reads |
| \`src/index.ts\` | the plugin: its runtime manifest and \`register\` (backend and kernels) |
${p.native ? `| \`native/plugin.c\`, \`native/Makefile\` | the C plugin on \`hearth_plugin.h\` and its build |\n| \`platforms/<platform>/\` | one package per platform (${p.platforms.join(', ')}), each carrying that platform's \`${libraryName(p)}\`; \`npm run build\` builds this machine's |\n| \`.github/workflows/release.yml\` | on a version tag: builds and tests each platform on its runner, publishes the platform packages, then this one |\n` : '| `src/backend.ts` | the device: memory and transfers (host memory to start with) |\n| `src/kernels.ts` | the kernels, one per operator and compute dtype (none yet) |\n'}| \`.github/workflows/certify.yml\` | CI: certifies on every push and keeps the report and bundle |

## What to do next

1. \`npm install\`, then \`npm test\`. It builds and runs the conformance suite (\`${c.conformance}\`). The
   first run fails and lists every (op, dtype) pair still missing: that list is your to-do list.
2. ${p.native ? 'Replace the host-memory code in `native/plugin.c` with your device\'s driver calls' : 'Move `src/backend.ts` onto your device (allocate, write, read, free)'}, then add kernels in
   ${src}. Rerun \`npm test\`: each failure prints the inputs, the worst element against its bound, and
   the command that reruns just that case.
3. Accelerating part of the opset only (matmul and conv2d, say)? \`npm run test:partial\` certifies exactly
   the pairs you declare (the \`core-partial\` profile); users run the rest on the CPU through Hearth's
   fallback policy. Set \`"profiles": ["core-partial"]\` in the \`hearth\` field. \`core\` is the higher mark.
4. \`npm run certify\` writes the certification run to \`reports/certify\`; CI does it on every push, and
   signs a bundle when the \`HEARTH_SIGN_KEY\` secret holds a key (\`npx hearth registry keygen --name <you>\`;
   add \`--sign-key <key> --bundle <dir>\` to sign locally). Publish the package to npm, then submit the bundle
   to the registry: \`npx hearth registry submit <bundle>\` (it needs \`@hearth/governance\` installed).
5. Users select your device with one line: \`HEARTH_BACKENDS=${p.device},cpu\`.
${p.native ? `
## Publishing the library for each platform

Users install \`${p.name}\` only. Its optional dependencies are one package per platform
(\`${p.name}-linux-x64-gnu\` ...), each with npm's \`os\`, \`cpu\` and \`libc\` fields, so npm installs just
the one that runs here, and \`src/index.ts\` loads the library from it (a missing one is an \`E_NOT_INSTALLED\`
error naming the package to install). To release, push a version tag: \`.github/workflows/release.yml\`
builds and certifies the library on each platform's own runner (\`npm run build\` fills
\`platforms/<platform>/\`), publishes each platform folder, then this package (it needs the \`NPM_TOKEN\`
secret). They share one version: bump them together, with the optionalDependencies. Adding a platform: a
folder in \`platforms/\`, an optional dependency, an entry in \`PLATFORMS\` (\`src/index.ts\`) and one in
the release workflow's matrix.
` : ''}
The guides: Quick start, Write a backend plugin, Write a native plugin, Certify and publish (Hearth's
\`docs/\`).
`;
}
