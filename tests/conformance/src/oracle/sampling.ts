import { exactSum, unravel } from './nd.js';
import type { OracleFn } from './types.js';

type Pair = [number, number];

/** The source coordinate of output index x by ONNX Resize's coordinate transformation modes. */
function source(mode: string, x: number, scale: number, inSize: number, outSize: number): number {
  if (mode === 'align_corners') return outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1);
  if (mode === 'asymmetric') return x / scale;
  if (mode === 'pytorch_half_pixel' && outSize === 1) return 0;
  return (x + 0.5) / scale - 0.5;
}

/** The nearest input index by ONNX's nearest modes, clamped into the input. */
function nearest(mode: string, v: number, inSize: number): number {
  const fracHalf = v - Math.floor(v) === 0.5;
  let i: number;
  if (mode === 'floor') i = Math.floor(v);
  else if (mode === 'ceil') i = Math.ceil(v);
  else if (fracHalf) i = mode === 'round_prefer_floor' ? Math.floor(v) : Math.ceil(v);
  else i = Math.round(v);
  return Math.max(0, Math.min(inSize - 1, i));
}

/** resize of the last two axes, element by element from the definition; linear records the taps' magnitude. */
export const resizeOracle: OracleFn = ([x], attrs, _compute, out) => {
  const shape = x!.shape;
  const r = shape.length;
  const [ih, iw] = [shape[r - 2]!, shape[r - 1]!];
  const [oh, ow] = attrs['sizes'] as Pair;
  const scales = (attrs['scales'] as Pair | null) ?? [oh / ih, ow / iw];
  const ctm = attrs['coordinateTransformationMode'] as string;
  const outShape = [...shape.slice(0, -2), oh, ow];
  const size = outShape.reduce((a, d) => a * d, 1);
  const values = new Float64Array(size);
  const mag = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, outShape);
    const plane = Math.floor(i / (oh * ow)) * ih * iw;
    const sy = source(ctm, idx[r - 2]!, scales[0], ih, oh);
    const sx = source(ctm, idx[r - 1]!, scales[1], iw, ow);
    const at = (y: number, xx: number) => x!.data[plane + y * iw + xx]!;
    if (attrs['mode'] === 'nearest') {
      values[i] = at(nearest(attrs['nearestMode'] as string, sy, ih), nearest(attrs['nearestMode'] as string, sx, iw));
      continue;
    }
    const cy = Math.max(0, Math.min(ih - 1, sy));
    const cx = Math.max(0, Math.min(iw - 1, sx));
    const y0 = Math.floor(cy);
    const x0 = Math.floor(cx);
    const y1 = Math.min(y0 + 1, ih - 1);
    const x1 = Math.min(x0 + 1, iw - 1);
    const fy = cy - y0;
    const fx = cx - x0;
    const taps: [number, number][] = [
      [at(y0, x0), (1 - fy) * (1 - fx)],
      [at(y0, x1), (1 - fy) * fx],
      [at(y1, x0), fy * (1 - fx)],
      [at(y1, x1), fy * fx],
    ];
    // A tap of weight 0 still reads its value: NaN there propagates, as 0 · NaN does in every kernel.
    values[i] = exactSum(taps.map(([v, w]) => (w === 0 ? v * 0 : v * w)));
    mag[i] = taps.reduce((s, [v]) => s + Math.abs(v), 0);
  }
  return { shape: outShape, dtype: out, values, mag, terms: new Float64Array(size).fill(4) };
};

/** conv_transpose2d gathered per output pixel: every (input pixel, kernel tap) that lands there. */
export const convTransposeOracle: OracleFn = ([x, w, bias], attrs, _compute, out) => {
  const [n, c, h, wd] = x!.shape as [number, number, number, number];
  const [, og, kh, kw] = w!.shape as [number, number, number, number];
  const groups = attrs['groups'] as number;
  const [sh, sw] = attrs['stride'] as Pair;
  const [ph, pw] = attrs['padding'] as Pair;
  const [oph, opw] = attrs['outputPadding'] as Pair;
  const [dh, dw] = attrs['dilation'] as Pair;
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  const o = og * groups;
  const cg = c / groups;
  const shape = [n, o, oh, ow];
  const size = n * o * oh * ow;
  const values = new Float64Array(size);
  const mag = new Float64Array(size);
  const terms = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const [b, oc, y, xo] = unravel(i, shape) as [number, number, number, number];
    const g = Math.floor(oc / og);
    const products: number[] = [];
    for (let ci = g * cg; ci < (g + 1) * cg; ci++) {
      for (let ky = 0; ky < kh; ky++) {
        const ty = y + ph - ky * dh;
        if (ty % sh !== 0 || ty < 0 || ty / sh >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const tx = xo + pw - kx * dw;
          if (tx % sw !== 0 || tx < 0 || tx / sw >= wd) continue;
          products.push(x!.data[((b * c + ci) * h + ty / sh) * wd + tx / sw]! * w!.data[((ci * og + (oc - g * og)) * kh + ky) * kw + kx]!);
        }
      }
    }
    if (bias) products.push(bias.data[oc]!);
    values[i] = exactSum(products);
    mag[i] = products.reduce((s, p) => s + Math.abs(p), 0);
    terms[i] = products.length + 4;
  }
  return { shape, dtype: out, values, mag, terms };
};
