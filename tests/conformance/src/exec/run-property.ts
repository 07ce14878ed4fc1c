import fc from 'fast-check';
import { propertyArbitrary, type PropertyInput } from '../cases/properties.js';
import { threadArbitrary } from '../cases/thread-properties.js';
import { castTargets } from '../suite.js';
import type { PropertyCase } from '../cases/types.js';
import type { AccuracyRecord } from '../results.js';
import { runCall, unsupported, type Outcome } from './run-case.js';
import type { Session } from './session.js';

/**
 * Runs a property: `runs` random calls from a fixed seed, each checked like an op case. On failure,
 * fast-check shrinks to a minimal failing input, which the result carries with the seed and path to replay.
 */
export async function runProperty(s: Session, pc: PropertyCase): Promise<Outcome> {
  const why = unsupported(s, pc);
  if (why) return { status: 'not-supported', message: why };
  const arb = (pc.regime === 'threads' ? threadArbitrary(pc.op, pc.dtype) : undefined) ?? propertyArbitrary(pc.op, pc.dtype, castTargets(pc.dtype));
  let acc: AccuracyRecord | undefined;
  // A random call that needs a kernel the plugin does not declare (a composite's step) makes the property not supported.
  let needs: string | undefined;
  const call = (p: PropertyInput) => runCall(s, { op: pc.op, dtype: pc.dtype, inputs: p.inputs, attrs: p.attrs, dtypes: pc.dtypes });
  const prop = fc.asyncProperty(arb, async (p) => {
    const o = await call(p);
    if (o.status === 'not-supported') {
      needs ??= o.message;
      return true;
    }
    if (o.accuracy) {
      acc = acc
        ? { class: acc.class, maxAbsError: Math.max(acc.maxAbsError, o.accuracy.maxAbsError), maxRelError: Math.max(acc.maxRelError, o.accuracy.maxRelError), maxUlp: Math.max(acc.maxUlp, o.accuracy.maxUlp) }
        : o.accuracy;
    }
    return o.status === 'pass';
  });
  const details = await fc.check(prop, { seed: pc.seed, numRuns: pc.runs });
  if (needs !== undefined) return { status: 'not-supported', message: needs };
  if (!details.failed) return { status: 'pass', ...(acc ? { accuracy: acc } : {}) };
  const minimal = details.counterexample?.[0] as PropertyInput | undefined;
  if (!minimal) return { status: 'fail', message: `the property threw: ${String(details.errorInstance ?? 'unknown error')}` };
  const o = await call(minimal);
  return {
    ...o,
    status: 'fail',
    message: `property failed (seed ${pc.seed}, ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s)); on the minimal input: ${o.message ?? 'it passes when rerun alone (flaky kernel?)'}`,
    failure: {
      ...(o.failure ?? {}),
      attrs: minimal.attrs,
      inputs: minimal.inputs,
      property: { seed: pc.seed, runs: details.numRuns, shrinks: details.numShrinks, ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}) },
    },
  };
}
