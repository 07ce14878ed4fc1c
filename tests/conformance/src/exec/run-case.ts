import { isHearthError, hostArray, type DType, type Tensor } from '@hearth/core';
import { ACCURACY } from '../accuracy.js';
import { evaluate } from '../oracle/index.js';
import { compare, type Comparison } from '../numeric/compare.js';
import { isSubnormal } from '../numeric/float.js';
import type { ExpectedError, TensorInput } from '../cases/types.js';
import type { CaseResult, FailureDetail } from '../results.js';
import { leakBetween, type Session } from './session.js';

/** One op call to check: what an op case or one property run gives. */
export interface OpCall {
  readonly op: string;
  readonly dtype: DType;
  readonly inputs: readonly TensorInput[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly error?: ExpectedError;
  readonly dtypes: readonly DType[];
}

/** The outcome of one call, before it becomes a {@link CaseResult}. */
export type Outcome = Pick<CaseResult, 'status' | 'message' | 'error' | 'accuracy' | 'failure'>;

/** Why a case can't run on this device, or undefined when it can. */
export function unsupported(s: Session, call: { op: string; dtype: DType; dtypes: readonly DType[] }): string | undefined {
  const missing = s.missingDtype(call.dtypes);
  if (missing) return `${s.device} does not store ${missing}`;
  if (!s.declared(call.op, call.dtype)) return `the plugin declares no ${call.op}(${call.dtype}) kernel on ${s.report.deviceType}`;
  return undefined;
}

/**
 * The kernel a call needed besides its own, when the plugin does not declare it (a `cast` to promote an
 * input): the case is then not supported rather than failed, so a partial plugin is judged only on what it
 * declares. Undefined for any other error.
 */
function undeclaredPrerequisite(s: Session, call: OpCall, e: unknown): string | undefined {
  if (!isHearthError(e, 'E_NO_KERNEL')) return undefined;
  const { op, dtype } = e.details as { op?: string; dtype?: DType };
  if (op === undefined || dtype === undefined || (op === call.op && dtype === call.dtype) || s.declared(op, dtype)) return undefined;
  return `needs ${op}(${dtype}) on ${s.report.deviceType}, which the plugin does not declare`;
}

function host(t: TensorInput) {
  const a = hostArray(t.dtype, t.data.length);
  a.set(t.data);
  return a;
}

/** The flush-to-zero reference: subnormal float32/float16 inputs read as ±0 (float64 keeps its subnormals). */
function flushed(inputs: readonly TensorInput[]): TensorInput[] | undefined {
  const flushes = (t: TensorInput) => t.dtype !== 'float64' && t.data.some((v) => isSubnormal(t.dtype, v));
  if (!inputs.some(flushes)) return undefined;
  return inputs.map((t) => (flushes(t) ? { ...t, data: t.data.map((v) => (isSubnormal(t.dtype, v) ? v * 0 : v)) } : t));
}

const sameBits = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/**
 * Runs one call on the session's device and checks everything a kernel promises: the error code (error
 * cases), the output's dtype, shape and values against the oracle under the op's bound, that no input
 * changed (a kernel writing outside its output lands in an input or a neighbour), and that the device's
 * storage is exactly as before (no leak, in the core's ledger or the backend's own count).
 */
export async function runCall(s: Session, call: OpCall): Promise<Outcome> {
  const why = unsupported(s, call);
  if (why) return { status: 'not-supported', message: why };
  const h = s.hearth!;
  const before = s.snapshot();
  const problems: string[] = [];
  const hosts = call.inputs.map(host);
  const tensors: Tensor[] = [];
  let out: Tensor | undefined;
  let error: { code?: string; message: string } | undefined;
  let comparison: Comparison | undefined;
  let needs: string | undefined;
  try {
    for (let i = 0; i < hosts.length; i++) tensors.push(h.tensor(hosts[i]!, { dtype: call.inputs[i]!.dtype, shape: call.inputs[i]!.shape, device: s.device }));
    try {
      out = h.op(call.op, tensors, call.attrs, { device: s.device });
    } catch (e) {
      error = { ...(isHearthError(e) ? { code: e.code } : {}), message: (e as Error)?.message ?? String(e) };
      needs = undeclaredPrerequisite(s, call, e);
    }
    if (call.error) {
      if (!error && !call.error.optional) problems.push(`expected ${call.error.codes.join(' or ')}, but the call succeeded`);
      else if (error && !call.error.codes.includes(error.code as never)) problems.push(`expected ${call.error.codes.join(' or ')}, got ${error.code ?? 'a non-HearthError'}: ${error.message}`);
    } else if (error) {
      problems.push(error.code === 'E_KERNEL' ? `the declared kernel threw: ${error.message}` : `the call failed with ${error.code ?? 'a non-HearthError'}: ${error.message}`);
    } else if (out) {
      const expected = evaluate(call.op, call.inputs, call.attrs);
      if (out.dtype !== expected.dtype) problems.push(`output dtype ${out.dtype}, expected ${expected.dtype}`);
      if (out.shape.join(',') !== expected.shape.join(',')) problems.push(`output shape [${out.shape.join(', ')}], expected [${expected.shape.join(', ')}]`);
      const observed = await out.data();
      if (observed.length !== expected.values.length) problems.push(`read back ${observed.length} elements, expected ${expected.values.length}`);
      else {
        const alt = flushed(call.inputs);
        comparison = compare(observed, expected, ACCURACY[call.op]!.bound(expected.dtype), alt && evaluate(call.op, alt, call.attrs));
        if (!comparison.pass) problems.push(`${comparison.mismatches} of ${observed.length} element(s) out of bound`);
      }
    }
    for (let i = 0; i < tensors.length; i++) {
      const back = await tensors[i]!.data();
      const at = hosts[i]!.findIndex((v, k) => !sameBits(v, back[k]!));
      if (at >= 0) problems.push(`input ${i} changed at element ${at} (${hosts[i]![at]} became ${back[at]}): the kernel wrote outside its output`);
    }
  } catch (e) {
    problems.push(`the check itself failed: ${(e as Error)?.message ?? e}`);
  } finally {
    out?.dispose();
    for (const t of tensors) t.dispose();
  }
  const leak = leakBetween(before, s.snapshot());
  if (needs && !leak) return { status: 'not-supported', message: needs };
  if (leak) problems.push(leak);
  const acc = ACCURACY[call.op]!;
  const accuracy = comparison
    ? { class: acc.class, maxAbsError: comparison.maxAbsError, maxRelError: comparison.maxRelError, maxUlp: comparison.maxUlp, ...(comparison.specials ? { specials: comparison.specials } : {}) }
    : undefined;
  if (problems.length === 0) return { status: 'pass', ...(accuracy ? { accuracy } : {}), ...(error && call.error ? { error } : {}) };
  const failure: FailureDetail = {
    attrs: call.attrs,
    inputs: call.inputs,
    ...(comparison?.worst ? { worst: comparison.worst } : {}),
    ...(comparison ? { contract: acc.text } : {}),
  };
  return { status: 'fail', message: problems.join('; '), ...(error ? { error } : {}), ...(accuracy ? { accuracy } : {}), failure };
}
