import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { formatTable } from '../table.js';
import { cpuWork, type Work } from './cpu-work.js';
import { hearthEngine, onnxEngine, tfjsEngine, type Engine, type Prepared } from './cpu-engines.js';

/** Where the figures go (JSON), relative to the working directory. */
export const CPU_BENCH_REPORT = 'reports/bench/cpu.json';

/** Runs `p` n times; returns the elapsed ns. */
async function batch(p: Prepared, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = p.run();
    if (r) await r;
  }
  return Number(process.hrtime.bigint() - t0);
}

/**
 * Median ns per run of each engine: batches of at least 25 ms, 7 rounds in which every engine runs one
 * batch in turn, so a change in the machine's load (or a peer's threads still spinning) hits every
 * engine alike rather than whichever was timed at that moment.
 */
async function nsPerRunInterleaved(ps: readonly Prepared[]): Promise<number[]> {
  const sizes: number[] = [];
  for (const p of ps) {
    await p.activate?.();
    let n = 1;
    while ((await batch(p, n)) < 25e6 && n < 1 << 22) n *= 4;
    sizes.push(n);
  }
  const runs: number[][] = ps.map(() => []);
  for (let r = 0; r < 7; r++) {
    for (let i = 0; i < ps.length; i++) {
      await ps[i]!.activate?.();
      runs[i]!.push((await batch(ps[i]!, sizes[i]!)) / sizes[i]!);
    }
  }
  return runs.map((rs) => rs.sort((a, b) => a - b)[3]!);
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

/** The oneDNN plugin's engine where it is installed and built (oneDNN present), else none: the row says so. */
async function onednnEngine(threads: number | undefined): Promise<Engine[]> {
  try {
    const { plugin } = await import('@hearth/plugin-onednn');
    return [await hearthEngine('hearth onednn', plugin, 'onednn', threads === undefined ? {} : { threads })];
  } catch (e) {
    console.log(`cpu: no hearth onednn column (${(e as Error).message})`);
    return [];
  }
}

/**
 * `npm run bench -- cpu`: the CPU table of the wasm plugin, the reference CPU plugin, tfjs-backend-cpu,
 * tfjs-backend-wasm and onnxruntime-node in one run. Each result is checked against a float64 reference
 * before it is timed; a result out of tolerance is reported and not timed. Prints medians, the wasm
 * plugin's speed-up over each peer and the oneDNN plugin's over onnxruntime-node, and writes everything to
 * reports/bench/cpu.json. HEARTH_WASM_THREADS sets the thread count of the wasm and oneDNN plugins and of
 * onnxruntime-node (default: the machine's cores, each one's default).
 */
export async function benchCpu(): Promise<void> {
  const threads = process.env['HEARTH_WASM_THREADS'] ? Number(process.env['HEARTH_WASM_THREADS']) : undefined;
  const wasm = await hearthEngine('hearth wasm', wasmPlugin, 'wasm', threads === undefined ? {} : { threads });
  const engines: Engine[] = [
    wasm,
    ...(await onednnEngine(threads)),
    await hearthEngine('hearth cpu', cpuPlugin, 'cpu'),
    await tfjsEngine('tfjs-backend-cpu', 'cpu'),
    await tfjsEngine('tfjs-backend-wasm', 'wasm'),
    await onnxEngine('onnxruntime-node', threads),
  ];
  const work = cpuWork();
  const table: { work: Work; cells: Cell[] }[] = [];
  for (const w of work) {
    const ref = w.reference();
    // Every engine is prepared and checked before any is timed, so none is timed in a colder process.
    const prepared: { engine: Engine; p: Prepared; error: number; onceNs: number }[] = [];
    for (const e of engines) {
      const p = await e.prepare(w);
      const t0 = performance.now();
      const error = relError(await p.result(), ref);
      prepared.push({ engine: e, p, error, onceNs: (performance.now() - t0) * 1e6 });
    }
    // The reference CPU plugin takes minutes on the 1024 matmul: a check that took over 2 s is its figure.
    const timed = prepared.filter((e) => e.error <= w.tolerance && e.onceNs <= 2e9);
    const ns = await nsPerRunInterleaved(timed.map((e) => e.p));
    const cells: Cell[] = prepared.map(({ engine, error, onceNs }) => {
      if (!(error <= w.tolerance)) return { engine: engine.name, value: null, error, note: `error ${error.toExponential(2)} over ${w.tolerance}` };
      const at = timed.findIndex((e) => e.engine === engine);
      return { engine: engine.name, value: figure(w, at < 0 ? onceNs : ns[at]!), error };
    });
    for (const { p } of prepared) await p.dispose();
    table.push({ work: w, cells });
    process.stdout.write('.');
  }
  console.log('');
  for (const e of engines) await e.dispose();

  const ours = (cells: Cell[]) => cells[0]!.value;
  const speedup = (w: Work, mine: number | null, peer: number | null) =>
    mine === null || peer === null ? null : higherIsBetter(w) ? mine / peer : peer / mine;
  const column = (name: string) => engines.findIndex((e) => e.name === name);
  const [onednnAt, ortAt] = [column('hearth onednn'), column('onnxruntime-node')];
  // How many times faster the oneDNN plugin is than onnxruntime-node, where both ran.
  const onednnVsOrt = onednnAt >= 0 && ortAt >= 0 ? (w: Work, cells: Cell[]) => speedup(w, cells[onednnAt]!.value, cells[ortAt]!.value) : undefined;
  const fmt = (v: number | null, digits = 3) => (v === null ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toPrecision(digits));
  console.log(`cpu: medians of 7 interleaved batches; wasm plugin on ${wasm.detail}; speed-up = how many times faster hearth wasm is`);
  console.log(
    formatTable(
      ['work', 'unit', ...engines.map((e) => e.name), ...engines.slice(1).map((e) => `x ${e.name}`), ...(onednnVsOrt ? ['onednn x onnxruntime'] : [])],
      table.map(({ work: w, cells }) => [
        w.name,
        w.unit,
        ...cells.map((c) => c.note ?? fmt(c.value)),
        ...cells.slice(1).map((c) => fmt(speedup(w, ours(cells), c.value), 2)),
        ...(onednnVsOrt ? [fmt(onednnVsOrt(w, cells), 2)] : []),
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
