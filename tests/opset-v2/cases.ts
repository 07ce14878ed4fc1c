import { expect, it } from 'vitest';
import { HearthError, type DType, type Hearth, type Tensor } from '@hearth/core';

/**
 * The opset v2 primitives on one device, each against a float64 reference computed here from the
 * operator's definition (published values, the definition's loops, or the generator's known-answer test),
 * never from another backend's output. Registers its `it`s in the calling `describe`.
 */
export function opsetV2Checks(get: () => Hearth, opts: { checksIndices: boolean }): void {
  const h = () => get();
  const t = (data: readonly number[], shape: readonly number[], dtype: DType = 'float32'): Tensor => {
    const host = dtype === 'int32' ? Int32Array.from(data) : dtype === 'bool' ? Uint8Array.from(data) : Float32Array.from(data);
    return h().tensor(host, { shape, dtype });
  };
  const run = async (op: string, inputs: Tensor[], attrs: Record<string, unknown> = {}) => {
    const r = h().op(op, inputs, attrs);
    return { shape: r.shape, data: Array.from(await r.data()) };
  };

  it('erf matches published values, keeps -0 and saturates to ±1', async () => {
    const x = [0, -0, 1e-3, -1e-30, 0.5, 1, 2, -3, 5, Infinity, -Infinity, NaN];
    // erf(x) to float64 precision (Abramowitz & Stegun tables; erf(x) ≈ 2x/√π for tiny x).
    const want = [0, -0, 0.0011283787909692363, -1.1283791670955126e-30, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 0.9999999999984626, 1, -1, NaN];
    const got = (await run('erf', [t(x, [x.length])])).data;
    got.forEach((g, i) => {
      if (Number.isNaN(want[i]!)) expect(g).toBeNaN();
      else expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(2 * ulp32(want[i]!));
    });
    expect(Object.is(got[1], -0)).toBe(true);
  });

  it('mod is floored (the sign of b) by default and truncated (the sign of a) with fmod; int32 b = 0 gives 0', async () => {
    const a = [7, -7, 7, -7, 5, -2147483648, 0];
    const b = [3, 3, -3, -3, 0, -1, 4];
    expect((await run('mod', [t(a, [7], 'int32'), t(b, [7], 'int32')])).data).toEqual([1, 2, -2, -1, 0, 0, 0]);
    expect((await run('mod', [t(a, [7], 'int32'), t(b, [7], 'int32')], { fmod: true })).data).toEqual([1, -1, 1, -1, 0, 0, 0]);
    // Python's % and math.fmod on these float32 values (but 0 mod -Inf is 0, by the opset's rule); 1e10 mod 3
    // is exact only with an exact remainder.
    const fa = [5.5, -5.5, 5.5, 1, 3, -3, 4, 1e10, -0, 0];
    const fb = [2, 2, -2, 0, Infinity, Infinity, -2, 3, 5, -Infinity];
    const floored = (await run('mod', [t(fa, [10]), t(fb, [10])])).data;
    expect(floored.slice(0, 3)).toEqual([1.5, 0.5, -0.5]);
    expect(floored[3]).toBeNaN();
    expect(floored.slice(4, 6)).toEqual([3, Infinity]);
    expect(Object.is(floored[6], -0)).toBe(true);
    expect(floored[7]).toBe(1);
    expect(Object.is(floored[8], 0)).toBe(true);
    expect(Object.is(floored[9], 0)).toBe(true); // x mod ±Inf is x when x = 0, as the opset states
    const truncated = (await run('mod', [t(fa, [10]), t(fb, [10])], { fmod: true })).data;
    expect(truncated.slice(0, 3)).toEqual([1.5, -1.5, 1.5]);
    expect(truncated.slice(4, 6)).toEqual([3, -3]);
    expect(truncated[7]).toBe(1);
    expect(Object.is(truncated[8], -0)).toBe(true);
  });

  it('cumsum sums in order along the axis, exclusive and reversed; int32 wraps', async () => {
    const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
    expect((await run('cumsum', [x], { axis: 1 })).data).toEqual([1, 3, 6, 4, 9, 15]);
    expect((await run('cumsum', [x], { axis: 1, exclusive: true })).data).toEqual([0, 1, 3, 0, 4, 9]);
    expect((await run('cumsum', [x], { axis: 1, reverse: true })).data).toEqual([6, 5, 3, 15, 11, 6]);
    expect((await run('cumsum', [x], { axis: 0, reverse: true, exclusive: true })).data).toEqual([4, 5, 6, 0, 0, 0]);
    expect((await run('cumsum', [t([2147483647, 1, 1], [3], 'int32')], { axis: 0 })).data).toEqual([2147483647, -2147483648, -2147483647]);
  });

  it('topk orders by value, ties to the lower index, NaN above +Inf both ways, -0 ties +0', async () => {
    const x = [1, NaN, 3, 3, -Infinity, 0, -0, Infinity];
    const v = t(x, [8]);
    expect((await run('topk', [v], { k: 5 })).data).toEqual([1, 7, 2, 3, 0]);
    expect((await run('topk', [v], { k: 6, largest: false })).data).toEqual([4, 5, 6, 0, 2, 3]);
    expect((await run('topk', [v], { k: 8, largest: false })).data.slice(6)).toEqual([7, 1]);
    const m = await run('topk', [t([5, 1, 5, 2, 9, 5], [3, 2], 'int32')], { k: 2, axis: 0 });
    expect(m).toEqual({ shape: [2, 2], data: [2, 2, 0, 1] });
    expect((await run('topk', [v], { k: 0 })).shape).toEqual([0]);
  });

  it('gather_elements follows ONNX GatherElements, negative indices from the end', async () => {
    // The examples of the ONNX operator documentation.
    expect((await run('gather_elements', [t([1, 2, 3, 4], [2, 2]), t([0, 0, 1, 0], [2, 2], 'int32')], { axis: 1 })).data).toEqual([1, 1, 4, 3]);
    const x = t([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
    expect((await run('gather_elements', [x, t([1, 2, 0, 2, 0, 0], [2, 3], 'int32')], { axis: 0 })).data).toEqual([4, 8, 3, 7, 2, 3]);
    expect((await run('gather_elements', [x, t([-1, -3, 1, -2], [2, 2], 'int32')], { axis: -1 })).data).toEqual([3, 1, 5, 5]);
    if (opts.checksIndices) {
      const err = await (async () => h().op('gather_elements', [x, t([0, 3], [1, 2], 'int32')], { axis: 1 }).data())().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HearthError);
      expect((err as HearthError).code).toBe('E_INDEX_OUT_OF_RANGE');
    }
  });

  it('tile repeats along every axis, for every dtype', async () => {
    const want = [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4];
    for (const dtype of ['float32', 'int32'] as const) {
      expect(await run('tile', [t([1, 2, 3, 4], [2, 2], dtype)], { repeats: [2, 3] })).toEqual({ shape: [4, 6], data: want });
    }
    expect((await run('tile', [t([1, 0, 1], [3], 'bool')], { repeats: [2] })).data).toEqual([1, 0, 1, 1, 0, 1]);
    expect((await run('tile', [t([1, 2], [2])], { repeats: [0] })).shape).toEqual([0]);
  });

  const modes = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
  const nearest = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;
  it.each(modes)('resize, %s: nearest in every rounding and bilinear, with and without fractional scales', async (ctm) => {
    const [H, W] = [4, 5];
    const xs = Array.from({ length: 2 * H * W }, (_, i) => ((i * 7) % 11) - 3.5);
    const x = t(xs, [2, H, W]);
    for (const [sizes, scales] of [[[7, 3], null], [[6, 3], [1.5, 0.6]], [[1, 1], null], [[8, 10], null]] as const) {
      for (const mode of ['nearest', 'linear'] as const) {
        for (const nm of mode === 'nearest' ? nearest : (['round_prefer_floor'] as const)) {
          const attrs = { sizes, scales, mode, coordinateTransformationMode: ctm, nearestMode: nm };
          const got = await run('resize', [x], attrs);
          expect(got.shape).toEqual([2, ...sizes]);
          const want = resizeReference(xs, 2, H, W, attrs);
          got.data.forEach((g, i) => expect(Math.abs(g - want[i]!), `${JSON.stringify(attrs)} at ${i}`).toBeLessThanOrEqual(1e-5));
        }
      }
    }
  });

  it('conv_transpose2d equals the scatter of each input pixel through its kernel', async () => {
    for (const a of [
      { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], groups: 2 },
      { stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1 },
      { stride: [3, 2], padding: [2, 1], outputPadding: [2, 1], dilation: [2, 1], groups: 1 },
    ]) {
      const [N, C, H, W, Og, KH, KW] = [2, 4, 3, 4, 3, 3, 2];
      const xs = Array.from({ length: N * C * H * W }, (_, i) => Math.sin(i) * 2);
      const ws = Array.from({ length: C * Og * KH * KW }, (_, i) => Math.cos(i * 1.3));
      const bs = Array.from({ length: Og * a.groups }, (_, i) => i - 1.5);
      const got = await run('conv_transpose2d', [t(xs, [N, C, H, W]), t(ws, [C, Og, KH, KW]), t(bs, [Og * a.groups])], a);
      const want = convTransposeReference(xs.map(Math.fround), ws.map(Math.fround), bs.map(Math.fround), [N, C, H, W], [C, Og, KH, KW], a);
      expect(got.shape).toEqual(want.shape);
      got.data.forEach((g, i) => expect(Math.abs(g - want.data[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want.data[i]!))));
    }
  });

  // Philox4x32-10's known answer (Random123's kat_vectors): key [0, 0], counter [0, 0, 0, 0].
  const KAT = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
  const unit = (w: number) => (w >>> 8) * 2 ** -24;
  it('random_uniform draws Philox4x32-10: seed 0, block 0 gives the published words', async () => {
    const r = h().op('random_uniform', [], { shape: [2, 2], seed: 0, low: -2, high: 3 });
    expect(Array.from(await r.data())).toEqual(KAT.map((w) => Math.fround(-2 + 5 * unit(w))));
  });

  it('random_normal is Box-Muller on the word pairs of the same generator', async () => {
    const r = await run('random_normal', [], { shape: [4], seed: 0, mean: 1, std: 2 });
    const want: number[] = [];
    for (const j of [0, 2]) {
      const rad = Math.sqrt(-2 * Math.log(((KAT[j]! >>> 8) + 1) * 2 ** -24));
      const a = 2 * Math.PI * unit(KAT[j + 1]!);
      want.push(1 + 2 * rad * Math.cos(a), 1 + 2 * rad * Math.sin(a));
    }
    r.data.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(2 * ulp32(want[i]!)));
  });
}

/** The spacing of float32 values at |x|. */
export function ulp32(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** ONNX Resize (opset 13+) on the last two axes, written from the operator's definition, in float64. */
export function resizeReference(
  x: readonly number[],
  planes: number,
  H: number,
  W: number,
  a: { sizes: readonly number[]; scales: readonly number[] | null; mode: string; coordinateTransformationMode: string; nearestMode: string },
): number[] {
  const [OH, OW] = a.sizes as [number, number];
  const coord = (o: number, inS: number, outS: number, scale: number): number => {
    switch (a.coordinateTransformationMode) {
      case 'align_corners':
        return outS === 1 ? 0 : (o * (inS - 1)) / (outS - 1);
      case 'asymmetric':
        return o / scale;
      case 'pytorch_half_pixel':
        return outS > 1 ? (o + 0.5) / scale - 0.5 : 0;
      default:
        return (o + 0.5) / scale - 0.5;
    }
  };
  const pick = (v: number, inS: number): number => {
    const r = { round_prefer_floor: Math.ceil(v - 0.5), round_prefer_ceil: Math.floor(v + 0.5), floor: Math.floor(v), ceil: Math.ceil(v) }[a.nearestMode]!;
    return Math.min(Math.max(r, 0), inS - 1);
  };
  const sh = a.scales ? a.scales[0]! : OH / H;
  const sw = a.scales ? a.scales[1]! : OW / W;
  const out: number[] = [];
  for (let p = 0; p < planes; p++) {
    const at = (y: number, xx: number) => Math.fround(x[p * H * W + y * W + xx]!);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const sy = coord(oy, H, OH, sh);
        const sx = coord(ox, W, OW, sw);
        if (a.mode === 'nearest') {
          out.push(at(pick(sy, H), pick(sx, W)));
          continue;
        }
        const cy = Math.min(Math.max(sy, 0), H - 1);
        const cx = Math.min(Math.max(sx, 0), W - 1);
        const [y0, x0] = [Math.floor(cy), Math.floor(cx)];
        const [y1, x1] = [Math.min(y0 + 1, H - 1), Math.min(x0 + 1, W - 1)];
        const [ty, tx] = [cy - y0, cx - x0];
        out.push((at(y0, x0) * (1 - tx) + at(y0, x1) * tx) * (1 - ty) + (at(y1, x0) * (1 - tx) + at(y1, x1) * tx) * ty);
      }
    }
  }
  return out;
}

/** Transposed convolution as a scatter: every input pixel adds its value times the kernel into the output. */
export function convTransposeReference(
  x: readonly number[],
  w: readonly number[],
  bias: readonly number[],
  [N, C, H, W]: readonly number[],
  [, Og, KH, KW]: readonly number[],
  a: { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number },
): { shape: number[]; data: number[] } {
  const [sh, sw] = a.stride as [number, number];
  const [ph, pw] = a.padding as [number, number];
  const [dh, dw] = a.dilation as [number, number];
  const OH = (H! - 1) * sh - 2 * ph + dh * (KH! - 1) + a.outputPadding[0]! + 1;
  const OW = (W! - 1) * sw - 2 * pw + dw * (KW! - 1) + a.outputPadding[1]! + 1;
  const O = Og! * a.groups;
  const Cg = C! / a.groups;
  const out = new Array<number>(N! * O * OH * OW).fill(0);
  for (let n = 0; n < N!; n++) {
    for (let c = 0; c < C!; c++) {
      const g = Math.floor(c / Cg);
      for (let iy = 0; iy < H!; iy++) {
        for (let ix = 0; ix < W!; ix++) {
          const v = x[((n * C! + c) * H! + iy) * W! + ix]!;
          for (let oc = 0; oc < Og!; oc++) {
            for (let ky = 0; ky < KH!; ky++) {
              for (let kx = 0; kx < KW!; kx++) {
                const oy = iy * sh - ph + ky * dh;
                const ox = ix * sw - pw + kx * dw;
                if (oy < 0 || ox < 0 || oy >= OH || ox >= OW) continue;
                out[((n * O + g * Og! + oc) * OH + oy) * OW + ox]! += v * w[((c * Og! + oc) * KH! + ky) * KW! + kx]!;
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! += bias[Math.floor(i / (OH * OW)) % O]!;
  return { shape: [N!, O, OH, OW], data: out };
}
