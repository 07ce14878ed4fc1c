import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { formatTable } from '../table.js';
import { cpuWork, type Work } from './cpu-work.js';
import { hearthEngine, onnxEngine, tfjsEngine, type Engine, type Prepared } from './cpu-engines.js';

/** Where the figures go (JSON), relative to the working directory. */
export const CPU_BENCH_REPORT = 'reports/bench/cpu.json';

/** Median ns per run: batches of at least 25 ms, 7 of them, after the reference check warmed it up. */
async function nsPerRun(p: Prepared): Promise<number> {
  const batch = async (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = p.run();
      if (r) await r;
    }
    return Number(process.hrtime.bigint() - t0);
  };
  let n = 1;
  while ((await batch(n)) < 25e6 && n < 1 << 22) n *= 4;
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) runs.push((await batch(n)) / n);
  return runs.sort((a, b) => a - b)[3]!;
}

/** The error of `got` against the float64 reference: max |got - ref| / max |ref|. */
function relError(got: Float32Array, ref: Float64Array): number {
  if (got.length !== ref.length) return Infinity;
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - ref[i]!));
    mag = Math.max(mag, Math.abs(ref[i]!));
  }
  return err / (mag || 1);
}

const figure = (w: Work, ns: number) => (w.unit === 'us' ? ns / 1e3 : w.unit === 'ms' ? ns / 1e6 : w.amount / ns);
const higherIsBetter = (w: Work) => w.unit === 'GFLOP/s' || w.unit === 'GB/s';

interface Cell {
  engine: string;
  value: number | null;
  error: number | null;
  note?: string;
}

/**
 * `npm run bench -- cpu`: the CPU table of the wasm plugin, the reference CPU plugin, tfjs-backend-cpu,
 * tfjs-backend-wasm and onnxruntime-node in one run. Each result is checked against a float64 reference
 * before it is timed; a result out of tolerance is reported and not timed. Prints medians and the wasm
 * plugin's speed-up over each peer, and writes everything to reports/bench/cpu.json. HEARTH_WASM_THREADS
 * sets the wasm plugin's thread count (default: the machine's cores).
 */
export async function benchCpu(): Promise<void> {
  const threads = process.env['HEARTH_WASM_THREADS'] ? Number(process.env['HEARTH_WASM_THREADS']) : undefined;
  const wasm = await hearthEngine('hearth wasm', wasmPlugin, 'wasm', threads === undefined ? {} : { threads });
  const engines: Engine[] = [
    wasm,
    await hearthEngine('hearth cpu', cpuPlugin, 'cpu'),
    await tfjsEngine('tfjs-backend-cpu', 'cpu'),
    await tfjsEngine('tfjs-backend-wasm', 'wasm'),
    await onnxEngine('onnxruntime-node'),
  ];
  const work = cpuWork();
  const table: { work: Work; cells: Cell[] }[] = [];
  for (const w of work) {
    const ref = w.reference();
    const cells: Cell[] = [];
    for (const e of engines) {
      // The reference CPU plugin takes minutes on the 1024 matmul; its figure there is one timed run.
      const p = await e.prepare(w);
      try {
        const t0 = performance.now();
        const error = relError(await p.result(), ref);
        const once = (performance.now() - t0) * 1e6;
        if (!(error <= w.tolerance)) {
          cells.push({ engine: e.name, value: null, error, note: `error ${error.toExponential(2)} over ${w.tolerance}` });
          continue;
        }
        const ns = once > 2e9 ? once : await nsPerRun(p);
        cells.push({ engine: e.name, value: figure(w, ns), error });
      } finally {
        await p.dispose();
      }
    }
    table.push({ work: w, cells });
    process.stdout.write('.');
  }
  console.log('');
  for (const e of engines) await e.dispose();

  const ours = (cells: Cell[]) => cells[0]!.value;
  const speedup = (w: Work, mine: number | null, peer: number | null) =>
    mine === null || peer === null ? null : higherIsBetter(w) ? mine / peer : peer / mine;
  const fmt = (v: number | null, digits = 3) => (v === null ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toPrecision(digits));
  console.log(`cpu: medians of 7 batches; wasm plugin on ${wasm.detail}; speed-up = how many times faster hearth wasm is`);
  console.log(
    formatTable(
      ['work', 'unit', ...engines.map((e) => e.name), ...engines.slice(1).map((e) => `x ${e.name}`)],
      table.map(({ work: w, cells }) => [
        w.name,
        w.unit,
        ...cells.map((c) => c.note ?? fmt(c.value)),
        ...cells.slice(1).map((c) => fmt(speedup(w, ours(cells), c.value), 2)),
      ]),
    ),
  );
  console.log(`sum 1e6 relative error vs float64: ${table[3]!.cells.map((c) => `${c.engine} ${c.error?.toExponential(1)}`).join(', ')}`);
  const out = resolve(CPU_BENCH_REPORT);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        benchmark: 'cpu',
        date: new Date().toISOString(),
        hearthWasm: wasm.detail,
        rows: table.map(({ work: w, cells }) => ({
          work: w.name,
          unit: w.unit,
          results: cells.map((c) => ({ ...c, speedupOfHearthWasm: c.engine === 'hearth wasm' ? 1 : speedup(w, ours(cells), c.value) })),
        })),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`figures written to ${CPU_BENCH_REPORT}`);
}
