import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

// The published browser bundle, `@hearth/core/browser` (the core with the CPU and wasm plugins in one ES
// module), loaded by plain HTML pages, without a bundler, from a real HTTP server on 127.0.0.1 in Debian's
// headless Chromium. Each page runs the quick start's program, y = relu(x·x + 1), on cpu and on wasm; the
// results are checked here against a float64 reference. Accuracy contract: float32 matmul with any
// summation order, |got - want| <= (k + 2) · 2^-24 · (Σ_k |x_ik·x_kj| + 1) (the classic bound γ_k for a
// k-term dot product, plus the add's rounding).

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = createRequire(import.meta.url).resolve('@hearth/core/browser');

/** The quick start's program, as the pages run it: on `backend`, for each matrix. */
const PROGRAM = `
async function quickStart(backend, matrices, backendOptions) {
  const hearth = createHearth({ plugins: [cpuPlugin, wasmPlugin], backends: [backend], backendOptions });
  const report = await hearth.ready();
  const results = [];
  for (const m of matrices) {
    const x = hearth.tensor(m);
    const y = hearth.scope(() => x.matmul(x).add(1).relu()); // intermediates are freed with the scope
    results.push({ device: y.device, value: await y.array() });
    x.dispose();
    y.dispose();
  }
  const { threads, sharedMemory } = report.devices.find((d) => d.name === backend + ':0').info;
  const leaks = hearth.leaks().length;
  await hearth.dispose();
  return { results, threads, sharedMemory, leaks, isolated: globalThis.crossOriginIsolated === true };
}`;

/** A page as a user writes it: an import map names the bundle, a module script uses it. */
const PAGE = `<!doctype html>
<script type="importmap">{ "imports": { "@hearth/core/browser": "./hearth.js" } }</script>
<script type="module">
import { createHearth, cpuPlugin, wasmPlugin } from '@hearth/core/browser';
${PROGRAM}
window.quickStart = quickStart;
window.ready = true;
</script>`;

/** A page that runs Hearth in a module Web Worker (import maps don't reach workers: it imports the file). */
const WORKER_PAGE = `<!doctype html>
<script>
const worker = new Worker('./worker.js', { type: 'module' });
window.quickStart = (...args) => new Promise((resolve, reject) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => reject(new Error(e.message));
  worker.postMessage(args);
});
window.ready = true;
</script>`;
const WORKER = `import { createHearth, cpuPlugin, wasmPlugin } from './hearth.js';
${PROGRAM}
self.onmessage = async (e) => self.postMessage(await quickStart(...e.data));`;

/** The quick start's page (docs/quick-start.md, "In a browser"), with its import map pointed at this server. */
function docsPage(): string {
  const guide = readFileSync(join(root, 'docs/quick-start.md'), 'utf8');
  const html = /^## In a browser$[\s\S]*?^```html\n([\s\S]*?)^```$/m.exec(guide)?.[1];
  expect(html, 'docs/quick-start.md has an html example under "In a browser"').toBeDefined();
  const mapped = html!.replace('/node_modules/@hearth/core/dist/browser/hearth.js', './hearth.js');
  expect(mapped).not.toBe(html);
  return `<!doctype html>\n${mapped}`;
}

/** Cross-origin isolation: what lets a page share memory with workers. */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH. This test never downloads a browser.`);
  }
  const files: Record<string, [string, string]> = {
    'hearth.js': ['text/javascript', readFileSync(bundle, 'utf8')],
    'hearth.js.map': ['application/json', readFileSync(`${bundle}.map`, 'utf8')],
    'index.html': ['text/html', PAGE],
    'worker.html': ['text/html', WORKER_PAGE],
    'worker.js': ['text/javascript', WORKER],
    'docs.html': ['text/html', docsPage()],
  };
  // /plain/* as any static server sends it; /isolated/* with the cross-origin isolation headers.
  server = createServer((req, res) => {
    const [, folder, name] = /^\/(plain|isolated)\/([\w.]*)$/.exec(new URL(req.url ?? '/', origin).pathname) ?? [];
    const file = files[name || 'index.html'];
    if (!folder || !file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], ...(folder === 'isolated' ? ISOLATION : {}) }).end(file[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

interface Run {
  results: { device: string; value: number[][] }[];
  threads: number;
  sharedMemory: boolean;
  leaks: number;
  isolated: boolean;
}

/** Opens `path`, runs the program there on each backend; checks the page raised no error and made no failed request. */
async function runAt(path: string, backends: readonly string[], matrices: number[][][], backendOptions?: object): Promise<Run[]> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.url()}: ${r.status()}`)));
  await page.goto(`${origin}${path}`);
  await page.waitForFunction('window.ready === true', undefined, { timeout: 20_000 });
  const runs: Run[] = [];
  for (const b of backends) runs.push((await page.evaluate(`window.quickStart(${JSON.stringify(b)}, ${JSON.stringify(matrices)}, ${JSON.stringify(backendOptions)})`)) as Run);
  await page.close();
  expect(errors).toEqual([]);
  return runs;
}

/** An n×n matrix of float32 values in [-1, 1], from a formula (no generator shared with the code under test). */
const matrix = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.fround(Math.sin(i * 1.3 + j * 0.7))));

/** Checks relu(x·x + 1) against float64, within the accuracy contract above. */
function expectQuickStart(got: number[][], x: number[][]): void {
  const n = x.length;
  expect(got.length).toBe(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let want = 1;
      let magnitude = 1;
      for (let k = 0; k < n; k++) {
        want += x[i]![k]! * x[k]![j]!;
        magnitude += Math.abs(x[i]![k]! * x[k]![j]!);
      }
      want = Math.max(0, want);
      const g = got[i]![j]!;
      expect(Math.abs(g - want), `[${i}][${j}] ${g} vs ${want}`).toBeLessThanOrEqual((n + 2) * 2 ** -24 * magnitude);
    }
  }
}

const QUICK_START = [[1, 2], [3, 4]];
// 128³ multiply-adds: above the wasm plugin's threshold for splitting a matmul over threads.
const LARGE = matrix(128);

it('@hearth/core/browser resolves to the bundle, which imports no other module', async () => {
  expect(bundle.endsWith(join('core', 'dist', 'browser', 'hearth.js'))).toBe(true);
  // A page without a bundler could resolve no import: esbuild's parser lists every static and literal dynamic one.
  const { metafile } = await build({ entryPoints: [bundle], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
  expect(Object.values(metafile.inputs).flatMap((i) => i.imports)).toEqual([]);
});

it('a plain page runs the quick start on cpu and on wasm (one thread: the page is not cross-origin isolated)', async () => {
  const [cpu, wasm] = await runAt('/plain/', ['cpu', 'wasm'], [QUICK_START, LARGE]);
  for (const [run, device] of [[cpu!, 'cpu:0'], [wasm!, 'wasm:0']] as const) {
    expect(run.results.map((r) => r.device)).toEqual([device, device]);
    expect(run.results[0]!.value).toEqual([[8, 11], [16, 23]]);
    expectQuickStart(run.results[1]!.value, LARGE);
    expect(run.leaks).toBe(0);
    expect(run.isolated).toBe(false);
  }
  expect(wasm).toMatchObject({ threads: 1, sharedMemory: false });
}, 60_000);

it('the main thread of a cross-origin isolated page stays single-threaded (it may not block to wait for workers)', async () => {
  const [wasm] = await runAt('/isolated/', ['wasm'], [LARGE], { wasm: { threads: 2 } });
  expect(wasm).toMatchObject({ isolated: true, threads: 1, sharedMemory: false, leaks: 0 });
  expectQuickStart(wasm!.results[0]!.value, LARGE);
}, 60_000);

it('a Web Worker of a cross-origin isolated page splits wasm kernels over threads on shared memory', async () => {
  const [wasm, cpu] = await runAt('/isolated/worker.html', ['wasm', 'cpu'], [QUICK_START, LARGE], { wasm: { threads: 2 } });
  expect(wasm).toMatchObject({ isolated: true, threads: 2, sharedMemory: true, leaks: 0 });
  for (const run of [wasm!, cpu!]) {
    expect(run.results[0]!.value).toEqual([[8, 11], [16, 23]]);
    expectQuickStart(run.results[1]!.value, LARGE);
  }
}, 60_000);

it('a Web Worker of a page that is not isolated stays single-threaded, on unshared memory', async () => {
  const [wasm] = await runAt('/plain/worker.html', ['wasm'], [QUICK_START], { wasm: { threads: 2 } });
  expect(wasm).toMatchObject({ isolated: false, threads: 1, sharedMemory: false, leaks: 0 });
  expect(wasm!.results[0]!.value).toEqual([[8, 11], [16, 23]]);
}, 60_000);

it("the quick start's page runs as written and prints what its comment says", async () => {
  const page = await browser.newPage();
  const printed: Promise<unknown[]>[] = [];
  const errors: string[] = [];
  page.on('console', (m) => printed.push(Promise.all(m.args().map((a) => a.jsonValue()))));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/plain/docs.html`);
  await expect.poll(() => printed.length, { timeout: 20_000 }).toBeGreaterThan(0);
  expect(await printed[0]).toEqual(['wasm:0', [[8, 11], [16, 23]]]); // the comment: wasm:0 [[8, 11], [16, 23]]
  await page.close();
  expect(errors).toEqual([]);
}, 60_000);
