import type { DType } from '@hearth/core';
import type { CaseKind, SuiteCase, TensorInput } from './cases/types.js';
import type { SpecialMismatches, WorstElement } from './numeric/compare.js';

/**
 * A case's status. `not-supported`: the plugin does not declare the (op, dtype) or the device does not
 * store a dtype. `crash`/`timeout`: the child process died or hung on the case. `skip`, `expected-fail` and
 * `flaky` come only from an expectations file (never in a certification run); `unexpected-pass` means an
 * expectation marked a case that passes (the file is stale).
 */
export type CaseStatus = 'pass' | 'fail' | 'not-supported' | 'crash' | 'timeout' | 'skip' | 'expected-fail' | 'unexpected-pass' | 'flaky';

/** Statuses that fail a run. */
export const FAILING: readonly CaseStatus[] = ['fail', 'crash', 'timeout', 'unexpected-pass'];

/** Accuracy measured on a case: max errors over all elements (all runs, for a property). */
export interface AccuracyRecord {
  /** The op's accuracy class. */
  readonly class: string;
  /** Max absolute error. */
  readonly maxAbsError: number;
  /** Max relative error. */
  readonly maxRelError: number;
  /** Max distance in ULPs of the output dtype. */
  readonly maxUlp: number;
  /** Elements the max figures leave out: NaN or an infinity where the reference differs (absent when none). */
  readonly specials?: SpecialMismatches;
}

/** How to reproduce a failure: the inputs, attributes, and the worst element against its bound. */
export interface FailureDetail {
  /** The op's attributes. */
  readonly attrs?: Readonly<Record<string, unknown>>;
  /** The inputs (the minimal counterexample, for a property). */
  readonly inputs?: readonly TensorInput[];
  /** Where the inputs were saved, when too large to show inline (relative to the report dir). */
  readonly inputsFile?: string;
  /** The worst element. */
  readonly worst?: WorstElement;
  /** The accuracy contract in words. */
  readonly contract?: string;
  /** For properties: the seed, runs and shrinks that led to the counterexample. */
  readonly property?: {
    /** The fast-check seed. */
    readonly seed: number;
    /** Runs until the failure. */
    readonly runs: number;
    /** Shrink steps to the minimal input. */
    readonly shrinks: number;
    /** fast-check's replay path. */
    readonly path?: string;
  };
}

/** One case's result. */
export interface CaseResult {
  /** The case ID. */
  readonly id: string;
  /** What sort of case. */
  readonly kind: CaseKind;
  /** The op (op cases). */
  readonly op?: string;
  /** The compute dtype. */
  readonly dtype?: DType;
  /** The outcome. */
  readonly status: CaseStatus;
  /** Wall time in milliseconds. */
  readonly timeMs: number;
  /** What went wrong, in a sentence or a few. */
  readonly message?: string;
  /** An error the op raised. */
  readonly error?: {
    /** The HearthError code. */
    readonly code?: string;
    /** The message. */
    readonly message: string;
  };
  /** Accuracy figures, where values were compared. */
  readonly accuracy?: AccuracyRecord;
  /** Reproduction details of a failure. */
  readonly failure?: FailureDetail;
  /** The expectation that applied, if any. */
  readonly expectation?: {
    /** fail, skip or flaky. */
    readonly status: string;
    /** The tracking issue. */
    readonly issue: string;
    /** The expiry date. */
    readonly expires: string;
  };
  /** Attempts made (flaky expectations retry). */
  readonly attempts?: number;
}

/** The fields that name a case in its result: ID, kind, and the op and dtype where the case has them. */
export function resultFields(c: SuiteCase): Pick<CaseResult, 'id' | 'kind' | 'op' | 'dtype'> {
  return { id: c.id, kind: c.kind, ...('op' in c ? { op: c.op, dtype: c.dtype } : c.dtype ? { dtype: c.dtype } : {}) };
}

/** A failing result for a case that did not run (the device failed to start, the runner lost it). */
export function notRun(c: SuiteCase, message: string): CaseResult {
  return { ...resultFields(c), status: 'fail', timeMs: 0, message };
}
