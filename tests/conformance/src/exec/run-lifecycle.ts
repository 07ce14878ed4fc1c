import { hostArray, kindOf, opsetOps, type DType, type OpSchema } from '@hearth/core';
import { computeDtypes } from '../suite.js';
import { specials } from '../cases/data.js';
import { Rng } from '../numeric/rng.js';
import { roundTo } from '../numeric/float.js';
import type { LifecycleCase } from '../cases/types.js';
import type { Outcome } from './run-case.js';
import { leakBetween, type Session } from './session.js';

/** The input dtypes `supports()` is asked about for (op, compute dtype). */
function supportsDtypes(op: OpSchema, dtype: DType): DType[] {
  if (op.inputs.length === 0) return [dtype];
  return op.inputs.filter((i) => !i.optional).flatMap((i) => (i.promote ? (i.variadic ? [dtype, dtype] : [dtype]) : [i.dtypes === 'bool' ? 'bool' : 'int32']));
}

/** Async readback: data comes back through a promise, bit-exact (NaN, ±Inf, -0 and subnormals included). */
async function readback(s: Session, dtype: DType): Promise<Outcome> {
  if (s.missingDtype([dtype])) return { status: 'not-supported', message: `${s.device} does not store ${dtype}` };
  const rng = new Rng(0x5eed);
  const values = [...specials(dtype), ...Array.from({ length: 1000 }, () => rng.uniform(-1e4, 1e4))].map((v) => roundTo(dtype, v));
  const before = s.snapshot();
  const data = hostArray(dtype, values.length);
  data.set(values);
  const t = s.hearth!.tensor(data, { dtype, shape: [values.length], device: s.device });
  const problems: string[] = [];
  try {
    const pending = t.data();
    if (typeof (pending as { then?: unknown }).then !== 'function') problems.push('data() did not return a promise');
    const back = await pending;
    const at = values.findIndex((v, i) => !(Object.is(v, back[i]) || (Number.isNaN(v) && Number.isNaN(back[i]!))));
    if (back.length !== values.length) problems.push(`read ${back.length} of ${values.length} elements`);
    else if (at >= 0) problems.push(`element ${at} wrote ${values[at]} and read back ${back[at]}`);
  } finally {
    t.dispose();
  }
  const leak = leakBetween(before, s.snapshot());
  if (leak) problems.push(leak);
  return problems.length ? { status: 'fail', message: problems.join('; ') } : { status: 'pass' };
}

/**
 * supports(op, dtypes, device) must say yes exactly where a kernel is declared and the device stores the
 * dtype, for every primitive of the opset the plugin declares.
 */
function supports(s: Session, dtype: DType): Outcome {
  const stores = !s.missingDtype([dtype]);
  const wrong: string[] = [];
  let declaredAny = false;
  for (const op of opsetOps(s.report.plugin.opset).filter((o) => kindOf(o) === 'primitive')) {
    if (!computeDtypes(op).includes(dtype)) continue;
    const declared = s.declared(op.name, dtype);
    declaredAny ||= declared;
    const said = s.hearth!.supports(op.name, supportsDtypes(op, dtype), s.report.deviceType);
    if (said !== (declared && stores)) wrong.push(`${op.name}: supports() says ${said}, but the kernel is ${declared ? 'declared' : 'not declared'}${stores ? '' : ` and ${dtype} is not stored`}`);
  }
  if (!stores && !declaredAny && wrong.length === 0) return { status: 'not-supported', message: `${s.device} does not store ${dtype}` };
  return wrong.length ? { status: 'fail', message: wrong.join('; ') } : { status: 'pass' };
}

/** Runs a life-cycle check. */
export async function runLifecycle(s: Session, c: LifecycleCase): Promise<Outcome> {
  switch (c.check) {
    case 'init':
      return s.report.ok ? { status: 'pass' } : { status: 'fail', message: `the device failed to initialise: ${s.report.reason}`, ...(s.report.code ? { error: { code: s.report.code, message: s.report.reason! } } : {}) };
    case 'readback':
      return readback(s, c.dtype!);
    case 'supports':
      return supports(s, c.dtype!);
    case 'leaks': {
      const live = s.hearth!.leaks();
      const leak = leakBetween(s.baseline!, s.snapshot());
      const problems = [...(live.length ? [`${live.length} tensor(s) still alive: ${live.slice(0, 5).map((t) => `#${t.id} ${t.dtype}[${t.shape.join(', ')}] made by ${t.createdBy}`).join(', ')}`] : []), ...(leak ? [leak] : [])];
      return problems.length ? { status: 'fail', message: problems.join('; ') } : { status: 'pass' };
    }
  }
}
