import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { HearthError, type Hearth, type Tensor } from '@hearth/core';
import { checkOnnx, deviceDtype, loadOnnx, type NodeProfile, type OnnxModel, type Unsupported, type ValueSpec } from '@hearth/onnx';
import { Rng } from '@hearth/conformance';
import { openRuntime } from '../runtime.js';
import { readNpy, writeNpy } from '../npy.js';
import { formatTable } from '../table.js';

/** Options of `hearth run`. */
export interface RunModelOptions {
  backend?: string;
  input?: string[];
  random?: boolean;
  seed: number;
  dim?: string[];
  save?: string;
  runs: number;
  fallback: 'error' | 'warn' | 'allow';
  profile?: boolean;
  plugin?: string[];
}

/** What `hearth run` measured. */
export interface RunResult {
  model: string;
  device: string;
  opset: number;
  runs: number;
  /** Median wall time of one run, outputs read back included, in ms. */
  medianMs: number;
  peakBytes: number;
  fallbacks: number;
  outputs: { name: string; shape: number[]; dtype: string; file?: string }[];
  profile?: ProfileRow[];
}

/** One row of `--profile`: a node of the last run. */
export interface ProfileRow {
  node: string;
  op: string;
  how: string;
  devices: string;
  plugins: string;
  fallbacks: number;
  ms: number;
}

/** `name=value` pairs of a repeated option. */
function pairs(list: readonly string[] | undefined, option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new HearthError('E_ARG', `${option} takes name=value, got "${item}".`);
    out.set(item.slice(0, at), item.slice(at + 1));
  }
  return out;
}

/** The concrete shape of an input: symbolic dimensions from --dim, else 1. */
function concreteShape(spec: ValueSpec, dims: Map<string, string>): number[] {
  if (!spec.shape) throw new HearthError('E_ARG', `Input "${spec.name}" has no declared shape: give it with --input ${spec.name}=file.npy.`);
  return spec.shape.map((d) => {
    if (typeof d === 'number' && d > 0) return d;
    const v = typeof d === 'string' ? dims.get(d) : undefined;
    const n = v === undefined ? 1 : Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new HearthError('E_ARG', `--dim ${d}=${v}: a dimension is a non-negative integer.`);
    return n;
  });
}

/** The feeds: .npy files named by --input, seeded random data of the input's shape with --random. */
async function makeFeeds(h: Hearth, model: OnnxModel, o: RunModelOptions): Promise<Record<string, Tensor>> {
  const files = pairs(o.input, '--input');
  const dims = pairs(o.dim, '--dim');
  for (const name of files.keys()) {
    if (!model.inputs.some((i) => i.name === name)) throw new HearthError('E_ARG', `--input ${name}: the model has no input "${name}"; its inputs are ${model.inputs.map((i) => i.name).join(', ')}.`);
  }
  const rng = new Rng(o.seed); // the suite's seeded generator: the same inputs on every machine
  const next = () => rng.next();
  const feeds: Record<string, Tensor> = {};
  for (const spec of model.inputs) {
    const file = files.get(spec.name);
    if (file) {
      const npy = await readNpy(file);
      feeds[spec.name] = h.tensor(npy.data, { shape: npy.shape, dtype: npy.dtype, device: model.device });
    } else if (o.random) {
      const shape = concreteShape(spec, dims);
      const n = shape.reduce((a, b) => a * b, 1);
      const dtype = deviceDtype(spec.type);
      const data = dtype === 'bool' ? Uint8Array.from({ length: n }, () => +(next() < 0.5)) : dtype === 'int32' ? Int32Array.from({ length: n }, () => Math.floor(next() * 10)) : Float32Array.from({ length: n }, () => next() * 2 - 1);
      feeds[spec.name] = h.tensor(dtype === 'float64' ? Float64Array.from(data) : data, { shape, dtype, device: model.device });
    } else {
      throw new HearthError('E_ARG', `Input "${spec.name}" has no data: give --input ${spec.name}=file.npy, or --random for seeded random inputs.`);
    }
  }
  return feeds;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function profileRows(profile: readonly NodeProfile[]): ProfileRow[] {
  const uniq = (xs: string[]) => [...new Set(xs)].join(',') || '-';
  return profile.map((p) => ({
    node: p.node,
    op: p.opType,
    how: p.kind,
    devices: uniq(p.kernels.map((k) => k.device)),
    plugins: uniq(p.kernels.map((k) => k.plugin)),
    fallbacks: p.fallbacks,
    ms: p.ms,
  }));
}

/** A file name for an output, its name kept (path separators replaced). */
const fileName = (name: string) => `${name.replace(/[/\\:]/g, '_') || 'output'}.npy`;

/** Loads, runs `runs` times and reports; writes outputs under `save`. Progress goes to stderr. */
export async function runModel(path: string, o: RunModelOptions): Promise<RunResult> {
  if (!Number.isSafeInteger(o.runs) || o.runs < 1) throw new HearthError('E_ARG', `--runs takes a positive integer, got ${o.runs}.`);
  const { hearth: h, error } = await openRuntime({ plugins: o.plugin, backends: o.backend ? [o.backend, 'cpu'] : undefined, fallback: o.fallback });
  if (error) throw error;
  try {
    const size = (await stat(path).catch(() => undefined))?.size;
    const started = performance.now();
    process.stderr.write(`loading ${path}${size ? ` (${(size / 2 ** 20).toFixed(1)} MiB)` : ''}...\n`);
    const model = await loadOnnx(path, { hearth: h, device: o.backend ? `${o.backend}:0` : undefined });
    process.stderr.write(`loaded in ${(performance.now() - started).toFixed(0)} ms: ${model.nodes.length} nodes, opset ${model.opset}, on ${model.device}\n`);
    const feeds = await makeFeeds(h, model, o);
    let fallbacks = 0;
    h.on('fallback', () => fallbacks++);
    const times: number[] = [];
    let outputs: Record<string, Tensor> = {};
    for (let r = 0; r < o.runs; r++) {
      for (const t of Object.values(outputs)) t.dispose();
      const t0 = performance.now();
      outputs = await model.run(feeds, { profile: o.profile === true && r === o.runs - 1 });
      await Promise.all(Object.values(outputs).map((t) => t.data()));
      times.push(performance.now() - t0);
      if (o.runs > 5 && (r + 1) % Math.ceil(o.runs / 5) === 0) process.stderr.write(`run ${r + 1}/${o.runs}\n`);
    }
    if (o.save) await mkdir(o.save, { recursive: true });
    const described: RunResult['outputs'] = [];
    for (const [name, t] of Object.entries(outputs)) {
      const file = o.save ? join(o.save, fileName(name)) : undefined;
      // uint8 and int8 outputs (held as int32) are saved and described as what the model says they are.
      const type = model.outputs.find((s) => s.name === name)?.type;
      const dtype = type === 'uint8' || type === 'int8' ? type : t.dtype;
      if (file) await writeNpy(file, await t.data() as ArrayLike<number>, t.shape, dtype);
      described.push({ name, shape: [...t.shape], dtype, ...(file ? { file } : {}) });
      t.dispose();
    }
    const result: RunResult = {
      model: path,
      device: model.device,
      opset: model.opset,
      runs: o.runs,
      medianMs: median(times),
      peakBytes: model.lastRun?.peakBytes ?? 0,
      fallbacks: fallbacks / o.runs,
      outputs: described,
      ...(model.lastRun?.profile ? { profile: profileRows(model.lastRun.profile) } : {}),
    };
    for (const t of Object.values(feeds)) t.dispose();
    model.dispose();
    return result;
  } finally {
    await h.dispose().catch(() => undefined);
  }
}

/** `--check`: the nodes Hearth cannot map, then, per installed backend, the nodes that would fall back. */
export interface CheckResult {
  model: string;
  unsupported: Unsupported[];
  backends: { backend: string; status: 'ok' | 'fallback' | 'failed'; fallbacks: { node: string; op: string; kernels: string[] }[]; error?: string }[];
}

/** Lists every unsupported node, and per backend the nodes whose kernels fall back (a trial run on seeded inputs). */
export async function checkModel(path: string, o: Pick<RunModelOptions, 'plugin' | 'dim'>): Promise<CheckResult> {
  const unsupported = await checkOnnx(path);
  const result: CheckResult = { model: path, unsupported, backends: [] };
  if (unsupported.length) return result;
  const { hearth: probe } = await openRuntime({ plugins: o.plugin, allBackends: true });
  const types = [...new Set(probe.devices().map((d) => d.name.split(':')[0]!))];
  await probe.dispose().catch(() => undefined);
  for (const backend of types) {
    const { hearth: h, error } = await openRuntime({ plugins: o.plugin, backends: [backend, 'cpu'], fallback: 'allow' });
    try {
      if (error) throw error;
      const model = await loadOnnx(path, { hearth: h, device: `${backend}:0` });
      const feeds = await makeFeeds(h, model, { random: true, seed: 1, runs: 1, fallback: 'allow', dim: o.dim });
      const out = await model.run(feeds, { profile: true });
      const fallbacks = (model.lastRun?.profile ?? []).filter((p) => p.fallbacks > 0).map((p) => ({ node: p.node, op: p.opType, kernels: [...new Set(p.kernels.filter((k) => !k.device.startsWith(backend)).map((k) => `${k.op} on ${k.device}`))] }));
      for (const t of [...Object.values(out), ...Object.values(feeds)]) t.dispose();
      model.dispose();
      result.backends.push({ backend, status: fallbacks.length ? 'fallback' : 'ok', fallbacks });
    } catch (e) {
      result.backends.push({ backend, status: 'failed', fallbacks: [], error: `${(e as Error).message}${(e as HearthError).code ? ` [${(e as HearthError).code}]` : ''}` });
    } finally {
      await h.dispose().catch(() => undefined);
    }
  }
  return result;
}

function printCheck(r: CheckResult): void {
  if (r.unsupported.length) {
    console.log(`${r.model}: ${r.unsupported.length} node(s) Hearth cannot run on any backend:`);
    console.log(formatTable(['node', 'op', 'opset', 'missing'], r.unsupported.map((u) => [u.node, u.opType, String(u.opset), u.missing])));
    return;
  }
  console.log(`${r.model}: every node maps to Hearth ops.`);
  for (const b of r.backends) {
    if (b.status === 'ok') console.log(`  ${b.backend}: runs every node on ${b.backend}`);
    else if (b.status === 'failed') console.log(`  ${b.backend}: failed: ${b.error}`);
    else console.log(`  ${b.backend}: ${b.fallbacks.length} node(s) fall back: ${b.fallbacks.map((f) => `${f.node} (${f.op}: ${f.kernels.join(', ')})`).join('; ')}`);
  }
}

function printRun(r: RunResult): void {
  console.log(`${r.model} on ${r.device} (opset ${r.opset}): median ${r.medianMs.toFixed(3)} ms of ${r.runs} run(s), outputs read back included; peak intermediates ${(r.peakBytes / 1024).toFixed(1)} KiB; ${r.fallbacks} fallback(s) per run`);
  console.log(formatTable(['output', 'shape', 'dtype', 'saved'], r.outputs.map((o) => [o.name, `[${o.shape.join(', ')}]`, o.dtype, o.file ?? '-'])));
  if (r.profile) {
    console.log('');
    console.log(formatTable(['node', 'op', 'how', 'device', 'plugin', 'fallbacks', 'ms'], r.profile.map((p) => [p.node, p.op, p.how, p.devices, p.plugins, String(p.fallbacks), p.ms.toFixed(3)])));
  }
}

/** `hearth run <model.onnx>`: runs an ONNX model on a backend, or with --check lists what it cannot run. */
export function runCommand(): Command {
  return new Command('run')
    .description('Run an ONNX model on a backend: inputs from .npy files or seeded random, outputs saved as .npy, the median time of N runs')
    .argument('<model>', 'the .onnx file')
    .option('--backend <type>', 'the device type to run on (cpu, wasm, webgpu, native...); the default device when left out')
    .option('--input <name=file.npy...>', 'an input from a NumPy .npy file (repeat for each input)')
    .option('--random', 'seeded random data for every input not given by --input')
    .option('--seed <n>', 'the seed of --random', (v) => Number(v), 1)
    .option('--dim <name=size...>', 'the size of a symbolic dimension for --random (1 when not given)')
    .option('--save <dir>', 'save every output as <dir>/<output name>.npy')
    .option('--runs <n>', 'how many runs to time (the median is reported)', (v) => Number(v), 1)
    .addOption(new Option('--fallback <policy>', 'where the backend lacks a kernel').choices(['error', 'warn', 'allow']).default('allow'))
    .option('--profile', 'per node of the last run: how it ran (primitive, decomposed, fused, host), device, plugin, fallbacks, time')
    .option('--check', 'list every node Hearth cannot run, and per installed backend the nodes that fall back; runs nothing else')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print JSON for machines (progress stays on stderr)')
    .action(async (path: string, opts: RunModelOptions & { check?: boolean; json?: boolean }) => {
      if (opts.check) {
        const r = await checkModel(path, opts);
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else printCheck(r);
        process.exitCode = r.unsupported.length || r.backends.some((b) => b.status === 'failed') ? 1 : 0;
        return;
      }
      const r = await runModel(path, opts);
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else printRun(r);
    });
}
