import type { OpCase, SuiteCase } from '../cases/types.js';
import { resultFields, type CaseResult } from '../results.js';
import { runCall, type Outcome } from './run-case.js';
import { runProperty } from './run-property.js';
import { runLifecycle } from './run-lifecycle.js';
import type { Session } from './session.js';
import { runModel, type ModelRunner } from '../models/run-model.js';

/** Runs one case of any kind on an open session and times it (a model case with `models`). A device that failed to start blocks every case but init. */
export async function executeCase(s: Session, c: SuiteCase, models?: ModelRunner): Promise<CaseResult> {
  const start = performance.now();
  let o: Outcome;
  if (!s.report.ok && !(c.kind === 'lifecycle' && c.check === 'init')) {
    o = { status: 'fail', message: `not run: the device failed to initialise (${s.report.reason})` };
  } else {
    try {
      o = c.kind === 'lifecycle' ? await runLifecycle(s, c) : c.kind === 'property' ? await runProperty(s, c) : c.kind === 'model' ? await runModel(s, c, models) : await runCalls(s, c);
    } catch (e) {
      o = { status: 'fail', message: `the case threw outside the op: ${(e as Error)?.stack ?? e}` };
    }
  }
  const timeMs = Math.round((performance.now() - start) * 1000) / 1000;
  return { ...resultFields(c), ...o, timeMs };
}

/** An op case's call, then its follow-up calls (a sequence case) while each passes. */
async function runCalls(s: Session, c: OpCase): Promise<Outcome> {
  const calls = [c, ...(c.then ?? [])];
  let o: Outcome = { status: 'pass' };
  for (let k = 0; k < calls.length && o.status === 'pass'; k++) {
    // Drawn once here and held for the call: lazy inputs would otherwise be drawn again at each read.
    const inputs = calls[k]!.inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, data: t.data }));
    o = await runCall(s, { ...c, inputs, attrs: calls[k]!.attrs });
    if (o.status === 'fail' && calls.length > 1) o = { ...o, message: `call ${k + 1} of ${calls.length} (attributes ${JSON.stringify(calls[k]!.attrs)}): ${o.message}` };
  }
  return o;
}
