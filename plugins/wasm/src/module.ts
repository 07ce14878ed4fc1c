import { KERNELS_SHARED, KERNELS_UNSHARED, MAX_PAGES } from './generated/kernels.js';

/** The functions the WebAssembly module exports; each takes (tid, work counter address, ...) first. */
export interface KernelExports {
  binary_f32(tid: number, work: number, op: number, a: number, b: number, o: number, n: number, period: number, swap: number, inner: number): void;
  unary_f32(tid: number, work: number, op: number, a: number, o: number, n: number, alpha: number, beta: number): void;
  sum_rows_f32(tid: number, work: number, x: number, o: number, rows: number, n: number, mean: number): void;
  sum_part_f32(tid: number, work: number, x: number, n: number, partials: number): void;
  softmax_rows_f32(tid: number, work: number, x: number, o: number, rows: number, n: number, log: number): void;
  pack_a(tid: number, work: number, a: number, rs: number, cs: number, m: number, k: number, pA: number): void;
  pack_b(tid: number, work: number, b: number, rs: number, cs: number, n: number, k: number, pB: number): void;
  gemm_f32(tid: number, work: number, pA: number, pB: number, c: number, m: number, n: number, k: number, ldc: number, tiles: number): void;
  layer_norm_f32(tid: number, work: number, x: number, o: number, rows: number, n: number, scale: number, bias: number, eps: number): void;
  col2im_f32(tid: number, work: number, cols: number, o: number, og: number, h: number, w: number, oh: number, ow: number, geom: number): void;
  pool_f32(tid: number, work: number, x: number, o: number, planes: number, H: number, W: number, OH: number, OW: number, geom: number, avg: number, includePad: number): void;
  resize_f32(tid: number, work: number, x: number, o: number, planes: number, ih: number, iw: number, oh: number, ow: number, taps: number, linear: number): void;
  gemm_direct_f32(tid: number, work: number, a: number, rs: number, cs: number, aStep: number, b: number, ldb: number, bStep: number, c: number, m: number, n: number, k: number, bias: number, count: number, biasPerRow: number): void;
  strided_copy_32(tid: number, work: number, src: number, dst: number, rank: number, geom: number): void;
  conv_f32(tid: number, work: number, x: number, C: number, H: number, W: number, geom: number, pA: number, m: number, scratch: number, c: number, bias: number, tiles: number): void;
  conv_direct_f32(tid: number, work: number, xp: number, Wp: number, geom: number, pA: number, m: number, K: number, offs: number, c: number, bias: number, tiles: number): void;
  conv_depthwise_f32(tid: number, work: number, xp: number, C: number, Hp: number, Wp: number, geom: number, w: number, K: number, offs: number, c: number, bias: number, tiles: number): void;
  pad_f32(tid: number, work: number, x: number, xp: number, planes: number, H: number, W: number, ph: number, pw: number, sw: number): void;
}

/** An exported kernel's name. */
export type KernelName = keyof KernelExports;

/** Every kernel name, in a fixed order: worker threads are told which to run by index in this list. */
export const KERNEL_NAMES: readonly KernelName[] = [
  'binary_f32',
  'unary_f32',
  'sum_rows_f32',
  'sum_part_f32',
  'softmax_rows_f32',
  'pack_a',
  'pack_b',
  'gemm_f32',
  'conv_f32',
  'conv_direct_f32',
  'conv_depthwise_f32',
  'pad_f32',
  'layer_norm_f32',
  'col2im_f32',
  'pool_f32',
  'resize_f32',
  'gemm_direct_f32',
  'strided_copy_32',
];

function decode(base64: string): Uint8Array {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled module with its memory: shared when worker threads may use it. */
export interface LoadedKernels {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
}

/** The imports the module needs besides its memory (the same in every thread). */
export const hostImports = (memory: WebAssembly.Memory): WebAssembly.Imports => ({ env: { memory, log: Math.log, abort: () => undefined } });

/** Compiles and instantiates the kernels; `shared` picks the shared-memory build. */
export async function loadKernels(shared: boolean): Promise<LoadedKernels> {
  const module = await WebAssembly.compile(decode(shared ? KERNELS_SHARED : KERNELS_UNSHARED) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared });
  const instance = await WebAssembly.instantiate(module, hostImports(memory));
  return { module, memory, exports: instance.exports as unknown as KernelExports };
}
