import type { DType, KernelSpec } from '@hearth/core';
import { arr } from './util.js';
import { erf, gelu, roundHalfEven, sigmoid } from './math.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];

/** One elementwise kernel from a scalar function. */
export function unaryKernel(op: string, fn: (x: number) => number, dtypes: readonly DType[]): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes,
    run([x], out) {
      const a = arr(x!);
      const o = arr(out);
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let i = 0; i < o.length; i++) o[i] = fn(a[i]!);
    },
  };
}

const identityOnInt = (op: string, fn: (x: number) => number): KernelSpec[] => [unaryKernel(op, fn, FLOATS), unaryKernel(op, (x) => x, ['int32'])];

/** The unary family. int32 results wrap through the Int32Array store. */
export const UNARY_KERNELS: readonly KernelSpec[] = [
  unaryKernel('neg', (x) => -x, NUMERIC),
  unaryKernel('abs', Math.abs, NUMERIC),
  unaryKernel('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x), NUMERIC),
  unaryKernel('exp', Math.exp, FLOATS),
  unaryKernel('log', Math.log, FLOATS),
  unaryKernel('sqrt', Math.sqrt, FLOATS),
  unaryKernel('rsqrt', (x) => 1 / Math.sqrt(x), FLOATS),
  unaryKernel('reciprocal', (x) => 1 / x, FLOATS),
  unaryKernel('sin', Math.sin, FLOATS),
  unaryKernel('cos', Math.cos, FLOATS),
  unaryKernel('tanh', Math.tanh, FLOATS),
  unaryKernel('sigmoid', sigmoid, FLOATS),
  unaryKernel('relu', (x) => (x > 0 || Number.isNaN(x) ? x : 0), NUMERIC),
  unaryKernel('gelu', gelu, FLOATS),
  ...identityOnInt('floor', Math.floor),
  ...identityOnInt('ceil', Math.ceil),
  ...identityOnInt('round', roundHalfEven),
  unaryKernel('erf', erf, FLOATS),
];
