import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { HearthError, getOp, sizeOf, type DType } from '@hearth/core';
import { caseId } from '../ids.js';
import { dtypesOf } from '../oracle/index.js';
import { roundTo } from '../numeric/float.js';
import { specialNumbers } from '../report/format.js';
import type { OpCase, TensorInput } from '../cases/types.js';

const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/repro.schema.json', import.meta.url), 'utf8')) as object;

/** One call of a reproduction. */
export interface ReproCall {
  /** The operator. */
  readonly op: string;
  /** Its attributes. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Its inputs. */
  readonly inputs: readonly TensorInput[];
}

/** A reproduction file (`schema/repro.schema.json`): calls that `hearth conformance --repro <file>` reruns. */
export interface Repro {
  /** Always `hearth-repro`. */
  readonly format: 'hearth-repro';
  /** The format version, 1. */
  readonly version: 1;
  /** The calls, in order, each checked against the oracle. */
  readonly calls: readonly ReproCall[];
  /** What disagreed, in words. */
  readonly found?: string;
  /** The plugin that disagreed. */
  readonly plugin?: string;
  /** What it was compared with. */
  readonly against?: string;
  /** The fuzz seed that found it. */
  readonly seed?: number;
}

/** The reproduction as JSON, NaN, ±Infinity and -0 spelled as strings (what {@link readRepro} reads back). */
export function reproJson(repro: Repro | ReproCall): string {
  return `${JSON.stringify(repro, specialNumbers, 1)}\n`;
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/**
 * Reads a reproduction: a `hearth-repro` file of calls, or one call `{ op, attrs, inputs }` (a field check's
 * `repro`, or a saved failing input of a conformance report). Throws `E_ARG` naming the file and the JSON
 * pointer of each problem: not JSON, not the schema, an unknown op, data that does not fit its shape or dtype.
 */
export function readRepro(file: string): Repro {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new HearthError('E_ARG', `${file}: not a readable JSON reproduction (${(e as Error).message}).`, { path: file });
  }
  const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'not').map((e) => `${file}#${e.instancePath} ${e.message}`);
    throw new HearthError('E_ARG', `${file} is not a reproduction (schema/repro.schema.json):\n  ${[...new Set(problems)].slice(0, 8).join('\n  ') || 'neither a hearth-repro file nor one { op, attrs, inputs } call'}`, { path: file });
  }
  const raw = data as { format?: string; calls?: unknown[] };
  const calls = (raw.format ? raw.calls! : [data]).map((c, i) => decodeCall(c as RawCall, raw.format ? `${file}#/calls/${i}` : `${file}#`));
  return raw.format ? { ...(data as Repro), calls } : { format: 'hearth-repro', version: 1, calls };
}

type RawCall = { op: string; attrs?: Record<string, unknown>; inputs: { dtype: DType; shape: number[]; data: (number | string)[] }[] };

function decodeCall(c: RawCall, at: string): ReproCall {
  try {
    getOp(c.op);
  } catch {
    throw new HearthError('E_ARG', `${at}/op: unknown operator "${c.op}"; \`hearth ops\` lists them.`, { path: at });
  }
  const inputs = c.inputs.map((t, i) => {
    const where = `${at}/inputs/${i}`;
    if (t.data.length !== sizeOf(t.shape)) throw new HearthError('E_ARG', `${where}/data: ${t.data.length} element(s) for shape [${t.shape.join(', ')}], which holds ${sizeOf(t.shape)}.`, { path: where });
    const data = t.data.map((v) => (typeof v === 'string' ? SPECIAL[v]! : v));
    const bad = data.findIndex((v) => (t.dtype === 'bool' ? v !== 0 && v !== 1 : t.dtype === 'int32' ? !Number.isInteger(v) || v !== (v | 0) : roundTo(t.dtype, v) !== v && !Number.isNaN(v)));
    if (bad >= 0) throw new HearthError('E_ARG', `${where}/data/${bad}: ${t.data[bad]} is not a ${t.dtype} value${t.dtype === 'bool' ? ' (0 or 1)' : ''}.`, { path: `${where}/data/${bad}` });
    return { dtype: t.dtype, shape: t.shape, data };
  });
  return { op: c.op, attrs: c.attrs ?? {}, inputs };
}

/** The reproduction's calls as op cases (`hearth:repro,<op>:dtype=<dtype>;case=call-<n>`), run like any op case. */
export function reproCases(repro: Repro): OpCase[] {
  return repro.calls.map((call, i) => {
    const { compute, out } = dtypesOf(call.op, call.inputs, call.attrs);
    const dtypes = [...new Set<DType>([compute, out, ...call.inputs.map((t) => t.dtype)])];
    return { id: caseId(['repro', call.op], [['dtype', compute], ['case', `call-${i + 1}`]]), kind: 'reference', op: call.op, dtype: compute, name: `call-${i + 1}`, inputs: call.inputs, attrs: call.attrs, dtypes };
  });
}
