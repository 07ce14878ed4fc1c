// Bundles @hearth/core with the CPU and wasm plugins into one ES module for pages without a bundler
// (`@hearth/core/browser`: a <script type="module">, an import map or a CDN). It bundles the built dist/
// files, so run it after `tsc -b`; the wasm kernels travel inside the bundle (base64), so the page fetches
// one file. Skips the work when the bundle is newer than everything it is made of.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const core = fileURLToPath(new URL('..', import.meta.url));
const root = join(core, '..');
const outDir = join(core, 'dist/browser');
const outFile = join(outDir, 'hearth.js');
const inputs = [join(core, 'dist'), join(root, 'plugins/cpu/dist'), join(root, 'plugins/wasm/dist')];

/** The newest modification time of the .js files under `dir` (the bundle's own folder aside). */
function newest(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === outDir ? m : Math.max(m, newest(p));
    return e.name.endsWith('.js') ? Math.max(m, statSync(p).mtimeMs) : m;
  }, statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

if (existsSync(outFile) && statSync(outFile).mtimeMs > Math.max(...inputs.map(newest))) process.exit(0);

const ENTRY = `
export * from '@hearth/core';
export { cpuPlugin } from '@hearth/plugin-cpu';
export { wasmPlugin } from '@hearth/plugin-wasm';
`;

// The declarations: core's own, and the two plugins as the HearthPlugin objects they are.
const TYPES = `/**
 * @hearth/core/browser: the core with the CPU and wasm plugins in one ES module.
 * @packageDocumentation
 */
import type { HearthPlugin } from '../index.js';
export * from '../index.js';
/** The reference CPU plugin (device type \`cpu\`), as @hearth/plugin-cpu exports it. */
export declare const cpuPlugin: HearthPlugin;
/** The WebAssembly SIMD plugin (device type \`wasm\`), as @hearth/plugin-wasm exports it. */
export declare const wasmPlugin: HearthPlugin;
`;

await build({
  stdin: { contents: ENTRY, resolveDir: core, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  outfile: outFile,
  logLevel: 'warning',
});
writeFileSync(join(outDir, 'hearth.d.ts'), TYPES);
console.log(`build-browser: ${outFile.slice(root.length)} (${Math.round(statSync(outFile).size / 1024)} KiB)`);
