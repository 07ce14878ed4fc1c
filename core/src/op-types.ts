import type { DType, FloatDType, Promoted } from './dtype.js';
import type { BroadcastRank } from './shape.js';

// How TypeScript follows dtypes and ranks through the operators: the dispatcher's rules (promotion, float-only
// compute, broadcasting) restated on types, so `await a.add(b).array()` is `number[][]`, not unknown. They
// read a tensor's `dtype` and `rank` fields, never the Tensor class itself (whose methods use them).

/** The dtype of an operand: a tensor's own, `bool` for a JS boolean, `float32 | int32` for a JS number (it depends on the value). */
export type DTypeOf<X> = X extends { readonly dtype: infer D extends DType; readonly rank: number } ? D : X extends boolean ? 'bool' : X extends number ? 'float32' | 'int32' : DType;

/** The rank of an operand: a tensor's own, 0 for a JS number or boolean. */
export type RankOf<X> = X extends { readonly dtype: DType; readonly rank: infer R extends number } ? R : X extends number | boolean ? 0 : number;

/** The dtype operand `X` has beside operand `Y`: a JS number takes `Y`'s float dtype, else int32 or float32 by its value. */
export type OperandDType<X, Y> = X extends number ? (DTypeOf<Y> extends infer D ? (D extends FloatDType ? D : 'float32' | 'int32') : never) : DTypeOf<X>;

/** The dtype two operands compute in (add, matmul, where, ...): their dtypes promoted. */
export type CommonDType<A, B> = Promoted<OperandDType<A, B>, OperandDType<B, A>>;

/** The rank two broadcast operands give: the larger of theirs. */
export type BroadcastRankOf<A, B> = BroadcastRank<RankOf<A>, RankOf<B>>;

/** The rank of `matmul(a, b)`: the larger one when both are matrices or batches of them; unknown with a vector. */
export type MatmulRank<A, B> = 1 extends RankOf<A> | RankOf<B> ? number : BroadcastRankOf<A, B>;
