import { normalizeAxis, sizeOf, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { grid, gridMain, LOOP_BUDGET, paramsWgsl, preamble, WG } from '../wgsl/common.js';

const NUMERIC: readonly DType[] = ['float32', 'float16', 'int32'];

/** [begin, end) ranges of an axis of length `n`, each short enough for one invocation's loop budget. */
function axisChunks(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < n || out.length === 0; b += LOOP_BUDGET) out.push([b, Math.min(n, b + LOOP_BUDGET)]);
  return out;
}

/** The axis length and the elements after the axis, of a tensor for an axis attribute. */
function axisLayout(x: KernelTensor, axis: number, op: string): { length: number; inner: number } {
  const a = normalizeAxis(axis, x.shape.length, op);
  return { length: x.shape[a]!, inner: sizeOf(x.shape.slice(a + 1)) };
}

/**
 * cumsum: one thread per row walks the axis in order (from its end when reversed), so the sum is
 * sequential as the opset says and the work is linear. Axes past the loop budget take several dispatches;
 * each picks up the running sum from the output the previous one left. Params: rows, L, inner, exclusive,
 * reverse, begin, end.
 */
function cumsumSource(dtype: DType): string {
  const g = gpuType(dtype);
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read_write> Y: array<${g.storage}>;
${paramsWgsl(2)}
${gridMain(
  'p(0u)',
  `  let L = p(1u);
  let inner = p(2u);
  let base = (i / inner) * L * inner + i % inner;
  let exclusive = p(3u) == 1u;
  let reverse = p(4u) == 1u;
  let begin = p(5u);
  var s = ${g.compute}(0);
  if (begin > 0u) {
    let prev = base + select(begin - 1u, L - begin, reverse) * inner;
    s = ${loadExpr(dtype, 'Y[prev]')};
    if (exclusive) { s += ${loadExpr(dtype, 'X[prev]')}; }
  }
  for (var t = begin; t < p(6u); t++) {
    let at = base + select(t, L - 1u - t, reverse) * inner;
    let v = ${loadExpr(dtype, 'X[at]')};
    if (exclusive) { Y[at] = ${storeExpr(dtype, 's')}; s += v; } else { s += v; Y[at] = ${storeExpr(dtype, 's')}; }
  }`,
)}`;
}

const cumsum: KernelSpec<WebGPUBackend> = {
  op: 'cumsum',
  device: 'webgpu',
  dtypes: NUMERIC,
  run([x], out, attrs, ctx) {
    if (out.size === 0) return;
    const { length, inner } = axisLayout(x!, attrs['axis'] as number, 'cumsum');
    const rows = out.size / length;
    const pipeline = ctx.backend.pipelines.get(`cumsum|${out.dtype}`, () => cumsumSource(out.dtype));
    const flags = [attrs['exclusive'] === true ? 1 : 0, attrs['reverse'] === true ? 1 : 0];
    const groups = grid(Math.ceil(rows / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension);
    for (const [begin, end] of axisChunks(length)) {
      ctx.backend.dispatch(pipeline, [x!.storage, out.storage] as WebGPUStorage[], [rows, length, inner, ...flags, begin, end], groups);
    }
  },
};

/**
 * topk: one thread per input element counts the elements of its row that rank before it (NaN first when
 * largest and last otherwise, ties by lower index); an element whose rank is below k writes its index at
 * that rank. Ranks in a row are distinct, so no two threads write one output. Long axes count in chunks,
 * the partial ranks kept in R. Params: n, L, inner, k, largest, begin, end, first, last.
 */
function topkSource(dtype: DType): string {
  const g = gpuType(dtype);
  const nan = g.compute === 'f32';
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read_write> R: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<i32>;
${paramsWgsl(3)}
fn before(largest: bool, ve: ${g.compute}, e: u32, vc: ${g.compute}, c: u32) -> bool {
  ${nan ? 'let ne = is_nan(ve);\n  let nc = is_nan(vc);\n  if (ne && nc) { return e < c; }\n  if (ne) { return largest; }\n  if (nc) { return !largest; }' : ''}
  if (ve != vc) { return select((ve < vc), (ve > vc), largest); }
  return e < c;
}
${gridMain(
  'p(0u)',
  `  let L = p(1u);
  let inner = p(2u);
  let k = p(3u);
  let largest = p(4u) == 1u;
  let c = (i / inner) % L;
  let base = i - c * inner;
  let vc = ${loadExpr(dtype, 'X[i]')};
  var rank = 0u;
  if (p(7u) == 0u) { rank = R[i]; }
  for (var e = p(5u); e < p(6u); e++) {
    if (rank >= k) { break; }
    if (before(largest, ${loadExpr(dtype, 'X[base + e * inner]')}, e, vc, c)) { rank += 1u; }
  }
  if (p(8u) == 0u) { R[i] = rank; return; }
  if (rank < k) { Y[((i / (inner * L)) * k + rank) * inner + i % inner] = i32(c); }`,
)}`;
}

const topk: KernelSpec<WebGPUBackend> = {
  op: 'topk',
  device: 'webgpu',
  dtypes: NUMERIC,
  run([x], out, attrs, ctx) {
    if (out.size === 0) return;
    const { length, inner } = axisLayout(x!, attrs['axis'] as number, 'topk');
    const n = x!.size;
    const pipeline = ctx.backend.pipelines.get(`topk|${x!.dtype}`, () => topkSource(x!.dtype));
    const ranks = ctx.allocate('int32', n) as WebGPUStorage;
    const groups = grid(Math.ceil(n / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension);
    const chunks = axisChunks(length);
    chunks.forEach(([begin, end], c) => {
      const params = [n, length, inner, attrs['k'] as number, attrs['largest'] === false ? 0 : 1, begin, end, c === 0 ? 1 : 0, c === chunks.length - 1 ? 1 : 0];
      ctx.backend.dispatch(pipeline, [x!.storage as WebGPUStorage, ranks, out.storage as WebGPUStorage], params, groups);
    });
    ctx.release(ranks, 'int32', n);
  },
};

/** Scans and selections along an axis. */
export const SCAN_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [cumsum, topk];
