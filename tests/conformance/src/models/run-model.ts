import type { Hearth, Tensor } from '@hearth/core';
import type { ModelCase } from '../cases/types.js';
import type { Outcome } from '../exec/run-case.js';
import { leakBetween, type Session } from '../exec/session.js';
import { ulpOf } from '../numeric/float.js';
import type { FailureDetail } from '../results.js';
import { getModelSet } from './model-sets.js';
import { modelBytes, readReference, type ReferenceTensor } from './reference.js';

/**
 * What runs an ONNX model on a runtime: the suite defines model profiles but parses no ONNX itself (it
 * stays below @hearth/onnx in the layering), so the caller hands it a runner (the CLI's is @hearth/onnx).
 * `run` loads the model on the runtime's default device, runs it on `feeds`, frees the model and returns
 * the outputs by name, which the caller disposes.
 */
export interface ModelRunner {
  /** Runs `model` (ONNX bytes) once on `feeds`. */
  run(hearth: Hearth, model: Uint8Array, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
}

/** The comparison of one output with its reference. */
interface OutputCheck {
  problems: string[];
  maxAbs: number;
  maxRel: number;
  maxUlp: number;
  worst?: FailureDetail['worst'] & object;
}

/** Compares an output with onnxruntime's within the set's tolerance; NaN matches only NaN. */
function checkOutput(name: string, shape: readonly number[], got: ArrayLike<number>, ref: ReferenceTensor, atol: number, rtol: number): OutputCheck {
  const out: OutputCheck = { problems: [], maxAbs: 0, maxRel: 0, maxUlp: 0 };
  if (shape.join(',') !== ref.shape.join(',')) {
    out.problems.push(`output ${name} has shape [${shape.join(', ')}], onnxruntime's [${ref.shape.join(', ')}]`);
    return out;
  }
  let bad = 0;
  let worstScore = -1;
  for (let i = 0; i < ref.data.length; i++) {
    const o = got[i]!;
    const e = ref.data[i]!;
    const allowed = atol + rtol * Math.abs(e);
    const err = Object.is(o, e) || (Number.isNaN(o) && Number.isNaN(e)) ? 0 : Math.abs(o - e);
    const ok = err <= allowed; // NaN where the reference has a number (or the reverse) is never within
    if (!ok) bad++;
    if (Number.isFinite(err)) {
      out.maxAbs = Math.max(out.maxAbs, err);
      if (e !== 0) out.maxRel = Math.max(out.maxRel, err / Math.abs(e));
      if (Number.isFinite(e)) out.maxUlp = Math.max(out.maxUlp, err / ulpOf('float32', e));
    }
    const score = (ok ? 0 : 1e300) + (Number.isFinite(err) ? Math.min(err / allowed, 1e298) : 1e299);
    if (score > worstScore) {
      worstScore = score;
      out.worst = { index: i, observed: o, expected: e, exact: e, allowed };
    }
  }
  if (bad) out.problems.push(`output ${name}: ${bad} of ${ref.data.length} element(s) differ from onnxruntime's by more than ${atol} + ${rtol}·|onnxruntime|`);
  return out;
}

/**
 * Runs one reference model whole on the session's device (its fallback is off, so every op runs there) and
 * compares each output with onnxruntime-node's. Like an op case it also checks that nothing leaked.
 */
export async function runModel(s: Session, c: ModelCase, runner: ModelRunner | undefined): Promise<Outcome> {
  const set = getModelSet(c.set);
  if (!runner) return { status: 'fail', message: 'this case runs an ONNX model, and the run was given no model runner: run model profiles with `hearth conformance` (it brings @hearth/onnx)' };
  if (s.report.plugin.opset < set.opset) return { status: 'not-supported', message: `the ${c.set} models need opset ${set.opset}; ${s.report.plugin.name} declares opset ${s.report.plugin.opset}` };
  const ref = readReference(c.model);
  const h = s.hearth!;
  const before = s.snapshot();
  const feeds: Record<string, Tensor> = {};
  let outputs: Record<string, Tensor> = {};
  const problems: string[] = [];
  let acc = { maxAbs: 0, maxRel: 0, maxUlp: 0 };
  let worst: OutputCheck['worst'];
  try {
    for (const [name, t] of Object.entries(ref.inputs)) feeds[name] = h.tensor(t.data, { shape: [...t.shape], device: s.device });
    outputs = await runner.run(h, modelBytes(c.model), feeds);
    const names = Object.keys(ref.outputs).sort();
    if (Object.keys(outputs).sort().join(',') !== names.join(',')) problems.push(`outputs ${Object.keys(outputs).sort().join(', ')}; onnxruntime's are ${names.join(', ')}`);
    for (const name of names.filter((n) => outputs[n])) {
      const t = outputs[name]!;
      if (t.dtype !== 'float32') problems.push(`output ${name} is ${t.dtype}, onnxruntime's is float32`);
      const check = checkOutput(name, t.shape, await t.data(), ref.outputs[name]!, set.tolerance.atol, set.tolerance.rtol);
      problems.push(...check.problems);
      acc = { maxAbs: Math.max(acc.maxAbs, check.maxAbs), maxRel: Math.max(acc.maxRel, check.maxRel), maxUlp: Math.max(acc.maxUlp, check.maxUlp) };
      if (check.problems.length && !worst) worst = check.worst;
    }
  } catch (e) {
    problems.push(`the model did not run: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    for (const t of [...Object.values(feeds), ...Object.values(outputs)]) t.dispose();
  }
  const leak = leakBetween(before, s.snapshot());
  if (leak) problems.push(leak);
  const accuracy = { class: 'absolute', maxAbsError: acc.maxAbs, maxRelError: acc.maxRel, maxUlp: acc.maxUlp };
  if (problems.length === 0) return { status: 'pass', accuracy };
  const contract = `|hearth - onnxruntime| <= ${set.tolerance.atol} + ${set.tolerance.rtol}·|onnxruntime| per element (reference by ${ref.producedBy})`;
  return { status: 'fail', message: problems.join('; '), accuracy, failure: { contract, ...(worst ? { worst } : {}) } };
}
