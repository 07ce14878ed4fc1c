// Float32 matrix multiply, C = A · B, GotoBLAS style: A packed into panels of MR rows, B into panels of NR
// columns (both K deep, zero padded), then a 4x8 register-blocked micro-kernel runs over KC-deep slices
// with the B micro-panel in L1 and the A block in L2. Threads claim column panels in groups of PANELS.
import { claim } from './split';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 64; // rows per A block (a multiple of MR)
export const PANELS: i32 = 4; // column panels per claimed chunk of the GEMM (and of conv2d)

/**
 * Packs rows [0, m) of A (m x k; element (row, p) at a + (row·rs + p·cs)·4: row-major is rs = lda, cs = 1,
 * a transposed operand swaps them) into MR-row panels: pA[(i*k + p)*MR + r].
 */
export function pack_a(tid: i32, work: usize, a: usize, rs: i32, cs: i32, m: i32, k: i32, pA: usize): void {
  const panels = (m + MR - 1) / MR;
  const step = <usize>cs << 2;
  for (let i = claim(work, 1, panels); i < panels; i = claim(work, 1, panels)) {
    let dst = pA + ((<usize>i * <usize>k * MR) << 2);
    if (cs == 1 && i * MR + MR <= m) {
      packRows4(a + ((<usize>(i * MR) * <usize>rs) << 2), <usize>rs << 2, k, dst);
      continue;
    }
    for (let r = 0; r < MR; r++) {
      const row = i * MR + r;
      let d = dst + (<usize>r << 2);
      if (row < m) {
        let src = a + ((<usize>row * <usize>rs) << 2);
        for (let p = 0; p < k; p++, d += MR << 2, src += step) store<f32>(d, load<f32>(src));
      } else {
        for (let p = 0; p < k; p++, d += MR << 2) store<f32>(d, 0);
      }
    }
  }
}

/**
 * Four row-major rows (row stride `ld` bytes) of k values into the MR-interleaved layout, four columns at a
 * time through a 4x4 transpose in registers.
 */
@inline
function packRows4(src: usize, ld: usize, k: i32, dst: usize): void {
  let p = 0;
  for (; p + 4 <= k; p += 4, src += 16, dst += 64) {
    const v0 = v128.load(src);
    const v1 = v128.load(src + ld);
    const v2 = v128.load(src + 2 * ld);
    const v3 = v128.load(src + 3 * ld);
    const lo01 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
    const lo23 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
    const hi01 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const hi23 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    v128.store(dst, v128.shuffle<i64>(lo01, lo23, 0, 2));
    v128.store(dst, v128.shuffle<i64>(lo01, lo23, 1, 3), 16);
    v128.store(dst, v128.shuffle<i64>(hi01, hi23, 0, 2), 32);
    v128.store(dst, v128.shuffle<i64>(hi01, hi23, 1, 3), 48);
  }
  for (; p < k; p++, src += 4, dst += 16) {
    store<f32>(dst, load<f32>(src));
    store<f32>(dst, load<f32>(src + ld), 4);
    store<f32>(dst, load<f32>(src + 2 * ld), 8);
    store<f32>(dst, load<f32>(src + 3 * ld), 12);
  }
}

/**
 * Packs B (k x n; element (p, c) at b + (p·rs + c·cs)·4: row-major is rs = ldb, cs = 1, a transposed
 * operand swaps them) into NR-column panels: pB[(j*k + p)*NR + c].
 */
export function pack_b(tid: i32, work: usize, b: usize, rs: i32, cs: i32, n: i32, k: i32, pB: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let j = claim(work, 1, panels); j < panels; j = claim(work, 1, panels)) {
    const c0 = j * NR;
    let d = pB + ((<usize>j * <usize>k * NR) << 2);
    if (cs == 1 && c0 + NR <= n) {
      for (let p = 0; p < k; p++, d += NR << 2) {
        const src = b + ((<usize>p * <usize>rs + c0) << 2);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
    } else {
      // Column by column, so a transposed operand (cs = k, rs = 1) is read along its rows.
      for (let c = 0; c < NR; c++) {
        let dc = d + (<usize>c << 2);
        if (c0 + c < n) {
          let src = b + ((<usize>(c0 + c) * <usize>cs) << 2);
          for (let p = 0; p < k; p++, dc += NR << 2, src += <usize>rs << 2) store<f32>(dc, load<f32>(src));
        } else {
          for (let p = 0; p < k; p++, dc += NR << 2) store<f32>(dc, 0);
        }
      }
    }
  }
}

/**
 * The 4x8 micro-kernel over kc steps: a tile of C (row stride ldc, in bytes) gets the product, added to
 * what is there when `accumulate`. A partial tile (rows x cols smaller than 4 x 8) goes through `tile`.
 */
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, accumulate: bool, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR << 2;
    pb += NR << 2;
  }
  const full = rows == MR && cols == NR;
  const dst = full ? c : tile;
  const ld: usize = full ? ldc : NR << 2;
  if (full && accumulate) {
    c00 = f32x4.add(c00, v128.load(dst));
    c01 = f32x4.add(c01, v128.load(dst, 16));
    c10 = f32x4.add(c10, v128.load(dst + ld));
    c11 = f32x4.add(c11, v128.load(dst + ld, 16));
    c20 = f32x4.add(c20, v128.load(dst + 2 * ld));
    c21 = f32x4.add(c21, v128.load(dst + 2 * ld, 16));
    c30 = f32x4.add(c30, v128.load(dst + 3 * ld));
    c31 = f32x4.add(c31, v128.load(dst + 3 * ld, 16));
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + ld, c10);
  v128.store(dst + ld, c11, 16);
  v128.store(dst + 2 * ld, c20);
  v128.store(dst + 2 * ld, c21, 16);
  v128.store(dst + 3 * ld, c30);
  v128.store(dst + 3 * ld, c31, 16);
  if (full) return;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const from = tile + ((<usize>(r * NR + q)) << 2);
      const to = c + <usize>r * ldc + (<usize>q << 2);
      store<f32>(to, accumulate ? load<f32>(to) + load<f32>(from) : load<f32>(from));
    }
  }
}

/**
 * C (m x n, row stride ldc) = packed A (m x k) · packed B (k x n), column panels claimed PANELS at a time.
 * `tiles` holds one 128-byte scratch tile per thread.
 */
export function gemm_f32(tid: i32, work: usize, pA: usize, pB: usize, c: usize, m: i32, n: i32, k: i32, ldc: i32, tiles: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let j0 = claim(work, PANELS, panels); j0 < panels; j0 = claim(work, PANELS, panels)) {
    gemmPanels(tid, pA, pB, 0, c, m, n, k, ldc, tiles, j0, min(panels, j0 + PANELS));
  }
}

/** C's column panels [j0, j1), from packed B whose first panel is panel `jb` (0 for the whole of B). */
export function gemmPanels(tid: i32, pA: usize, pB: usize, jb: i32, c: usize, m: i32, n: i32, k: i32, ldc: i32, tiles: usize, j0: i32, j1: i32): void {
  const tile = tiles + (<usize>tid << 7);
  const ldcB = <usize>ldc << 2;
  if (k == 0) {
    for (let i = 0; i < m; i++) for (let q = j0 * NR; q < min(n, j1 * NR); q++) store<f32>(c + <usize>i * ldcB + (<usize>q << 2), 0);
    return;
  }
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const accumulate = pc > 0;
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      for (let j = j0; j < j1; j++) {
        const cols = min(NR, n - j * NR);
        const pb = pB + ((<usize>((j - jb) * k + pc) * NR) << 2);
        for (let i = ic; i < ic + mc; i += MR) {
          const pa = pA + ((<usize>(i * k + pc * MR)) << 2);
          micro(pa, pb, kc, c + <usize>i * ldcB + (<usize>(j * NR) << 2), ldcB, accumulate, min(MR, m - i), cols, tile);
        }
      }
    }
  }
}

/** Rows and columns of C per claimed unit of gemm_direct_f32. */
const UNIT_ROWS: i32 = 16;
const UNIT_COLS: i32 = 32;

/**
 * C = A · B (+ bias) for each of `count` matrices, with neither operand packed: the small products of
 * inference (attention heads, linears of a few hundred rows, batch-1 matrix-vector products), where packing
 * would copy about as much as the product reads and each pack is a call of its own.
 *
 * A's element (i, p) is at a + (i·rs + p·cs)·4, the next matrix's A aStep bytes on. B is read in strips of 8
 * columns: row-major (row stride ldb bytes), or as pack_b's zero-padded panels when ldb is 0. The next
 * matrix's B is bStep bytes on (0: shared). C is row-major m x n, matrices one after the other; `bias` (0:
 * none) holds n floats added to every row after the product, as a separate add would, or with `biasPerRow`
 * m floats, one added to each row (a convolution's bias per output channel). Each element sums its
 * products over p in order, in float32, as the packed micro-kernel does. Threads claim blocks of
 * UNIT_ROWS x UNIT_COLS of one matrix; inside, 4x8 tiles keep 8 sums in registers, and rows left over (all
 * of them below 4 rows) take 1x16 tiles.
 */
export function gemm_direct_f32(tid: i32, work: usize, a: usize, rs: i32, cs: i32, aStep: i32, b: usize, ldb: i32, bStep: i32, c: usize, m: i32, n: i32, k: i32, bias: usize, count: i32, biasPerRow: i32): void {
  const rowUnits = (m + UNIT_ROWS - 1) / UNIT_ROWS;
  const colUnits = (n + UNIT_COLS - 1) / UNIT_COLS;
  const perMatrix = rowUnits * colUnits;
  const units = count * perMatrix;
  // Strip j of B starts bj bytes after strip j - 1; its rows are ld bytes apart.
  const ld: usize = ldb == 0 ? <usize>(NR << 2) : <usize>ldb;
  const bj: usize = ldb == 0 ? <usize>k * <usize>(NR << 2) : <usize>(NR << 2);
  for (let u = claim(work, 1, units); u < units; u = claim(work, 1, units)) {
    const mat = u / perMatrix;
    const r = u % perMatrix;
    const i0 = (r / colUnits) * UNIT_ROWS;
    const q0 = (r % colUnits) * UNIT_COLS;
    const i1 = min(m, i0 + UNIT_ROWS);
    const q1 = min(n, q0 + UNIT_COLS);
    const am = a + <usize>mat * <usize>aStep;
    const bm = b + <usize>mat * <usize>bStep;
    const cm = c + ((<usize>mat * <usize>m * <usize>n) << 2);
    directBlock(am, rs, cs, bm, ld, bj, cm, n, k, bias, biasPerRow != 0, i0, i1, q0, q1);
  }
}

/** Rows [i0, i1) x columns [q0, q1) of one product of gemm_direct_f32 (q0 a multiple of 8). */
function directBlock(a: usize, rs: i32, cs: i32, b: usize, ld: usize, bj: usize, c: usize, n: i32, k: i32, bias: usize, biasPerRow: bool, i0: i32, i1: i32, q0: i32, q1: i32): void {
  const ldc = <usize>n << 2;
  const rsB = <usize>rs << 2;
  const csB = <usize>cs << 2;
  const full = q0 + ((q1 - q0) & ~7); // columns in whole strips
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const ai = a + <usize>i * rsB;
    const ci = c + <usize>i * ldc;
    for (let q = q0; q < full; q += NR) tile4x8(ai, rsB, csB, b + <usize>(q >> 3) * bj, ld, ci + (<usize>q << 2), ldc, k, biasAt(bias, biasPerRow, i, q), biasPerRow);
    if (full < q1) for (let r = 0; r < 4; r++) rowTail(ai + <usize>r * rsB, csB, b, ld, bj, ci + <usize>r * ldc, k, biasAt(bias, biasPerRow, i + r, 0), biasPerRow, full, q1);
  }
  for (; i < i1; i++) {
    const ai = a + <usize>i * rsB;
    const ci = c + <usize>i * ldc;
    let q = q0;
    for (; q + 16 <= full; q += 16) tile1x16(ai, csB, b + <usize>(q >> 3) * bj, bj, ld, ci + (<usize>q << 2), k, biasAt(bias, biasPerRow, i, q), biasPerRow);
    if (q < full) tile1x8(ai, csB, b + <usize>(q >> 3) * bj, ld, ci + (<usize>q << 2), k, biasAt(bias, biasPerRow, i, q), biasPerRow);
    if (full < q1) rowTail(ai, csB, b, ld, bj, ci, k, biasAt(bias, biasPerRow, i, 0), biasPerRow, full, q1);
  }
}

/**
 * Where a tile's bias starts (0: none): row i's float with biasPerRow, else column q's (a tail's columns are
 * found from its column 0).
 */
@inline
function biasAt(bias: usize, biasPerRow: bool, i: i32, q: i32): usize {
  return bias == 0 ? 0 : bias + (<usize>(biasPerRow ? i : q) << 2);
}

/**
 * Rows i..i+3 (A's rows rsB bytes apart, its columns csB) times one 8-column strip of B, into C; bias: the
 * strip's 8 floats, or with biasPerRow the 4 rows' floats.
 */
@inline
function tile4x8(a: usize, rsB: usize, csB: usize, bp: usize, ld: usize, c: usize, ldc: usize, k: i32, bias: usize, biasPerRow: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let a0 = a, a1 = a + rsB, a2 = a + 2 * rsB, a3 = a + 3 * rsB;
  for (let p = 0; p < k; p++, bp += ld, a0 += csB, a1 += csB, a2 += csB, a3 += csB) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  if (bias != 0 && biasPerRow) {
    let y = v128.load32_splat(bias);
    c00 = f32x4.add(c00, y);
    c01 = f32x4.add(c01, y);
    y = v128.load32_splat(bias, 4);
    c10 = f32x4.add(c10, y);
    c11 = f32x4.add(c11, y);
    y = v128.load32_splat(bias, 8);
    c20 = f32x4.add(c20, y);
    c21 = f32x4.add(c21, y);
    y = v128.load32_splat(bias, 12);
    c30 = f32x4.add(c30, y);
    c31 = f32x4.add(c31, y);
  } else if (bias != 0) {
    const y0 = v128.load(bias);
    const y1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, y0);
    c01 = f32x4.add(c01, y1);
    c10 = f32x4.add(c10, y0);
    c11 = f32x4.add(c11, y1);
    c20 = f32x4.add(c20, y0);
    c21 = f32x4.add(c21, y1);
    c30 = f32x4.add(c30, y0);
    c31 = f32x4.add(c31, y1);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * One row of A times two 8-column strips of B (bj bytes apart), into 16 columns of C: four sums, as many
 * as the registers hold beside the four loads of B (more would spill a sum to the stack every step).
 */
@inline
function tile1x16(a: usize, csB: usize, bp: usize, bj: usize, ld: usize, c: usize, k: i32, bias: usize, biasPerRow: bool): void {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let b0 = bp, b1 = bp + bj;
  for (let p = 0; p < k; p++, a += csB, b0 += ld, b1 += ld) {
    const x = v128.load32_splat(a);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(b0)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(b0, 16)));
    s2 = f32x4.add(s2, f32x4.mul(x, v128.load(b1)));
    s3 = f32x4.add(s3, f32x4.mul(x, v128.load(b1, 16)));
  }
  if (bias != 0 && biasPerRow) {
    const y = v128.load32_splat(bias);
    s0 = f32x4.add(s0, y);
    s1 = f32x4.add(s1, y);
    s2 = f32x4.add(s2, y);
    s3 = f32x4.add(s3, y);
  } else if (bias != 0) {
    s0 = f32x4.add(s0, v128.load(bias));
    s1 = f32x4.add(s1, v128.load(bias, 16));
    s2 = f32x4.add(s2, v128.load(bias, 32));
    s3 = f32x4.add(s3, v128.load(bias, 48));
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
  v128.store(c, s2, 32);
  v128.store(c, s3, 48);
}

/** One row of A times one 8-column strip of B, into 8 columns of C. */
@inline
function tile1x8(a: usize, csB: usize, bp: usize, ld: usize, c: usize, k: i32, bias: usize, biasPerRow: bool): void {
  let s0 = f32x4.splat(0), s1 = s0;
  for (let p = 0; p < k; p++, a += csB, bp += ld) {
    const x = v128.load32_splat(a);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
  }
  if (bias != 0 && biasPerRow) {
    const y = v128.load32_splat(bias);
    s0 = f32x4.add(s0, y);
    s1 = f32x4.add(s1, y);
  } else if (bias != 0) {
    s0 = f32x4.add(s0, v128.load(bias));
    s1 = f32x4.add(s1, v128.load(bias, 16));
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
}

/**
 * Columns [q, q1) of one row (fewer than 8, the end of a partial strip): four at a time where four remain,
 * then one by one. B's element (p, col) is at b + (col / 8)·bj + p·ld + (col % 8)·4. bias: the row's
 * columns from column 0, or with biasPerRow the row's one float.
 */
function rowTail(a: usize, csB: usize, b: usize, ld: usize, bj: usize, c: usize, k: i32, bias: usize, biasPerRow: bool, q: i32, q1: i32): void {
  for (; q + 4 <= q1; q += 4) {
    let s = f32x4.splat(0);
    let ap = a;
    let bp = b + <usize>(q >> 3) * bj + (<usize>(q & 7) << 2);
    for (let p = 0; p < k; p++, ap += csB, bp += ld) s = f32x4.add(s, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
    v128.store(c + (<usize>q << 2), bias == 0 ? s : f32x4.add(s, biasPerRow ? v128.load32_splat(bias) : v128.load(bias + (<usize>q << 2))));
  }
  for (; q < q1; q++) {
    let s: f32 = 0;
    let ap = a;
    let bp = b + <usize>(q >> 3) * bj + (<usize>(q & 7) << 2);
    for (let p = 0; p < k; p++, ap += csB, bp += ld) s += load<f32>(ap) * load<f32>(bp);
    store<f32>(c + (<usize>q << 2), bias == 0 ? s : s + load<f32>(biasPerRow ? bias : bias + (<usize>q << 2)));
  }
}
