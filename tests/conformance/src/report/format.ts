import { DTYPES, OPSET, type DType } from '@hearth/core';
import { FAILING, type AccuracyRecord, type CaseResult, type CaseStatus } from '../results.js';
import type { RunResult } from '../runner/run.js';
import type { TensorInput } from '../cases/types.js';

/** A number as reports write it: NaN, Infinity, -Infinity and -0 spelled out. */
export function num(x: number): string {
  if (Object.is(x, -0)) return '-0';
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(9)));
}

/** JSON.stringify replacer keeping NaN, ±Infinity and -0 (JSON has no spelling for them) as strings. */
export function specialNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? num(v) : v;
}

/** Inputs up to this many elements in all are shown inline; larger ones are saved to a file. */
export const INLINE_LIMIT = 24;

/** True when a failure's inputs are small enough to print. */
export function inlineable(inputs: readonly TensorInput[] | undefined): boolean {
  return (inputs ?? []).reduce((n, t) => n + t.data.length, 0) <= INLINE_LIMIT;
}

/** A file name for a case ID. */
export function fileNameFor(id: string): string {
  return id.replace(/[^a-z0-9._-]+/gi, '_');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The one-line command that reruns just this case. */
export function rerunCommand(run: Pick<RunResult, 'plugin' | 'device' | 'profile'>, id: string): string {
  return `hearth conformance --plugin ${quote(run.plugin.spec)} --device ${run.device.type} --profile ${run.profile.name} --query ${quote(id)}`;
}

/** A failure in words: op, dtype, inputs, worst element against its bound, and how to rerun it. */
export function describeFailure(run: Pick<RunResult, 'plugin' | 'device' | 'profile'>, r: CaseResult): string {
  const lines = [`${r.status.toUpperCase()} ${r.id}`];
  if (r.op) lines.push(`  op: ${r.op} (${r.dtype})${r.failure?.attrs && Object.keys(r.failure.attrs).length ? `, attrs ${JSON.stringify(r.failure.attrs, specialNumbers)}` : ''}`);
  if (r.message) lines.push(`  why: ${r.message}`);
  const f = r.failure;
  if (f?.inputs && f.inputs.length > 0) {
    if (f.inputsFile) lines.push(`  inputs: ${f.inputs.map((t) => `${t.dtype}[${t.shape.join(', ')}]`).join(', ')} saved to ${f.inputsFile}`);
    else for (const [i, t] of f.inputs.entries()) lines.push(`  input ${i}: ${t.dtype}[${t.shape.join(', ')}] = [${t.data.map(num).join(', ')}]`);
  }
  if (f?.worst) {
    const w = f.worst;
    lines.push(`  worst element [${w.index}]: observed ${num(w.observed)}, expected ${num(w.expected)} (exact ${num(w.exact)}), allowed error ${num(w.allowed)}${f.contract ? ` — ${f.contract}` : ''}`);
  }
  if (r.accuracy) lines.push(`  accuracy: ${accuracyLine(r.accuracy)}`);
  if (f?.property) lines.push(`  property: seed ${f.property.seed}, ${f.property.runs} run(s), ${f.property.shrinks} shrink(s)${f.property.path ? `, path ${f.property.path}` : ''}`);
  lines.push(`  rerun: ${rerunCommand(run, r.id)}`);
  return lines.join('\n');
}

/**
 * A case's accuracy in words. Elements where NaN or an infinity did not match have no error to measure, so
 * they are named first (what was expected, what came) and the max figures are said to cover the others.
 */
export function accuracyLine(a: AccuracyRecord): string {
  const figures = `max abs ${num(a.maxAbsError)}, max rel ${num(a.maxRelError)}, max ${num(a.maxUlp)} ULP`;
  const sp = a.specials;
  if (!sp) return figures;
  // Read back from JSON, NaN is the string "NaN": Number() takes both forms.
  const nanDiffers = Number.isNaN(Number(sp.expected)) !== Number.isNaN(Number(sp.observed));
  const first = `at [${sp.index}] expected ${num(sp.expected)}, got ${num(sp.observed)}${nanDiffers ? ' (NaN positions differ)' : ''}`;
  const where = sp.count === 1 ? `1 element is NaN or infinite where the reference differs, ${first}` : `${sp.count} elements are NaN or infinite where the reference differs; the first ${first}`;
  return `${where}; over the other elements, ${figures}`;
}

/** The cell of one (op, dtype): how many passed, failed, and the overall status. */
export interface MatrixCell {
  /** Cases in the cell. */
  readonly total: number;
  /** Per status. */
  readonly counts: Partial<Record<CaseStatus, number>>;
  /** The cell's summary status: the worst of its cases. */
  readonly status: CaseStatus;
}

const RANK: readonly CaseStatus[] = ['crash', 'timeout', 'fail', 'unexpected-pass', 'expected-fail', 'flaky', 'skip', 'pass', 'not-supported'];

/** Summarizes results into cells keyed by op and dtype (the op × dtype matrix). */
export function matrix(results: readonly CaseResult[]): Map<string, Map<string, MatrixCell>> {
  const m = new Map<string, Map<string, { total: number; counts: Partial<Record<CaseStatus, number>> }>>();
  for (const r of results) {
    if (!r.op || !r.dtype) continue;
    const row = m.get(r.op) ?? m.set(r.op, new Map()).get(r.op)!;
    const cell = row.get(r.dtype) ?? row.set(r.dtype, { total: 0, counts: {} }).get(r.dtype)!;
    cell.total++;
    cell.counts[r.status] = (cell.counts[r.status] ?? 0) + 1;
  }
  const out = new Map<string, Map<string, MatrixCell>>();
  for (const op of OPSET.map((o) => o.name)) {
    const row = m.get(op);
    if (!row) continue;
    out.set(op, new Map([...row].map(([d, c]) => [d, { ...c, status: cellStatus(c.counts) }])));
  }
  return out;
}

/** The dtypes that have a column in a matrix (a cell in some row), in dtype order. */
export function matrixDtypes(m: ReadonlyMap<string, ReadonlyMap<string, MatrixCell>>): DType[] {
  return DTYPES.filter((d) => [...m.values()].some((row) => row.has(d)));
}

/** The results that fail a run, in order. */
export function failuresOf(run: Pick<RunResult, 'results'>): CaseResult[] {
  return run.results.filter((r) => FAILING.includes(r.status));
}

/** The worst status of a set of counts (not-supported only when nothing else is there). */
export function cellStatus(counts: Partial<Record<CaseStatus, number>>): CaseStatus {
  return RANK.find((s) => (counts[s] ?? 0) > 0) ?? 'not-supported';
}

/** One bucket of the accuracy histogram. */
export interface UlpBucket {
  /** The column label. */
  readonly label: string;
  /** The bucket's upper bound in ULPs. */
  readonly max: number;
}

/** ULP buckets of the accuracy histogram. */
export const ULP_BUCKETS: readonly UlpBucket[] = [
  { label: '0', max: 0 },
  { label: '≤0.5', max: 0.5 },
  { label: '≤1', max: 1 },
  { label: '≤2', max: 2 },
  { label: '≤4', max: 4 },
  { label: '≤16', max: 16 },
  { label: '≤256', max: 256 },
  { label: '>256', max: Infinity },
];

/** Per op: how many float cases fall in each ULP bucket (by their max ULP distance). */
export function ulpHistogram(results: readonly CaseResult[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of results) {
    if (!r.op || !r.accuracy || !(r.dtype === 'float32' || r.dtype === 'float16' || r.dtype === 'float64')) continue;
    const h = out.get(r.op) ?? out.set(r.op, ULP_BUCKETS.map(() => 0)).get(r.op)!;
    // A NaN or an infinity where the reference differs is no ULP distance: it goes with the worst.
    const ulp = r.accuracy.specials ? Infinity : r.accuracy.maxUlp;
    h[ULP_BUCKETS.findIndex((b) => ulp <= b.max)]!++;
  }
  return out;
}

/** A model case of a model profile, as reports list it. */
export interface ModelRow {
  /** The model's name. */
  readonly model: string;
  /** The case's status. */
  readonly status: CaseStatus;
  /** The largest |hearth - onnxruntime| over its outputs, and the largest relative error. */
  readonly figures: string;
}

/** The rows of the reference models a run ran (none for an op profile). */
export function modelRows(run: Pick<RunResult, 'results'>): ModelRow[] {
  return run.results
    .filter((r) => r.kind === 'model')
    .map((r) => ({
      model: /^hearth:model,([^:]+):/.exec(r.id)?.[1] ?? r.id,
      status: r.status,
      figures: r.accuracy ? `max abs ${num(r.accuracy.maxAbsError)}, max rel ${num(r.accuracy.maxRelError)}` : (r.message ?? ''),
    }));
}
