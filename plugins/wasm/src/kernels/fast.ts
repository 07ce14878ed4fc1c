import { normalizeAxis, reductionAxes, type KernelContext, type KernelFn, type KernelTensor, type Shape } from '@hearth/core';
import type { WasmBackend } from '../backend.js';
import type { WasmStorage } from '../heap.js';
import { SHARE, SOLO, WAKE, type Split } from '../threads.js';

/** Elements per partial sum of one long row (assembly/reduce.ts's SUM_CHUNK). */
const SUM_CHUNK = 65536;

// The float32 kernels that run in WebAssembly SIMD. Each returns false for a case it does not cover (an
// unusual broadcast, a reduction over leading axes...), and the generic kernel runs instead.

/** A fast path: true when it computed the output. */
export type FastFn = (inputs: readonly KernelTensor[], output: KernelTensor, attrs: Readonly<Record<string, unknown>>, ctx: KernelContext<WasmBackend>) => boolean;

/**
 * Work (elements, or multiply-adds) from which a kernel wakes sleeping worker threads: about 100 µs of one
 * thread's time. Waking one costs the calling thread about 10 µs and the worker joins some 30 µs later on a
 * quiet machine; measured on a machine with more runnable threads than cores, kernels of 20 to 60 µs (a
 * model's softmax, GELU, attention products, small convolutions) ran slower split than on one thread.
 */
export const PARALLEL_ELEMENTS = 1 << 18;
export const PARALLEL_FLOPS = 1 << 20;
/**
 * From 1/SHARE_FRACTION of that work (about 10 µs of one thread's), a kernel is shared with workers that
 * are polling for a job already: one joins within a microsecond, so splitting pays from a few µs of work
 * (measured on a quiet 2-core VM: a 16 µs GELU ran in 9 µs split so, a 4 µs one in 5.6 µs: slower).
 */
const SHARE_FRACTION = 8;

/** How a kernel call of `work` uses the worker threads, given the work from which waking them pays. */
export function split(work: number, wakeFrom: number): Split {
  return work >= wakeFrom ? WAKE : work * SHARE_FRACTION >= wakeFrom ? SHARE : SOLO;
}
/** Below this many elements, an elementwise kernel runs in JavaScript (a call into wasm costs more). */
const INLINE_ELEMENTS = 16;

/** A tensor's byte address in the WebAssembly memory. */
export const ptr = (t: KernelTensor) => (t.storage as WasmStorage).ptr;

/** Scratch storage for one kernel call, released in `finally` by the caller. */
export function scratch(ctx: KernelContext<WasmBackend>, floats: number): WasmStorage {
  return ctx.allocate('float32', Math.max(floats, 16)) as WasmStorage;
}

/**
 * How `small` repeats over `big` (both aligned to the right), where its axes, leading and trailing 1s
 * aside, equal big's axes at the same places: each of its elements is held for `inner` outputs (the product
 * of big's axes under its trailing 1s: 1 for a suffix of big, H·W for a [C, 1, 1] over [N, C, H, W]), and
 * the whole repeats. Undefined for any other broadcast.
 */
function heldRepeat(small: Shape, big: Shape): number | undefined {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  let e = small.length;
  while (e > s && small[e - 1] === 1) e--;
  const shift = big.length - small.length;
  if (shift < 0 && s < -shift) return undefined;
  for (let i = s; i < e; i++) if (small[i] !== big[shift + i]) return undefined;
  let inner = 1;
  for (let i = Math.max(shift + e, 0); i < big.length; i++) inner *= big[i]!;
  return inner;
}

/** The binary operators with a SIMD kernel, by their code in assembly/elementwise.ts. */
export const BINARY_OPS: Readonly<Record<string, readonly [number, (a: number, b: number) => number]>> = {
  add: [0, (a, b) => a + b],
  sub: [1, (a, b) => a - b],
  mul: [2, (a, b) => a * b],
  div: [3, (a, b) => a / b],
  maximum: [4, (a, b) => (a !== a || b !== b ? NaN : Math.max(a, b))],
  minimum: [5, (a, b) => (a !== a || b !== b ? NaN : Math.min(a, b))],
};

/** A float32 binary operator: same shapes, or one operand repeating (a row, a scalar). */
export function fastBinary(op: string): FastFn {
  const [code, scalar] = BINARY_OPS[op]!;
  return ([a, b], out, _attrs, { backend }) => {
    const n = out.size;
    const x = a!;
    const y = b!;
    if (n <= INLINE_ELEMENTS && x.size === n && y.size === n) {
      // The hot path of tiny tensors: no call into WebAssembly, no allocation.
      const f = backend.heap.views.f32;
      const xo = ptr(x) >>> 2;
      const yo = ptr(y) >>> 2;
      const oo = ptr(out) >>> 2;
      for (let i = 0; i < n; i++) f[oo + i] = scalar(f[xo + i]!, f[yo + i]!);
      return true;
    }
    let full = x;
    let rep = y;
    let swap = 0;
    if (x.size !== n) {
      if (y.size !== n) return false;
      [full, rep, swap] = [y, x, 1];
    }
    const inner = rep.size === n ? 1 : rep.size === 0 ? undefined : heldRepeat(rep.shape, out.shape);
    if (inner === undefined) return false;
    if (n === 0) return true;
    backend.pool.run('binary_f32', [code, ptr(full), ptr(rep), ptr(out), n, rep.size, swap, inner], split(n, PARALLEL_ELEMENTS));
    return true;
  };
}

/** The unary operators with a SIMD kernel, by their code in assembly/elementwise.ts (assembly/special.ts has the functions). */
export const UNARY_OPS: Readonly<Record<string, number>> = { neg: 0, abs: 1, relu: 2, sqrt: 3, exp: 4, erf: 5, tanh: 6, sigmoid: 7, gelu: 8 };
/** The composites of opset v2 that are one unary function: fused kernels of the same SIMD loop. */
export const UNARY_COMPOSITES: Readonly<Record<string, number>> = { gelu_tanh: 9, silu: 10, hard_sigmoid: 11, hard_swish: 12, clip: 13, leaky_relu: 14 };
/** From this code on up to CHEAP_AGAIN, a unary function costs tens of instructions per element: threads pay off sooner. */
const TRANSCENDENTAL = 4;
const CHEAP_AGAIN = 11;

/** The two float parameters unary_f32 takes for `op` (none for most). */
function unaryParams(op: string, attrs: Readonly<Record<string, unknown>>): number[] {
  if (op === 'hard_sigmoid') return [attrs['alpha'] as number, attrs['beta'] as number];
  if (op === 'clip') return [(attrs['min'] as number | null) ?? -Infinity, (attrs['max'] as number | null) ?? Infinity];
  if (op === 'leaky_relu') return [attrs['alpha'] as number, 0];
  return [];
}

/** A float32 unary operator, by its code. */
export function fastUnary(op: string): FastFn {
  const code = UNARY_OPS[op] ?? UNARY_COMPOSITES[op]!;
  const parallelFrom = code >= TRANSCENDENTAL && code < CHEAP_AGAIN ? PARALLEL_ELEMENTS / 16 : PARALLEL_ELEMENTS;
  return ([x], out, attrs, { backend }) => {
    const n = out.size;
    const params = unaryParams(op, attrs);
    if (n > 0) backend.pool.run('unary_f32', [code, ptr(x!), ptr(out), n, ...params], split(n, parallelFrom));
    return true;
  };
}

/** sum or mean over trailing axes (rows of contiguous elements), with blocked float32/float64 accumulation. */
export function fastSum(mean: boolean): FastFn {
  const op = mean ? 'mean' : 'sum';
  return ([x], out, attrs, ctx) => {
    const shape = x!.shape;
    const axes = reductionAxes(shape, attrs['axes'] as number[] | null, op);
    for (let i = 0; i < axes.length; i++) if (axes[i] !== shape.length - axes.length + i) return false;
    let n = 1;
    for (const ax of axes) n *= shape[ax]!;
    const rows = out.size;
    const { pool } = ctx.backend;
    if (rows === 0) return true;
    const parallel = x!.size >= PARALLEL_ELEMENTS;
    if (rows === 1 && parallel) {
      // One long row: the threads sum chunks into float64 partials, added here in order.
      const chunks = Math.ceil(n / SUM_CHUNK);
      const partials = scratch(ctx, 2 * chunks);
      try {
        pool.run('sum_part_f32', [ptr(x!), n, partials.ptr], true);
        const p = new Float64Array(partials.heap.memory.buffer, partials.ptr, chunks);
        let s = 0;
        for (let c = 0; c < chunks; c++) s += p[c]!;
        (out.storage as WasmStorage).data[0] = mean ? s / n : s;
      } finally {
        ctx.release(partials, 'float32', partials.size);
      }
      return true;
    }
    pool.run('sum_rows_f32', [ptr(x!), ptr(out), rows, n, mean ? 1 : 0], split(x!.size, PARALLEL_ELEMENTS));
    return true;
  };
}

/** softmax or log_softmax along the last axis. */
export function fastSoftmax(log: boolean): FastFn {
  return ([x], out, attrs, { backend }) => {
    const shape = x!.shape;
    if (normalizeAxis(attrs['axis'] as number, shape.length, log ? 'log_softmax' : 'softmax') !== shape.length - 1) return false;
    const n = shape[shape.length - 1]!;
    if (out.size === 0) return true;
    backend.pool.run('softmax_rows_f32', [ptr(x!), ptr(out), out.size / n, n, log ? 1 : 0], split(out.size, PARALLEL_ELEMENTS / 4));
    return true;
  };
}

/** Where an operand's elements are: (row, column) at byte address + (row·rs + column·cs)·4. */
export interface Operand {
  readonly at: number;
  readonly rs: number;
  readonly cs: number;
}

/** A row-major operand with `cols` columns; `transposed` reads it as its transpose. */
export const operand = (at: number, cols: number, transposed = false): Operand => (transposed ? { at, rs: 1, cs: cols } : { at, rs: cols, cs: 1 });

/** Byte steps from one matrix of a batched product to the next (0: the operand is shared). */
export interface BatchSteps {
  readonly count: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const ONE: BatchSteps = { count: 1, a: 0, b: 0, c: 0 };

/**
 * Up to this many floats of B (256 KiB, within L2), a row-major B is read in place by the unpacked kernel
 * (assembly/gemm.ts's gemm_direct_f32); beyond, or with a deep k, packing both operands pays for itself.
 */
const DIRECT_B_FLOATS = 1 << 16;
const DIRECT_K = 512;

/** True when gemm() multiplies by a row-major B in place (its unpacked kernel) at these sizes. */
export function gemmReadsBInPlace(m: number, n: number, k: number): boolean {
  return m <= 4 || (k <= DIRECT_K && k * n <= DIRECT_B_FLOATS);
}

/**
 * C = A · B (+ bias: 0 for none; n floats added to every row, or with `biasPerRow` m floats, one per row) for
 * each matrix of a batch. Small products with a row-major B (or at most 4 rows of A, batch-1 inference)
 * take one call of the unpacked kernel for the whole batch; the others the packed GEMM: A (m x k) and B
 * (k x n) packed into scratch (in parallel; a B shared by the batch once), then the threads split C's
 * column panels. Addresses in bytes.
 */
export function gemm(ctx: KernelContext<WasmBackend>, a: Operand, b: Operand, c: number, m: number, n: number, k: number, batch: BatchSteps = ONE, bias = 0, biasPerRow = false): void {
  const { pool } = ctx.backend;
  const parallel = split(m * n * k * batch.count, PARALLEL_FLOPS);
  if (b.cs === 1 && (batch.count === 1 || batch.c === m * n * 4) && gemmReadsBInPlace(m, n, k)) {
    pool.run('gemm_direct_f32', [a.at, a.rs, a.cs, batch.a, b.at, b.rs * 4, batch.b, c, m, n, k, bias, batch.count, biasPerRow ? 1 : 0], parallel);
    return;
  }
  const pA = scratch(ctx, Math.ceil(m / 4) * 4 * k);
  const pB = scratch(ctx, Math.ceil(n / 8) * 8 * k);
  const tiles = scratch(ctx, 32 * pool.threads);
  try {
    for (let i = 0; i < batch.count; i++) {
      pool.run('pack_a', [a.at + i * batch.a, a.rs, a.cs, m, k, pA.ptr], parallel);
      if (i === 0 || batch.b !== 0) pool.run('pack_b', [b.at + i * batch.b, b.rs, b.cs, n, k, pB.ptr], parallel);
      pool.run('gemm_f32', [pA.ptr, pB.ptr, c + i * batch.c, m, n, k, n, tiles.ptr], parallel);
      if (bias) pool.run('binary_f32', [BINARY_OPS['add']![0], c + i * batch.c, bias, c + i * batch.c, m * n, biasPerRow ? m : n, 0, biasPerRow ? n : 1], parallel);
    }
  } finally {
    for (const s of [pA, pB, tiles]) ctx.release(s, 'float32', s.size);
  }
}

/** matmul: one packed GEMM per batch matrix, when the batch axes need no broadcasting beyond "none or the same". */
export const fastMatmul: FastFn = ([a, b], out, _attrs, ctx) => {
  const as = a!.shape.length === 1 ? [1, a!.shape[0]!] : a!.shape;
  const bs = b!.shape.length === 1 ? [b!.shape[0]!, 1] : b!.shape;
  const m = as[as.length - 2]!;
  const k = as[as.length - 1]!;
  const n = bs[bs.length - 1]!;
  if (m * n === 0) return true;
  if (k === 0) return false;
  const aBatch = a!.size / (m * k);
  const bBatch = b!.size / (k * n);
  const count = out.size / (m * n);
  const aStep = aBatch === count ? m * k * 4 : aBatch === 1 ? 0 : -1;
  const bStep = bBatch === count ? k * n * 4 : bBatch === 1 ? 0 : -1;
  if (aStep < 0 || bStep < 0) return false;
  gemm(ctx, operand(ptr(a!), k), operand(ptr(b!), n), ptr(out), m, n, k, { count, a: aStep, b: bStep, c: m * n * 4 });
  return true;
};

/** The fast paths by operator (all float32). */
export const FAST_PATHS: Readonly<Record<string, FastFn>> = {
  ...Object.fromEntries(Object.keys(BINARY_OPS).map((op) => [op, fastBinary(op)])),
  ...Object.fromEntries(Object.keys(UNARY_OPS).map((op) => [op, fastUnary(op)])),
  sum: fastSum(false),
  mean: fastSum(true),
  softmax: fastSoftmax(false),
  log_softmax: fastSoftmax(true),
  matmul: fastMatmul,
};

/** A kernel that tries `fast` and otherwise runs `generic`. */
export const withFallback =
  (fast: FastFn, generic: KernelFn): KernelFn =>
  (inputs, output, attrs, ctx) => {
    if (!fast(inputs, output, attrs, ctx as KernelContext<WasmBackend>)) generic(inputs, output, attrs, ctx);
  };
