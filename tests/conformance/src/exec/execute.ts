import type { SuiteCase } from '../cases/types.js';
import { resultFields, type CaseResult } from '../results.js';
import { runCall, type Outcome } from './run-case.js';
import { runProperty } from './run-property.js';
import { runLifecycle } from './run-lifecycle.js';
import type { Session } from './session.js';

/** Runs one case of any kind on an open session and times it. A device that failed to start blocks every case but init. */
export async function executeCase(s: Session, c: SuiteCase): Promise<CaseResult> {
  const start = performance.now();
  let o: Outcome;
  if (!s.report.ok && !(c.kind === 'lifecycle' && c.check === 'init')) {
    o = { status: 'fail', message: `not run: the device failed to initialise (${s.report.reason})` };
  } else {
    try {
      o = c.kind === 'lifecycle' ? await runLifecycle(s, c) : c.kind === 'property' ? await runProperty(s, c) : await runCall(s, c);
    } catch (e) {
      o = { status: 'fail', message: `the case threw outside the op: ${(e as Error)?.stack ?? e}` };
    }
  }
  const timeMs = Math.round((performance.now() - start) * 1000) / 1000;
  return { ...resultFields(c), ...o, timeMs };
}
