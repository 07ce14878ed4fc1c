import { HearthError, type DType, type Tensor } from '@hearth/core';
import { elementType } from '../proto.js';
import { deviceDtype } from '../values.js';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// Audio front-ends: DFT and STFT as products with a cosine/sine basis (one matmul, or one strided conv for
// STFT's frames), the windows and mel filter bank computed from their sizes. The basis is exact to float32
// rounding (each angle reduced mod the length first); sums run in float32 like any matmul, so their error
// grows with the length as a matmul's does, where an FFT's grows with its logarithm.

/** The dtype `output_datatype` names (float32 by default). */
function outputDtype(c: OpContext): DType {
  return deviceDtype(elementType(c.attr('output_datatype', 1), `${c.where} attribute "output_datatype"`));
}

/** Host numbers as a tensor of the node's output dtype on its device. */
function tensorOf(c: OpContext, data: Float32Array, shape: number[]): Tensor {
  const t = c.hearth.tensor(data, { shape, device: c.device });
  const dtype = outputDtype(c);
  return dtype === 'float32' ? t : c.hearth.cast(t, dtype);
}

/** A size input that must be a non-negative integer known on the host. */
function size(c: OpContext, i: number, what: string): number {
  const n = c.scalar(i);
  if (n === undefined || !Number.isInteger(n) || n < 0) throw new HearthError('E_MODEL', `${c.where}: ${what} must be a non-negative integer, got ${n}.`, { node: c.node.name });
  return n;
}

/** The cosine-sum coefficients of each window op: sum_j (-1)^j a_j cos(2 pi j n / N). */
const WINDOWS: Readonly<Record<string, readonly number[]>> = {
  HannWindow: [0.5, 0.5],
  HammingWindow: [25 / 46, 21 / 46],
  BlackmanWindow: [0.42, 0.5, 0.08],
};

/** A window of `n` samples; N is `n` (periodic) or `n` less one (symmetric). */
export function windowValues(opType: string, n: number, periodic: boolean): Float32Array {
  const period = periodic ? n : n - 1;
  return Float32Array.from({ length: n }, (_, i) => WINDOWS[opType]!.reduce((s, a, j) => s + (j % 2 ? -a : a) * Math.cos((2 * Math.PI * j * i) / period), 0));
}

/** MelWeightMatrix's [dft_length / 2 + 1, num_mel_bins] triangular filters, evenly spaced in mel, as ONNX defines them. */
export function melWeights(bins: number, dft: number, rate: number, lower: number, upper: number): Float32Array {
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const [low, high] = [mel(lower), mel(upper)];
  const step = (high - low) / (bins + 2);
  // Each filter's left, centre and right edges as spectrogram bins.
  const edges = Array.from({ length: bins + 2 }, (_, i) => Math.floor(((dft + 1) * 700 * (10 ** ((i * step + low) / 2595) - 1)) / rate));
  const out = new Float32Array((Math.floor(dft / 2) + 1) * bins);
  for (let m = 0; m < bins; m++) {
    const [left, centre, right] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    if (centre === left) out[centre * bins + m] = 1;
    else for (let j = left; j <= centre; j++) out[j * bins + m] = (j - left) / (centre - left);
    for (let j = centre; j < right; j++) out[j * bins + m] = (right - j) / (right - centre);
  }
  return out;
}

/** A window op on a device (when its size is not known at load, or it is too long for the host). */
function windowOp(c: OpContext): Tensor {
  const n = size(c, 0, 'the window size');
  return tensorOf(c, windowValues(c.node.opType, n, c.attr('periodic', 1) !== 0), [n]);
}

/** MelWeightMatrix on a device. */
function melWeightMatrix(c: OpContext): Tensor {
  const [bins, dft, rate] = [size(c, 0, 'num_mel_bins'), size(c, 1, 'dft_length'), size(c, 2, 'sample_rate')];
  return tensorOf(c, melWeights(bins, dft, rate, c.scalar(3)!, c.scalar(4)!), [Math.floor(dft / 2) + 1, bins]);
}

/**
 * The real matrix that maps a signal of `n` samples to `k` frequencies, [real parts; imaginary parts] of the
 * input (one block of rows each, one for a real input) by [real | imaginary] of the output:
 * exp(-+2 pi i f t / n), scaled by 1/n for the inverse.
 */
function dftBasis(n: number, k: number, complex: boolean, inverse: boolean): Float32Array {
  const sign = inverse ? 1 : -1;
  const scale = inverse ? 1 / n : 1;
  const out = new Float32Array((complex ? 2 : 1) * n * 2 * k);
  for (let t = 0; t < n; t++) {
    for (let f = 0; f < k; f++) {
      const angle = (2 * Math.PI * ((t * f) % n)) / n;
      const [cos, sin] = [Math.cos(angle) * scale, sign * Math.sin(angle) * scale];
      // (re + i im)(cos + i sin) = (re cos - im sin) + i (re sin + im cos)
      out[t * 2 * k + f] = cos;
      out[t * 2 * k + k + f] = sin;
      if (complex) {
        out[(n + t) * 2 * k + f] = -sin;
        out[(n + t) * 2 * k + k + f] = cos;
      }
    }
  }
  return out;
}

/** DFT along one axis of [..., 1 | 2] (real or complex), zero-padded or cut to `dft_length`. */
function dft(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const rank = x.rank;
  const complex = x.shape[rank - 1] === 2;
  const given = c.opset >= 20 ? c.scalar(2) : c.attr('axis', 1);
  const axis = given === undefined ? rank - 2 : given < 0 ? given + rank : given;
  if (axis < 0 || axis > rank - 2) throw new HearthError('E_MODEL', `${c.where}: axis ${given} is outside the signal's axes (0 to ${rank - 2}).`, { node: c.node.name });
  const length = x.shape[axis]!;
  const n = c.has(1) ? size(c, 1, 'dft_length') : length;
  const inverse = c.attr('inverse', 0) !== 0;
  const k = c.attr('onesided', 0) !== 0 ? Math.floor(n / 2) + 1 : n;
  // The signal axis last, the real and imaginary parts side by side: [rows, (1 | 2) * n].
  const perm = [...Array(rank).keys()].filter((a) => a !== axis && a !== rank - 1);
  let s = h.transpose(x, [...perm, rank - 1, axis]);
  if (n < length) s = h.slice(s, { starts: [0], ends: [n], axes: [rank - 1] });
  if (n > length) s = h.pad(s, [...Array(2 * (rank - 1)).fill(0), 0, n - length]);
  const outer = perm.map((a) => x.shape[a]!);
  const rows = h.reshape(s, [-1, (complex ? 2 : 1) * n]);
  const basis = h.tensor(dftBasis(n, k, complex, inverse), { shape: [(complex ? 2 : 1) * n, 2 * k], device: c.device });
  // [rows, 2k] -> [..., 2, k] -> the frequencies back at `axis`, [real, imaginary] last.
  const y = h.reshape(h.matmul(rows, basis), [...outer, 2, k]);
  const back = [...Array(rank - 2).keys()];
  back.splice(axis, 0, rank - 1);
  return h.transpose(y, [...back, rank - 2]);
}

/** STFT of [batch, length, 1 | 2]: frames of `frame_length` every `frame_step`, windowed, each a DFT: [batch, frames, bins, 2]. */
function stft(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const [batch, length, parts] = x.shape as [number, number, number];
  const step = size(c, 1, 'frame_step');
  const window = c.optTensor(2);
  const frame = c.has(3) ? size(c, 3, 'frame_length') : window?.shape[0];
  if (frame === undefined) throw new HearthError('E_MODEL', `${c.where}: give a window or a frame_length.`, { node: c.node.name });
  if (step < 1 || frame > length) throw new HearthError('E_MODEL', `${c.where}: frame_step ${step} and frame_length ${frame} do not fit a signal of ${length} samples.`, { node: c.node.name });
  const complex = parts === 2;
  const k = c.attr('onesided', 1) !== 0 ? Math.floor(frame / 2) + 1 : frame;
  // The DFT basis as conv weights [2k outputs, 1 | 2 input channels, 1, frame], times the window.
  const basis = dftBasis(frame, k, complex, false);
  const channels = complex ? 2 : 1;
  const w = new Float32Array(2 * k * channels * frame);
  for (let o = 0; o < 2 * k; o++) for (let ch = 0; ch < channels; ch++) for (let t = 0; t < frame; t++) w[(o * channels + ch) * frame + t] = basis[(ch * frame + t) * 2 * k + o]!;
  let weight: Tensor = h.tensor(w, { shape: [2 * k, channels, 1, frame], device: c.device });
  if (window) weight = h.mul(weight, h.reshape(window, [1, 1, 1, frame]));
  const signal = h.reshape(h.transpose(x, [0, 2, 1]), [batch, channels, 1, length]);
  const y = h.conv2d(signal, weight, null, { stride: [1, step], padding: [0, 0], dilation: [1, 1], groups: 1 });
  const frames = y.shape[3]!;
  return h.transpose(h.reshape(y, [batch, 2, k, frames]), [0, 3, 2, 1]);
}

/**
 * Signal ops (opset 17): DFT, STFT, the Hann, Hamming and Blackman windows, the mel filter bank. The windows and
 * filters are evaluated on the host (folded at load) when their sizes are known there and the result is small.
 */
export const SPECTRAL_OPS: OpTable = {
  DFT: { kind: 'decomposed', attrs: ['axis', 'inverse', 'onesided'], since: 17, run: dft } satisfies OnnxOp,
  STFT: { kind: 'decomposed', attrs: ['onesided'], since: 17, run: stft } satisfies OnnxOp,
  ...Object.fromEntries(Object.keys(WINDOWS).map((op) => [op, { kind: 'decomposed', attrs: ['output_datatype', 'periodic'], since: 17, run: windowOp } satisfies OnnxOp])),
  MelWeightMatrix: { kind: 'decomposed', attrs: ['output_datatype'], since: 17, run: melWeightMatrix } satisfies OnnxOp,
};
