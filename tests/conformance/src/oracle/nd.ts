/**
 * Index arithmetic for the oracle: multi-index walks and broadcasting. Broadcasting is the oracle's own
 * (not the core's broadcastShapes), so the output shape it gives is an independent check of the core's meta.
 */

/** The multi-index of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    const d = shape[a]!;
    idx[a] = d === 0 ? 0 : i % d;
    i = d === 0 ? 0 : Math.floor(i / d);
  }
  return idx;
}

/** The broadcast of shapes by NumPy rules, or undefined when they don't broadcast. */
export function broadcastAll(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return undefined;
    }
  }
  return out;
}

/** The flat offset in an input of `shape` that output multi-index `idx` reads under broadcasting. */
export function broadcastOffset(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = idx.length - shape.length + i;
    if (shape[i] !== 1) off += idx[o]! * stride;
    stride *= shape[i]!;
  }
  return off;
}

/** Sums with Neumaier compensation (an essentially exact reference for float32 data), falling back to plain summation on Inf/NaN. */
export function exactSum(xs: Iterable<number>): number {
  let s = 0;
  let c = 0;
  let plain = 0;
  for (const x of xs) {
    plain += x;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return Number.isFinite(plain) ? s + c : plain;
}

/**
 * True when a float sum of these terms is exact in a format of unit roundoff `u` for any order: all are
 * integers and Σ|terms| <= 1/u = 2^p, so every partial sum is an integer the format holds.
 */
export function exactInAnyOrder(terms: readonly number[], u: number): boolean {
  let m = 0;
  for (const t of terms) {
    if (!Number.isInteger(t)) return false;
    m += Math.abs(t);
  }
  return m * u <= 1;
}
