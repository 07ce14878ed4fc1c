/**
 * The tiled GEMM template behind matmul and conv2d. A workgroup computes a TILE×TILE block of C, staging
 * TK-deep slices of A and B in workgroup memory; each thread accumulates a 4×4 register block (rows ty +
 * i·T, columns tx + j·T, so neighbouring threads touch neighbouring memory). The operator supplies how to
 * find its bases per batch and how to load A, load B (an im2col view for conv) and store C, so neither
 * matrix is ever materialized.
 */

import { HearthError } from '@hearth/core';
import { LOOP_BUDGET } from '../wgsl/common.js';

/** Register block per thread along each axis. */
const R = 4;
/** Depth of a staged K slice. */
const TK = 16;

/** Loop iterations per thread a staged slice may take, rounded up (about 40 are run). */
const SLICE_ITERATIONS = 64;

/**
 * The longest K range one dispatch covers: as many staged slices as fit the loop budget (wgsl/common.ts),
 * 512 at today's budget. A longer K is split into dispatches that add into C in turn.
 */
export const K_CHUNK = Math.floor(LOOP_BUDGET / SLICE_ITERATIONS) * TK;

/** The K ranges `[begin, end)` of a GEMM's dispatches, in order; the first writes C, the rest add to it. */
export function kChunks(k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < k || out.length === 0; b += K_CHUNK) out.push([b, Math.min(k, b + K_CHUNK)]);
  return out;
}

/** The tile edge for a device: 64 with 16×16 threads, 32 with 8×8 where 256 invocations are not allowed. */
export function gemmTile(maxInvocations: number): number {
  return maxInvocations >= 256 ? 64 : 32;
}

/**
 * The workgroup grid of a GEMM: column tiles, row tiles and batches, each within the adapter's per-dimension
 * limit; beyond it the dispatch would fail on the GPU, so it is `E_SHAPE` at the call instead.
 */
export function gemmGroups(op: string, tile: number, m: number, n: number, batches: number, maxPerDim: number): [number, number, number] {
  const groups: [number, number, number] = [Math.ceil(n / tile), Math.ceil(m / tile), batches];
  if (groups.some((g) => g > maxPerDim)) {
    throw new HearthError(
      'E_SHAPE',
      `${op}: ${m}x${n} outputs in ${batches} batches need ${groups.join(' x ')} workgroups, over this adapter's ${maxPerDim} per dimension; split the work.`,
      { m, n, batches },
    );
  }
  return groups;
}

/**
 * Parts an operator gives the template (all WGSL); params p(0..2) are M, N, K, and p(kRange..kRange+2) the
 * dispatch's K range and whether it adds to C (see {@link kChunks}).
 */
export interface GemmParts {
  /** Bindings, helpers and `fn bases(batch: u32) -> vec3<u32>` (A, B and C offsets of a batch). */
  readonly head: string;
  /** `fn load_a(base: u32, row: u32, k: u32) -> T`, 0 outside. */
  readonly loadA: string;
  /** `fn load_b(base: u32, k: u32, col: u32) -> T`, 0 outside. */
  readonly loadB: string;
  /** `fn store_c(base: u32, row: u32, col: u32, v: T, first: bool)`: `first` for the dispatch that writes C, not adds to it. */
  readonly storeC: string;
  /** `fn load_c(base: u32, row: u32, col: u32) -> T`: what earlier dispatches left in C. */
  readonly loadC: string;
  /** Where the K range words start in the params. */
  readonly kRange: number;
  /**
   * Optional `fn valid_b(k: u32, col: u32) -> bool`: where it is false (conv2d's padding) the product is
   * skipped rather than multiplied by 0, so a NaN weight never meets the padding.
   */
  readonly validB?: string;
}

/** The shader for compute type `t` and tile edge `tile`. */
export function gemmSource(t: string, tile: number, parts: GemmParts): string {
  const threads = tile / R;
  const nt = threads * threads;
  const m = parts.validB !== undefined;
  return `${parts.head}
${parts.validB ?? ''}
${parts.loadA}
${parts.loadB}
${parts.storeC}
${parts.loadC}
var<workgroup> As: array<array<${t}, ${tile}>, ${TK}>;
var<workgroup> Bs: array<array<${t}, ${tile}>, ${TK}>;
${m ? `var<workgroup> Bm: array<array<u32, ${tile}>, ${TK}>;\n` : ''}@compute @workgroup_size(${threads}, ${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let M = p(0u);
  let N = p(1u);
  let k_begin = p(${parts.kRange}u);
  let K = p(${parts.kRange + 1}u);
  let adds = p(${parts.kRange + 2}u) != 0u;
  let b = bases(wid.z);
  let row0 = wid.y * ${tile}u;
  let col0 = wid.x * ${tile}u;
  var acc: array<array<${t}, ${R}>, ${R}>;
  for (var i = 0u; i < ${R}u; i++) { for (var j = 0u; j < ${R}u; j++) { acc[i][j] = ${t}(0); } }
  for (var k0 = k_begin; k0 < K; k0 += ${TK}u) {
    for (var e = lid; e < ${tile * TK}u; e += ${nt}u) {
      let m = e / ${TK}u;
      let kk = e % ${TK}u;
      As[kk][m] = select(${t}(0), load_a(b.x, row0 + m, k0 + kk), row0 + m < M && k0 + kk < K);
    }
    for (var e = lid; e < ${tile * TK}u; e += ${nt}u) {
      let kk = e / ${tile}u;
      let n = e % ${tile}u;
      Bs[kk][n] = select(${t}(0), load_b(b.y, k0 + kk, col0 + n), k0 + kk < K && col0 + n < N);
${m ? '      Bm[kk][n] = u32(k0 + kk < K && col0 + n < N && valid_b(k0 + kk, col0 + n));\n' : ''}    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      var av: array<${t}, ${R}>;
      var bv: array<${t}, ${R}>;
${m ? `      var bm: array<bool, ${R}>;\n` : ''}      for (var i = 0u; i < ${R}u; i++) { av[i] = As[kk][l.y + i * ${threads}u]; bv[i] = Bs[kk][l.x + i * ${threads}u];${m ? ` bm[i] = Bm[kk][l.x + i * ${threads}u] != 0u;` : ''} }
      for (var i = 0u; i < ${R}u; i++) { for (var j = 0u; j < ${R}u; j++) { acc[i][j] += ${m ? `select(${t}(0), av[i] * bv[j], bm[j])` : 'av[i] * bv[j]'}; } }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${R}u; i++) {
    for (var j = 0u; j < ${R}u; j++) {
      let row = row0 + l.y + i * ${threads}u;
      let col = col0 + l.x + j * ${threads}u;
      if (row < M && col < N) {
        if (adds) { store_c(b.z, row, col, load_c(b.z, row, col) + acc[i][j], false); } else { store_c(b.z, row, col, acc[i][j], true); }
      }
    }
  }
}
`;
}
