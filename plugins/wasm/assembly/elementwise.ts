// Elementwise float32 kernels. Each takes (tid, work, ...): every thread calling it with the same arguments
// takes chunks of the elements from the counter at `work` until none are left.
import { claim } from './split';
import { expv } from './exp';
import { erfv, geluTanhv, geluv, sigmoidv, siluv, tanhv } from './special';

const CHUNK: i32 = 16384;

/** Binary operator codes, as the host's BINARY_OPS lists them. */
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;

@inline
function vop(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  if (op == DIV) return f32x4.div(x, y);
  if (op == MAX) return f32x4.max(x, y);
  return f32x4.min(x, y);
}

@inline
function sop(op: i32, x: f32, y: f32): f32 {
  return f32x4.extract_lane(vop(op, f32x4.splat(x), f32x4.splat(y)), 0);
}

/**
 * o[i] = a[i] op b[i mod period] for i in [start, end): `period` = n for same-shape operands, the row
 * length for a row broadcast, 1 for a scalar. With `swap`, the broadcast operand is the left one.
 */
@inline
function span(op: i32, a: usize, b: usize, o: usize, period: i32, start: i32, end: i32, swap: bool): void {
  if (period == 1) {
    const s = f32x4.splat(load<f32>(b));
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const at = <usize>i << 2;
      const x = v128.load(a + at);
      v128.store(o + at, swap ? vop(op, s, x) : vop(op, x, s));
    }
    for (; i < end; i++) {
      const at = <usize>i << 2;
      const x = load<f32>(a + at);
      store<f32>(o + at, swap ? sop(op, load<f32>(b), x) : sop(op, x, load<f32>(b)));
    }
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
      v128.store(o + at, swap ? vop(op, y0, x0) : vop(op, x0, y0));
      v128.store(o + at, swap ? vop(op, y1, x1) : vop(op, x1, y1), 16);
      v128.store(o + at, swap ? vop(op, y2, x2) : vop(op, x2, y2), 32);
      v128.store(o + at, swap ? vop(op, y3, x3) : vop(op, x3, y3), 48);
    }
    for (; i + 4 <= stop; i += 4) {
      const at = <usize>i << 2;
      const x = v128.load(a + at);
      const y = v128.load(bRow + at);
      v128.store(o + at, swap ? vop(op, y, x) : vop(op, x, y));
    }
    for (; i < stop; i++) {
      const at = <usize>i << 2;
      const x = load<f32>(a + at);
      const y = load<f32>(bRow + at);
      store<f32>(o + at, swap ? sop(op, y, x) : sop(op, x, y));
    }
  }
}

@inline
function spanOp(op: i32, a: usize, b: usize, o: usize, period: i32, start: i32, end: i32, swap: bool): void {
  if (swap) span(op, a, b, o, period, start, end, true);
  else span(op, a, b, o, period, start, end, false);
}

/**
 * Float32 binary operator `op` over `n` outputs: `a` is full size, `b` repeats every `period` elements
 * (`period` = n: same shape; 1: a scalar). `swap` = 1 when the repeating operand is the left one.
 */
export function binary_f32(tid: i32, work: usize, op: i32, a: usize, b: usize, o: usize, n: i32, period: i32, swap: i32): void {
  const sw = swap != 0;
  for (let start = claim(work, CHUNK, n); start < n; start = claim(work, CHUNK, n)) {
    const end = min(n, start + CHUNK);
    switch (op) {
    case ADD: spanOp(ADD, a, b, o, period, start, end, sw); break;
    case SUB: spanOp(SUB, a, b, o, period, start, end, sw); break;
    case MUL: spanOp(MUL, a, b, o, period, start, end, sw); break;
    case DIV: spanOp(DIV, a, b, o, period, start, end, sw); break;
    case MAX: spanOp(MAX, a, b, o, period, start, end, sw); break;
    default: spanOp(MIN, a, b, o, period, start, end, sw); break;
    }
  }
}

/** Unary operator codes, as the host's UNARY_OPS lists them. */
const NEG = 0;
const ABS = 1;
const RELU = 2;
const SQRT = 3;
const EXP = 4;
const ERF = 5;
const TANH = 6;
const SIGMOID = 7;
const GELU = 8;
const GELU_TANH = 9;
const SILU = 10;

@inline
function uop(op: i32, x: v128): v128 {
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == RELU) return f32x4.max(x, f32x4.splat(0));
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == EXP) return expv(x);
  if (op == ERF) return erfv(x);
  if (op == TANH) return tanhv(x);
  if (op == SIGMOID) return sigmoidv(x);
  if (op == GELU) return geluv(x);
  if (op == GELU_TANH) return geluTanhv(x);
  return siluv(x);
}

@inline
function unarySpan(op: i32, a: usize, o: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at = <usize>i << 2;
    v128.store(o + at, uop(op, v128.load(a + at)));
  }
  for (; i < end; i++) {
    const at = <usize>i << 2;
    store<f32>(o + at, f32x4.extract_lane(uop(op, f32x4.splat(load<f32>(a + at))), 0));
  }
}

/** Float32 unary operator `op` over `n` elements. */
export function unary_f32(tid: i32, work: usize, op: i32, a: usize, o: usize, n: i32): void {
  for (let start = claim(work, CHUNK, n); start < n; start = claim(work, CHUNK, n)) {
    const end = min(n, start + CHUNK);
    switch (op) {
      case NEG: unarySpan(NEG, a, o, start, end); break;
      case ABS: unarySpan(ABS, a, o, start, end); break;
      case RELU: unarySpan(RELU, a, o, start, end); break;
      case SQRT: unarySpan(SQRT, a, o, start, end); break;
      case EXP: unarySpan(EXP, a, o, start, end); break;
      case ERF: unarySpan(ERF, a, o, start, end); break;
      case TANH: unarySpan(TANH, a, o, start, end); break;
      case SIGMOID: unarySpan(SIGMOID, a, o, start, end); break;
      case GELU: unarySpan(GELU, a, o, start, end); break;
      case GELU_TANH: unarySpan(GELU_TANH, a, o, start, end); break;
      default: unarySpan(SILU, a, o, start, end); break;
    }
  }
}
