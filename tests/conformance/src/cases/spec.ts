import { isFloat, type DType, type ErrorCode } from '@hearth/core';
import { SUITE_SEED } from '../version.js';
import { hashSeed, Rng } from '../numeric/rng.js';
import { lazyTensor, random, randomInts, tensor } from './data.js';
import type { CaseKind, CaseTier, ExpectedError, FollowUpCall, TensorInput } from './types.js';

/** A case before it gets its ID: what an op spec writes. */
export interface Draft {
  /** The case name, unique within (op, dtype). */
  readonly name: string;
  /** sample, reference or error. */
  readonly kind: Exclude<CaseKind, 'property' | 'lifecycle' | 'model'>;
  /** The inputs. */
  readonly inputs: readonly TensorInput[];
  /** The attributes (defaults are the schema's). */
  readonly attrs?: Readonly<Record<string, unknown>>;
  /** For error cases: the expected code(s). */
  readonly error?: ExpectedError;
  /** Further calls of a sequence case. */
  readonly then?: readonly FollowUpCall[];
  /** The size tier (`standard` when absent). */
  readonly tier?: CaseTier;
}

/** What a spec's case builders get: the dtype and helpers seeded per case. */
export class SpecContext {
  constructor(
    /** The op. */
    readonly op: string,
    /** The compute dtype the cases are for. */
    readonly dtype: DType,
  ) {}

  /** A generator seeded by the suite seed, the op, the dtype and the case name. */
  rng(name: string): Rng {
    return new Rng(hashSeed(SUITE_SEED, `${this.op}:${this.dtype}:${name}`));
  }

  /** A tensor of this dtype (or another) with the given values. */
  t(shape: readonly number[], data: readonly number[], dtype: DType = this.dtype): TensorInput {
    return tensor(dtype, shape, data);
  }

  /** A random tensor of this dtype (or another), seeded by `name`. */
  rand(name: string, shape: readonly number[], lo = -5, hi = 5, dtype: DType = this.dtype): TensorInput {
    return random(this.rng(`${name}:${shape.join('x')}:${dtype}`), dtype, shape, lo, hi);
  }

  /**
   * A random tensor whose values are drawn only when read (and drawn again if collected meanwhile): large
   * inputs cost nothing until their case runs.
   */
  lazyRand(name: string, shape: readonly number[], lo = -5, hi = 5, dtype: DType = this.dtype): TensorInput {
    return lazyTensor(dtype, shape, () => random(this.rng(`${name}:${shape.join('x')}:${dtype}`), dtype, shape, lo, hi).data);
  }

  /**
   * A random tensor of integers in [lo, hi], drawn when read (as {@link lazyRand}): inputs whose sums a
   * float format holds exactly, so the case's bound is the final rounding alone.
   */
  ints(name: string, shape: readonly number[], lo: number, hi: number, dtype: DType = this.dtype): TensorInput {
    return lazyTensor(dtype, shape, () => randomInts(this.rng(`${name}:${shape.join('x')}:${dtype}:ints`), dtype, shape, lo, hi).data);
  }

  /**
   * A sequence case: the calls run one after another on the same device, each after the previous one's
   * tensors are disposed, each checked against the oracle.
   */
  sequence(name: string, calls: readonly FollowUpCall[]): Draft {
    const [first, ...rest] = calls;
    return { name: `sequence-${name}`, kind: 'reference', inputs: first!.inputs, attrs: first!.attrs, then: rest };
  }

  /** A case of the `large` tier. */
  large(name: string, inputs: readonly TensorInput[], attrs?: Record<string, unknown>): Draft {
    return { name: `large-${name}`, kind: 'reference', inputs, ...(attrs ? { attrs } : {}), tier: 'large' };
  }

  /** A sample case. */
  sample(name: string, inputs: readonly TensorInput[], attrs?: Record<string, unknown>): Draft {
    return { name, kind: 'sample', inputs, ...(attrs ? { attrs } : {}) };
  }

  /** A reference (edge corpus) case. */
  ref(name: string, inputs: readonly TensorInput[], attrs?: Record<string, unknown>): Draft {
    return { name, kind: 'reference', inputs, ...(attrs ? { attrs } : {}) };
  }

  /** An error case expecting `code`. */
  err(name: string, inputs: readonly TensorInput[], attrs: Record<string, unknown> | undefined, code: ErrorCode | readonly ErrorCode[], optional = false): Draft {
    return { name: `error-${name}`, kind: 'error', inputs, ...(attrs ? { attrs } : {}), error: { codes: typeof code === 'string' ? [code] : code, ...(optional ? { optional } : {}) } };
  }

  /** True for float dtypes. */
  get float(): boolean {
    return isFloat(this.dtype);
  }
}

/** How one operator is tested: its cases per compute dtype and its op-specific error cases. */
export interface OpSpec {
  /** Sample and reference cases for a compute dtype. The first one is the base the generic error cases start from. */
  cases(ctx: SpecContext): Draft[];
  /** Error cases beyond the ones derived from the schema (shape, axis and value errors). */
  errors?(ctx: SpecContext): Draft[];
}
