import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

// The WebGPU plugin bundled for the browser (the Node-only `webgpu` package marked external and never
// loaded) runs in Debian's headless Chromium on SwiftShader; the wasm plugin runs the same cases there
// (one thread, unshared memory: the page is not cross-origin isolated). Results are checked here against float64
// references; accuracy contract: 1e-5 relative + 1e-6 absolute for floats, exact for ints and bools.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The page's entry: runs cases on a webgpu-only runtime and returns results, adapter and leak report. */
const ENTRY = `
import { createHearth } from '@hearth/core';
import { webgpuPlugin } from '@hearth/plugin-webgpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
window.runCases = async (cases, backend) => {
  const hearth = createHearth({ plugins: [webgpuPlugin, wasmPlugin], backends: [backend] });
  const report = await hearth.ready();
  const results = [];
  for (const c of cases) {
    const inputs = c.inputs.map((i) => hearth.tensor(i.dtype === 'int32' ? Int32Array.from(i.data) : i.dtype === 'bool' ? Uint8Array.from(i.data) : Float32Array.from(i.data), { shape: i.shape, dtype: i.dtype }));
    const out = hearth.op(c.op, inputs, c.attrs);
    results.push({ shape: out.shape, dtype: out.dtype, data: Array.from(await out.data()) });
    out.dispose();
    for (const t of inputs) t.dispose();
  }
  const info = report.devices[0].info;
  const leaks = hearth.leaks().length;
  const stats = hearth.backendStats(report.devices[0].name);
  await hearth.dispose();
  return { results, info: { name: info.name, backend: info.backend, software: info.software, threads: info.threads, sharedMemory: info.sharedMemory }, leaks, live: stats.liveAllocations };
};
window.ready = true;
`;

interface Case {
  op: string;
  inputs: { data: number[]; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
  attrs?: Record<string, unknown>;
  want: number[];
  exact?: boolean;
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Math.fround(f(i)));
const f32in = (data: number[], shape: number[]) => ({ data, shape, dtype: 'float32' as const });

function cases(): Case[] {
  const a = seq(12, (i) => Math.sin(i) * 3);
  const b = seq(4, (i) => i - 1.5);
  const m = seq(33 * 17, (i) => Math.cos(i * 0.7));
  const n = seq(17 * 9, (i) => Math.sin(i * 0.3));
  const mm: number[] = [];
  for (let i = 0; i < 33; i++) for (let j = 0; j < 9; j++) mm.push(seq(17, (k) => m[i * 17 + k]! * n[k * 9 + j]!).reduce((x, y) => x + y, 0));
  const x = seq(2 * 6 * 6, (i) => Math.sin(i * 0.11));
  const w = seq(3 * 2 * 3 * 3, (i) => Math.cos(i * 0.23));
  const conv: number[] = [];
  for (let o = 0; o < 3; o++)
    for (let y = 0; y < 6; y++)
      for (let z = 0; z < 6; z++) {
        let s = 0;
        for (let c = 0; c < 2; c++)
          for (let p = 0; p < 3; p++)
            for (let q = 0; q < 3; q++) {
              const iy = y - 1 + p;
              const iz = z - 1 + q;
              if (iy >= 0 && iz >= 0 && iy < 6 && iz < 6) s += x[(c * 6 + iy) * 6 + iz]! * w[((o * 2 + c) * 3 + p) * 3 + q]!;
            }
        conv.push(s);
      }
  const row = a.slice(0, 4);
  const mx = Math.max(...row);
  const se = row.reduce((s, v) => s + Math.exp(v - mx), 0);
  return [
    { op: 'add', inputs: [f32in(a, [3, 4]), f32in(b, [4])], want: a.map((v, i) => v + b[i % 4]!) },
    { op: 'exp', inputs: [f32in(a, [12])], want: a.map(Math.exp) },
    { op: 'matmul', inputs: [f32in(m, [33, 17]), f32in(n, [17, 9])], want: mm },
    { op: 'sum', inputs: [f32in(a, [3, 4])], attrs: { axes: [0] }, want: [0, 1, 2, 3].map((j) => a[j]! + a[4 + j]! + a[8 + j]!) },
    { op: 'softmax', inputs: [f32in(row, [4])], want: row.map((v) => Math.exp(v - mx) / se) },
    { op: 'conv2d', inputs: [f32in(x, [1, 2, 6, 6]), f32in(w, [3, 2, 3, 3])], attrs: { padding: 1 }, want: conv },
    { op: 'transpose', inputs: [f32in(a, [3, 4])], want: [0, 1, 2, 3].flatMap((j) => [a[j]!, a[4 + j]!, a[8 + j]!]), exact: true },
    { op: 'cast', inputs: [f32in([1.7, -2.9, NaN], [3])], attrs: { dtype: 'int32' }, want: [1, -2, 0], exact: true },
    { op: 'argmax', inputs: [f32in(a, [3, 4])], attrs: { axis: 1 }, want: [0, 1, 2].map((r) => a.slice(r * 4, r * 4 + 4).indexOf(Math.max(...a.slice(r * 4, r * 4 + 4)))), exact: true },
    { op: 'lt', inputs: [f32in(a, [12]), f32in([0], [1])], want: a.map((v) => (v < 0 ? 1 : 0)), exact: true },
    { op: 'mul', inputs: [{ data: [65536, -3], shape: [2], dtype: 'int32' }, { data: [65536, 7], shape: [2], dtype: 'int32' }], want: [0, -21], exact: true },
  ];
}

let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH. This test never downloads a browser.`);
  }
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['hearth-source'],
    external: ['webgpu'],
    write: false,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
  });
  const js = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bundle.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

it('the bundled plugin never pulls in the Node-only webgpu package', async () => {
  const r = await build({ stdin: { contents: ENTRY, resolveDir: root, loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', conditions: ['hearth-source'], external: ['webgpu'], write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile!.inputs);
  expect(inputs.some((p) => p.includes('node_modules/webgpu/'))).toBe(false);
  expect(inputs.some((p) => p.includes('plugins/webgpu/src/kernels/gemm.ts'))).toBe(true);
});

interface PageRun {
  results: { data: number[]; dtype: string }[];
  info: { name: string; backend: string; software: boolean; threads?: number; sharedMemory?: boolean };
  leaks: number;
  live: number;
}

/** Runs `cs` in a fresh page on `backend`; checks the page raised no error. */
async function runInPage(cs: Case[], backend: string): Promise<PageRun> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction('window.ready === true', undefined, { timeout: 20_000 });
  const out = (await page.evaluate(`window.runCases(${JSON.stringify(cs.map(({ want: _w, exact: _e, ...c }) => c))}, ${JSON.stringify(backend)})`)) as PageRun;
  expect(errors).toEqual([]);
  await page.close();
  return out;
}

function expectResults(cs: Case[], out: PageRun): void {
  cs.forEach((c, i) => {
    const got = out.results[i]!.data;
    expect(got.length, c.op).toBe(c.want.length);
    got.forEach((g, k) => {
      const w = c.want[k]!;
      if (c.exact) expect(g, `${c.op}[${k}]`).toBe(w);
      else expect(Math.abs(g - w), `${c.op}[${k}] ${g} vs ${w}`).toBeLessThanOrEqual(1e-5 * Math.abs(w) + 1e-5);
    });
  });
  expect(out.leaks).toBe(0);
  expect(out.live).toBe(0);
}

it('runs a conformance subset in headless Chromium on navigator.gpu, without leaks', async () => {
  const cs = cases();
  const out = await runInPage(cs, 'webgpu');
  expect(out.info.backend).toBe('browser');
  expect(typeof out.info.software).toBe('boolean');
  console.log(`browser adapter: ${out.info.name} (${out.info.software ? 'software' : 'hardware'})`);
  expectResults(cs, out);
}, 60_000);

it('runs the same subset on the wasm plugin (WebAssembly SIMD, one thread, unshared memory), without leaks', async () => {
  const cs = cases();
  const out = await runInPage(cs, 'wasm');
  expect(out.info).toMatchObject({ name: 'Hearth WebAssembly SIMD', threads: 1, sharedMemory: false });
  expectResults(cs, out);
}, 60_000);
