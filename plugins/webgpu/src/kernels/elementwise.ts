import { broadcastStrides, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { axesLoop, grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { coalesce } from './strides.js';

/** One elementwise operation for fixed dtypes: a WGSL function `f` of the inputs' compute types. */
export interface ElementwiseOp {
  /** The operator's name, for error messages. */
  readonly name: string;
  /** Pipeline key prefix, e.g. `"add|float32"`. */
  readonly key: string;
  /** The inputs' dtypes. */
  readonly inputs: readonly DType[];
  /** The output's dtype. */
  readonly output: DType;
  /** WGSL defining `fn f(...)` (and any helpers it needs). */
  readonly wgsl: string;
}

/**
 * The elementwise template. One shader shape serves every unary, binary, select and cast operator: inputs
 * are read through broadcast strides in the shader (never copied); same-shape inputs take a `flat` pipeline
 * without index arithmetic; otherwise axes are merged first and the rank keys the pipeline.
 */
export function elementwiseSource(op: ElementwiseOp, rank: number | 'flat'): string {
  const n = op.inputs.length;
  const f16 = op.output === 'float16' || op.inputs.includes('float16');
  const bindings = op.inputs.map((d, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${gpuType(d).storage}>;`).join('\n');
  const args = (offset: (k: number) => string) => op.inputs.map((d, k) => loadExpr(d, `in${k}[${offset(k)}]`)).join(', ');
  let body: string;
  if (rank === 'flat') {
    body = `  out[i] = ${storeExpr(op.output, `f(${args(() => 'i')})`)};`;
  } else {
    const offs = op.inputs.map((_, k) => `o${k}`);
    body = `  var rem = i;
${offs.map((o) => `  var ${o} = 0u;`).join('\n')}
  ${axesLoop(rank, `    let c = rem % p(1u + ax);
    rem = rem / p(1u + ax);
${offs.map((o, k) => `    ${o} += c * p(${1 + rank * (k + 1)}u + ax);`).join('\n')}`)}
  out[i] = ${storeExpr(op.output, `f(${args((k) => offs[k]!)})`)};`;
  }
  return `${preamble(f16)}${bindings}
@group(0) @binding(${n}) var<storage, read_write> out: array<${gpuType(op.output).storage}>;
${paramsWgsl(n + 1)}
${op.wgsl}
${gridMain('p(0u)', body)}`;
}

/** Encodes `op` over `inputs` into `output`. */
export function runElementwise(backend: WebGPUBackend, op: ElementwiseOp, inputs: readonly KernelTensor[], output: KernelTensor): void {
  const size = output.size;
  if (size === 0) return;
  const outShape = output.shape;
  const same = inputs.every((t) => t.size === size);
  let key: string;
  let params: number[];
  let rank: number | 'flat';
  if (same) {
    rank = 'flat';
    key = `${op.key}|flat`;
    params = [size];
  } else {
    const strides = inputs.map((t) => broadcastStrides(t.shape, outShape.length));
    const c = coalesce(outShape, strides, op.name);
    rank = c.shape.length;
    key = `${op.key}|s${rank}`;
    params = [size, ...c.shape, ...c.strides.flat()];
  }
  const pipeline = backend.pipelines.get(key, () => elementwiseSource(op, rank));
  const storages = [...inputs.map((t) => t.storage as WebGPUStorage), output.storage as WebGPUStorage];
  backend.dispatch(pipeline, storages, params, grid(Math.ceil(size / WG), backend.limits.maxComputeWorkgroupsPerDimension));
}

/** Kernel specs for one op from a function giving its WGSL `f` per compute dtype (output dtype `out(dt)`). */
export function elementwiseKernels(
  name: string,
  dtypes: readonly DType[],
  wgsl: (dtype: DType) => string,
  out: (dtype: DType) => DType = (d) => d,
  arity = 1,
): KernelSpec<WebGPUBackend>[] {
  return dtypes.map((dtype) => {
    const op: ElementwiseOp = { name, key: `${name}|${dtype}`, inputs: new Array<DType>(arity).fill(dtype), output: out(dtype), wgsl: wgsl(dtype) };
    return { op: name, device: 'webgpu', dtypes: dtype, run: (inputs, output, _attrs, ctx) => runElementwise(ctx.backend, op, inputs, output) };
  });
}
