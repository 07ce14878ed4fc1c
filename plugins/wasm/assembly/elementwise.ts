// Elementwise float32 kernels. Each takes (tid, work, ...): every thread calling it with the same arguments
// takes chunks of the elements from the counter at `work` until none are left.
//
// Each operator is a class whose inlined method the loops take as a type argument, so every operator gets
// a loop of its own at compile time. (An operator code passed to an inlined function is not enough:
// the optimizer folds the copies, which differ only in that code, back into one loop that computes every
// operator for every element and keeps the one asked for.)
import { claim } from './split';
import { expv } from './exp';
import { erfv, geluTanhv, geluv, sigmoidv, siluv, tanhv } from './special';

/** Elements per claim; the special functions cost tens of instructions an element, so theirs are shorter. */
const CHUNK: i32 = 16384;
const SPECIAL_CHUNK: i32 = 2048;

// The binary operators, by their code in the host's BINARY_OPS, and the reversed forms of those that do
// not commute (the broadcast operand on the left).
@unmanaged class Add { @inline f(x: v128, y: v128): v128 { return f32x4.add(x, y); } }
@unmanaged class Sub { @inline f(x: v128, y: v128): v128 { return f32x4.sub(x, y); } }
@unmanaged class Mul { @inline f(x: v128, y: v128): v128 { return f32x4.mul(x, y); } }
@unmanaged class Div { @inline f(x: v128, y: v128): v128 { return f32x4.div(x, y); } }
@unmanaged class Max { @inline f(x: v128, y: v128): v128 { return f32x4.max(x, y); } }
@unmanaged class Min { @inline f(x: v128, y: v128): v128 { return f32x4.min(x, y); } }
@unmanaged class SubFrom { @inline f(x: v128, y: v128): v128 { return f32x4.sub(y, x); } }
@unmanaged class DivInto { @inline f(x: v128, y: v128): v128 { return f32x4.div(y, x); } }

/**
 * o[i] = a[i] op b[i mod period] for i in [start, end): `period` = n for same-shape operands, the row
 * length for a row broadcast, 1 for a scalar.
 */
@inline
function span<Op>(a: usize, b: usize, o: usize, period: i32, start: i32, end: i32): void {
  const op = changetype<Op>(0);
  if (period == 1) {
    const s = f32x4.splat(load<f32>(b));
    let i = start;
    for (; i + 16 <= end; i += 16) {
      const at = <usize>i << 2;
      const x0 = v128.load(a + at), x1 = v128.load(a + at, 16), x2 = v128.load(a + at, 32), x3 = v128.load(a + at, 48);
      v128.store(o + at, op.f(x0, s));
      v128.store(o + at, op.f(x1, s), 16);
      v128.store(o + at, op.f(x2, s), 32);
      v128.store(o + at, op.f(x3, s), 48);
    }
    for (; i + 4 <= end; i += 4) v128.store(o + (<usize>i << 2), op.f(v128.load(a + (<usize>i << 2)), s));
    for (; i < end; i++) store<f32>(o + (<usize>i << 2), f32x4.extract_lane(op.f(f32x4.splat(load<f32>(a + (<usize>i << 2))), s), 0));
    return;
  }
  let i = start;
  while (i < end) {
    const j0 = i % period;
    const stop = min(end, i + (period - j0));
    const bRow = b + (<usize>(j0 - i) << 2); // b element for output i is at bRow + i*4
    for (; i + 16 <= stop; i += 16) {
      const at = <usize>i << 2;
      const x0 = v128.load(a + at), x1 = v128.load(a + at, 16), x2 = v128.load(a + at, 32), x3 = v128.load(a + at, 48);
      const y0 = v128.load(bRow + at), y1 = v128.load(bRow + at, 16), y2 = v128.load(bRow + at, 32), y3 = v128.load(bRow + at, 48);
      v128.store(o + at, op.f(x0, y0));
      v128.store(o + at, op.f(x1, y1), 16);
      v128.store(o + at, op.f(x2, y2), 32);
      v128.store(o + at, op.f(x3, y3), 48);
    }
    for (; i + 4 <= stop; i += 4) {
      const at = <usize>i << 2;
      v128.store(o + at, op.f(v128.load(a + at), v128.load(bRow + at)));
    }
    for (; i < stop; i++) {
      const at = <usize>i << 2;
      store<f32>(o + at, f32x4.extract_lane(op.f(f32x4.splat(load<f32>(a + at)), f32x4.splat(load<f32>(bRow + at))), 0));
    }
  }
}

/**
 * The chunks of binary operator Op over n outputs. With inner > 1, each element of b serves `inner`
 * consecutive outputs (b[(i / inner) mod period]: a per-channel operand of an image), one scalar span each.
 */
@inline
function binaryChunks<Op>(work: usize, a: usize, b: usize, o: usize, n: i32, period: i32, inner: i32): void {
  for (let start = claim(work, CHUNK, n); start < n; start = claim(work, CHUNK, n)) {
    const end = min(n, start + CHUNK);
    if (inner <= 1) {
      span<Op>(a, b, o, period, start, end);
      continue;
    }
    for (let i = start; i < end; ) {
      const seg = i / inner;
      const stop = min(end, (seg + 1) * inner);
      span<Op>(a, b + (<usize>(seg % period) << 2), o, 1, i, stop);
      i = stop;
    }
  }
}

/**
 * Float32 binary operator `op` over `n` outputs: `a` is full size, `b` repeats every `period` elements
 * (`period` = n: same shape; 1: a scalar), each held for `inner` outputs (1: none held). `swap` = 1 when
 * the repeating operand is the left one.
 */
export function binary_f32(tid: i32, work: usize, op: i32, a: usize, b: usize, o: usize, n: i32, period: i32, swap: i32, inner: i32): void {
  switch (op) {
    case 0: binaryChunks<Add>(work, a, b, o, n, period, inner); break;
    case 1: if (swap) binaryChunks<SubFrom>(work, a, b, o, n, period, inner); else binaryChunks<Sub>(work, a, b, o, n, period, inner); break;
    case 2: binaryChunks<Mul>(work, a, b, o, n, period, inner); break;
    case 3: if (swap) binaryChunks<DivInto>(work, a, b, o, n, period, inner); else binaryChunks<Div>(work, a, b, o, n, period, inner); break;
    case 4: binaryChunks<Max>(work, a, b, o, n, period, inner); break;
    default: binaryChunks<Min>(work, a, b, o, n, period, inner); break;
  }
}

// The unary operators, by their code in the host's UNARY_OPS and UNARY_COMPOSITES.
@unmanaged class Neg { @inline f(x: v128): v128 { return f32x4.neg(x); } }
@unmanaged class Abs { @inline f(x: v128): v128 { return f32x4.abs(x); } }
// f32x4.min and max cost about eight instructions each on x64 (their NaN and signed-zero rules), pmin and
// pmax one: where the operand order keeps NaN (pmax(x, c) is x < c ? c : x, so a NaN x stays), they serve.
/** max(x, 0): pmax keeps a NaN x, and adding +0 turns its -0 into max's +0. */
@unmanaged class Relu { @inline f(x: v128): v128 { return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), f32x4.splat(0)); } }
@unmanaged class Sqrt { @inline f(x: v128): v128 { return f32x4.sqrt(x); } }
@unmanaged class Exp { @inline f(x: v128): v128 { return expv(x); } }
@unmanaged class Erf { @inline f(x: v128): v128 { return erfv(x); } }
@unmanaged class Tanh { @inline f(x: v128): v128 { return tanhv(x); } }
@unmanaged class Sigmoid { @inline f(x: v128): v128 { return sigmoidv(x); } }
@unmanaged class Gelu { @inline f(x: v128): v128 { return geluv(x); } }
@unmanaged class GeluTanh { @inline f(x: v128): v128 { return geluTanhv(x); } }
@unmanaged class Silu { @inline f(x: v128): v128 { return siluv(x); } }
// The parameters of the current call: hard_sigmoid's alpha and beta, clip's bounds, leaky_relu's alpha (each
// thread sets its own from the same arguments).
let alpha: f32 = 0;
let beta: f32 = 0;
/** max(0, min(1, alpha·x + beta)); pmin(g, 1) and pmax(·, 0) keep a NaN g, as the composite's minimum and maximum do. */
@unmanaged class HardSigmoid {
  @inline f(x: v128): v128 { return f32x4.pmax(f32x4.pmin(f32x4.add(f32x4.mul(x, f32x4.splat(alpha)), f32x4.splat(beta)), f32x4.splat(1)), f32x4.splat(0)); }
}
/** x · max(0, min(1, x / 6 + 1/2)), with the composite's x · (1/6) rounded to float32; -Inf gives NaN (-Inf · 0) as it does there. */
@unmanaged class HardSwish {
  @inline f(x: v128): v128 {
    const g = f32x4.add(f32x4.mul(x, f32x4.splat(<f32>(1.0 / 6.0))), f32x4.splat(0.5));
    return f32x4.mul(x, f32x4.pmax(f32x4.pmin(g, f32x4.splat(1)), f32x4.splat(0)));
  }
}

/** min(max(x, alpha), beta): max and min as the composite's maximum and minimum (NaN stays, -0 < +0). */
@unmanaged class Clip {
  @inline f(x: v128): v128 { return f32x4.min(f32x4.max(x, f32x4.splat(alpha)), f32x4.splat(beta)); }
}
/** x where x >= 0 (-0 included), else alpha·x (NaN fails the test and stays NaN in the product). */
@unmanaged class LeakyRelu {
  @inline f(x: v128): v128 { return v128.bitselect(x, f32x4.mul(x, f32x4.splat(alpha)), f32x4.ge(x, f32x4.splat(0))); }
}

/** Unary operator Op over n elements, in chunks; two vectors per step so their latencies overlap. */
@inline
function unaryChunks<Op>(work: usize, a: usize, o: usize, n: i32, chunk: i32): void {
  const op = changetype<Op>(0);
  for (let start = claim(work, chunk, n); start < n; start = claim(work, chunk, n)) {
    const end = min(n, start + chunk);
    let i = start;
    for (; i + 8 <= end; i += 8) {
      const at = <usize>i << 2;
      const x0 = v128.load(a + at);
      const x1 = v128.load(a + at, 16);
      v128.store(o + at, op.f(x0));
      v128.store(o + at, op.f(x1), 16);
    }
    for (; i + 4 <= end; i += 4) v128.store(o + (<usize>i << 2), op.f(v128.load(a + (<usize>i << 2))));
    for (; i < end; i++) store<f32>(o + (<usize>i << 2), f32x4.extract_lane(op.f(f32x4.splat(load<f32>(a + (<usize>i << 2)))), 0));
  }
}

/** Float32 unary operator `op` over `n` elements; `a0` and `a1`: hard_sigmoid's alpha and beta, clip's bounds, leaky_relu's alpha. */
export function unary_f32(tid: i32, work: usize, op: i32, a: usize, o: usize, n: i32, a0: f32, a1: f32): void {
  alpha = a0;
  beta = a1;
  switch (op) {
    case 0: unaryChunks<Neg>(work, a, o, n, CHUNK); break;
    case 1: unaryChunks<Abs>(work, a, o, n, CHUNK); break;
    case 2: unaryChunks<Relu>(work, a, o, n, CHUNK); break;
    case 3: unaryChunks<Sqrt>(work, a, o, n, CHUNK); break;
    case 4: unaryChunks<Exp>(work, a, o, n, SPECIAL_CHUNK); break;
    case 5: unaryChunks<Erf>(work, a, o, n, SPECIAL_CHUNK); break;
    case 6: unaryChunks<Tanh>(work, a, o, n, SPECIAL_CHUNK); break;
    case 7: unaryChunks<Sigmoid>(work, a, o, n, SPECIAL_CHUNK); break;
    case 8: unaryChunks<Gelu>(work, a, o, n, SPECIAL_CHUNK); break;
    case 9: unaryChunks<GeluTanh>(work, a, o, n, SPECIAL_CHUNK); break;
    case 10: unaryChunks<Silu>(work, a, o, n, SPECIAL_CHUNK); break;
    case 11: unaryChunks<HardSigmoid>(work, a, o, n, CHUNK); break;
    case 12: unaryChunks<HardSwish>(work, a, o, n, CHUNK); break;
    case 13: unaryChunks<Clip>(work, a, o, n, CHUNK); break;
    default: unaryChunks<LeakyRelu>(work, a, o, n, CHUNK); break;
  }
}
