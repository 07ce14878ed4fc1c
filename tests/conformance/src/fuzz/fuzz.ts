import fc from 'fast-check';
import { HearthError, OPSET_V1, type DType, type HearthPlugin } from '@hearth/core';
import { propertyArbitrary, type PropertyInput } from '../cases/properties.js';
import { castTargets, computeDtypes } from '../suite.js';
import { dtypesOf } from '../oracle/index.js';
import { runCall, type Outcome } from '../exec/run-case.js';
import { Session } from '../exec/session.js';
import type { Repro, ReproCall } from './repro.js';

/** Options of {@link fuzzPlugins}. */
export interface FuzzOptions {
  /** The plugin under test. */
  readonly plugin: HearthPlugin;
  /** What it is compared with (the reference CPU plugin, typically). */
  readonly against: HearthPlugin;
  /** The plugin's device type (its first when left out). */
  readonly device?: string;
  /** The other plugin's device type (its first when left out). */
  readonly againstDevice?: string;
  /** How long to draw programs, in ms. */
  readonly timeMs: number;
  /** The seed: the same seed draws the same programs. */
  readonly seed: number;
  /** At most this many programs (default: as many as fit in `timeMs`). */
  readonly maxPrograms?: number;
  /** Only these ops (default: every op both plugins declare). */
  readonly ops?: readonly string[];
  /** How long shrinking a disagreement may take, in ms (default 60 000). */
  readonly shrinkTimeMs?: number;
}

/** A call on which the two plugins disagree, with both outcomes. */
export interface Disagreement {
  /** The minimal program: its calls, the last one the call that disagrees. */
  readonly repro: Repro;
  /** The plugin's outcome on the last call. */
  readonly plugin: Outcome;
  /** The other plugin's outcome on it. */
  readonly against: Outcome;
  /** How many shrink steps led to it. */
  readonly shrinks: number;
}

/** What {@link fuzzPlugins} did and found. */
export interface FuzzResult {
  /** The seed. */
  readonly seed: number;
  /** Programs run (before any shrinking). */
  readonly programs: number;
  /** Op calls made on each plugin. */
  readonly calls: number;
  /** Wall time of the search, in ms (shrinking excluded). */
  readonly timeMs: number;
  /** Programs per second. */
  readonly programsPerSecond: number;
  /** The (op, dtype) pairs drawn from. */
  readonly pairs: readonly string[];
  /** Calls where both plugins were outside the op's bound (the same answer, or an input the bounds don't cover). */
  readonly bothFailed: number;
  /** The first disagreement, shrunk; absent when none was found. */
  readonly disagreement?: Disagreement;
}

type Call = PropertyInput & { readonly op: string; readonly dtype: DType };

/** Draws programs of one to three calls, each an (op, dtype) both declare with inputs from the suite's property arbitraries. */
function programArbitrary(pairs: readonly (readonly [string, DType])[]): fc.Arbitrary<Call[]> {
  const call = fc.oneof(...pairs.map(([op, dtype]) => propertyArbitrary(op, dtype, castTargets(dtype)).map((p): Call => ({ op, dtype, inputs: p.inputs, attrs: p.attrs }))));
  return fc.array(call, { minLength: 1, maxLength: 3 });
}

const touched = (c: Call): DType[] => {
  const { compute, out } = dtypesOf(c.op, c.inputs, c.attrs);
  return [...new Set<DType>([compute, out, ...c.inputs.map((t) => t.dtype)])];
};

/**
 * Differential fuzzing: draws random programs (ops, shapes, dtypes, attributes, values from the suite's
 * property arbitraries, which span each op's fast-path regimes), runs each call on both plugins, and judges
 * both against the suite's float64 oracle under the op's accuracy bound. A call where one plugin is within
 * the bound and the other is not (or they raise different errors) is a disagreement; fast-check then shrinks
 * the program to a minimal one, returned as a reproduction `hearth conformance --repro` reruns. Both plugins
 * run in this process. Throws `E_PLUGIN` when a device does not start, `E_ARG` when no op is shared.
 */
export async function fuzzPlugins(options: FuzzOptions): Promise<FuzzResult> {
  const a = await Session.open(options.plugin, options.device);
  const b = await Session.open(options.against, options.againstDevice);
  try {
    for (const s of [a, b]) if (!s.report.ok) throw new HearthError('E_PLUGIN', `${s.report.plugin.name}: the ${s.report.deviceType} device did not start (${s.report.reason}).`, { plugin: s.report.plugin.name });
    const pairs = OPSET_V1.flatMap((op) => computeDtypes(op).map((d) => [op.name, d] as const)).filter(
      ([op, d]) => (!options.ops || options.ops.includes(op)) && a.declared(op, d) && b.declared(op, d) && !a.missingDtype([d]) && !b.missingDtype([d]),
    );
    if (pairs.length === 0) throw new HearthError('E_ARG', `${a.report.plugin.name} and ${b.report.plugin.name} declare no (op, dtype) in common${options.ops ? ` among ${options.ops.join(', ')}` : ''}: nothing to compare.`);
    let calls = 0;
    let bothFailed = 0;
    type Found = { plugin: Outcome; against: Outcome; index: number };
    let last: Found | undefined;
    /** Runs a program on both; false at the first call where they disagree (recorded in `last`). */
    const agree = async (program: readonly Call[]): Promise<boolean> => {
      for (const [index, c] of program.entries()) {
        const dtypes = touched(c);
        if (a.missingDtype(dtypes) || b.missingDtype(dtypes)) continue;
        const call = { op: c.op, dtype: c.dtype, inputs: c.inputs, attrs: c.attrs, dtypes };
        const mine = await runCall(a, call);
        const theirs = await runCall(b, call);
        calls++;
        if (mine.status === 'not-supported' || theirs.status === 'not-supported') continue;
        if (mine.status !== theirs.status) {
          last = { plugin: mine, against: theirs, index };
          return false;
        }
        if (mine.status === 'fail') bothFailed++;
      }
      return true;
    };
    const prop = fc.asyncProperty(programArbitrary(pairs), agree);
    const t0 = performance.now();
    const found = await fc.check(prop, { seed: options.seed, numRuns: options.maxPrograms ?? 2 ** 31 - 1, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(options.timeMs)] });
    const timeMs = performance.now() - t0;
    const summary = { seed: options.seed, programs: found.numRuns, calls, timeMs: Math.round(timeMs), programsPerSecond: Math.round((found.numRuns / timeMs) * 1000 * 10) / 10, pairs: pairs.map(([op, d]) => `${op}:${d}`), bothFailed };
    if (!found.failed || !found.counterexamplePath) return summary;
    // Replay the first failure and shrink it, in a time of its own.
    const shrunk = await fc.check(prop, { seed: options.seed, path: found.counterexamplePath, numRuns: 2 ** 31 - 1, plugins: [fc.interruptAfterTimeLimit(options.shrinkTimeMs ?? 60_000)] });
    const program = ((shrunk.counterexample as [Call[]] | null) ?? (found.counterexample as [Call[]]))[0];
    last = undefined;
    await agree(program); // the outcomes of the minimal program, for the report
    const flaky: Found = { plugin: { status: 'fail', message: 'the disagreement did not recur when the program was rerun (a flaky kernel?)' }, against: { status: 'pass' }, index: program.length - 1 };
    const outcomes = (last as Found | undefined) ?? flaky;
    const reproCalls: ReproCall[] = program.slice(0, outcomes.index + 1).map((c) => ({ op: c.op, attrs: c.attrs, inputs: c.inputs }));
    const lastCall = reproCalls[reproCalls.length - 1]!;
    return {
      ...summary,
      disagreement: {
        repro: {
          format: 'hearth-repro',
          version: 1,
          calls: reproCalls,
          found: `${lastCall.op}: ${a.report.plugin.name} ${outcomes.plugin.status}${outcomes.plugin.message ? ` (${outcomes.plugin.message})` : ''}, ${b.report.plugin.name} ${outcomes.against.status}`,
          plugin: a.report.plugin.name,
          against: b.report.plugin.name,
          seed: options.seed,
        },
        plugin: outcomes.plugin,
        against: outcomes.against,
        shrinks: shrunk.numShrinks,
      },
    };
  } finally {
    await a.close();
    await b.close();
  }
}
