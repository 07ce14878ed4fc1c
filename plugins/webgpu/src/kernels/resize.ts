import { nearestIndex, resizeSource, type CoordinateTransformationMode, type DType, type KernelSpec, type NearestMode } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { f32Bits, gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];

/**
 * The per-axis lookup table of a resize: for each output index, the two input indices it reads and the
 * weight of the second (nearest: one index, weight 0). The coordinates are computed on the host in float64,
 * as the opset defines them, so a rounding boundary lands on the same side on every backend.
 */
function axisTable(words: Uint32Array, at: number, inSize: number, outSize: number, scale: number, attrs: Readonly<Record<string, unknown>>): void {
  const mode = attrs['coordinateTransformationMode'] as CoordinateTransformationMode;
  for (let o = 0; o < outSize; o++) {
    const s = resizeSource(mode, o, scale, inSize, outSize);
    if (attrs['mode'] === 'linear') {
      const c = Math.min(Math.max(s, 0), inSize - 1);
      const i0 = Math.floor(c);
      words.set([i0, Math.min(i0 + 1, inSize - 1), f32Bits(c - i0)], 3 * (at + o));
    } else {
      words.set([nearestIndex(attrs['nearestMode'] as NearestMode, s, inSize), 0, 0], 3 * (at + o));
    }
  }
}

/** One thread per output element; rows then columns of the table T. Params: n, H, W, OH, OW. */
function resizeShader(dtype: DType, linear: boolean): string {
  const g = gpuType(dtype);
  const x = (y: string, xx: string) => loadExpr(dtype, `X[plane + ${y} * W + ${xx}]`);
  const body = linear
    ? `  let wy = bitcast<f32>(T[3u * oh + 2u]);
  let wx = bitcast<f32>(T[3u * (OH + ow) + 2u]);
  let y0 = T[3u * oh];
  let y1 = T[3u * oh + 1u];
  let x0 = T[3u * (OH + ow)];
  let x1 = T[3u * (OH + ow) + 1u];
  let top = ${x('y0', 'x0')} * (1.0 - wx) + ${x('y0', 'x1')} * wx;
  let bottom = ${x('y1', 'x0')} * (1.0 - wx) + ${x('y1', 'x1')} * wx;
  Y[i] = ${storeExpr(dtype, 'top * (1.0 - wy) + bottom * wy')};`
    : `  Y[i] = X[plane + T[3u * oh] * W + T[3u * (OH + ow)]];`;
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read> T: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<${g.storage}>;
${paramsWgsl(3)}
${gridMain(
  'p(0u)',
  `  let W = p(2u);
  let OH = p(3u);
  let OW = p(4u);
  let ow = i % OW;
  let oh = (i / OW) % OH;
  let plane = (i / (OW * OH)) * p(1u) * W;
${body}`,
)}`;
}

const resize: KernelSpec<WebGPUBackend> = {
  op: 'resize',
  device: 'webgpu',
  dtypes: FLOATS,
  run([x], out, attrs, ctx) {
    if (out.size === 0) return;
    const r = x!.shape.length;
    const [h, w] = [x!.shape[r - 2]!, x!.shape[r - 1]!];
    const [oh, ow] = [out.shape[r - 2]!, out.shape[r - 1]!];
    const scales = attrs['scales'] as [number, number] | null;
    const words = new Uint32Array(3 * (oh + ow));
    axisTable(words, 0, h, oh, scales ? scales[0] : oh / h, attrs);
    axisTable(words, oh, w, ow, scales ? scales[1] : ow / w, attrs);
    const table = ctx.allocate('int32', words.length) as WebGPUStorage;
    ctx.backend.upload(table, new Uint8Array(words.buffer));
    const linear = attrs['mode'] === 'linear';
    const pipeline = ctx.backend.pipelines.get(`resize|${out.dtype}|${linear ? 'linear' : 'nearest'}`, () => resizeShader(out.dtype, linear));
    const storages = [x!.storage as WebGPUStorage, table, out.storage as WebGPUStorage];
    ctx.backend.dispatch(pipeline, storages, [out.size, h, w, oh, ow], grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
    ctx.release(table, 'int32', words.length);
  },
};

/** Resampling. */
export const RESIZE_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [resize];
