import { describe, expect, it } from 'vitest';
import { CPU_KERNELS, CpuBackend, type CpuStorage } from '@hearth/plugin-cpu';
import { CORE_API_VERSION, type DType, type HearthPlugin, type HostArray, type KernelSpec } from '@hearth/core';
import { runConformance, FAILING } from '../src/index.js';

/** float32 → float16 by bits, round to nearest even (written here, apart from the suite's own rounding). */
function f16(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const b = view.getUint32(0);
  const sign = b >>> 31;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return mant ? NaN : sign ? -Infinity : Infinity;
  const e = exp - 127 + 15;
  let h: number;
  if (e >= 31) h = 0x7c00;
  else if (e <= 0) {
    if (e < -10) h = 0;
    else {
      mant |= 0x800000;
      const shift = 14 - e;
      let m = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && m & 1)) m++;
      h = m;
    }
  } else {
    const m = mant >>> 13;
    const rem = mant & 0x1fff;
    h = (e << 10) | m;
    if (rem > 0x1000 || (rem === 0x1000 && m & 1)) h++; // a carry into the exponent is right, up to Inf
  }
  const he = (h >>> 10) & 0x1f;
  const hm = h & 0x3ff;
  const v = he === 0 ? hm * 2 ** -24 : he === 31 ? (hm ? NaN : Infinity) : (1 + hm / 1024) * 2 ** (he - 15);
  return sign ? -v : v;
}

const roundStorage = (a: HostArray) => {
  for (let i = 0; i < a.length; i++) a[i] = f16(a[i]!);
};

/** The CPU backend storing float16 (as float16-rounded float32, as a GPU without shader-f16 would). */
class Float16CpuBackend extends CpuBackend {
  override readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool', 'float64', 'float16'];
  override write(storage: CpuStorage, dtype: DType, data: HostArray): void {
    super.write(storage, dtype, data);
    if (dtype === 'float16') roundStorage(storage.data);
  }
}

/** Every float32 CPU kernel also registered for float16: computed in float32, the result rounded to float16. */
const float16Plugin: HearthPlugin = {
  manifest: { name: '@emulated/float16', version: '1.0.0', vendor: 'test', deviceTypes: ['cpu'], coreApi: `^${CORE_API_VERSION}`, opset: 2 },
  register(host) {
    host.registerBackend({ type: 'cpu', create: () => new Float16CpuBackend() });
    for (const k of CPU_KERNELS) {
      const run: KernelSpec['run'] = (inputs, out, attrs, ctx) => {
        k.run(inputs, out, attrs, ctx);
        if (out.dtype === 'float16') roundStorage((out.storage as CpuStorage).data);
      };
      host.registerKernel({ ...k, run });
      const ds = typeof k.dtypes === 'string' ? [k.dtypes] : k.dtypes;
      if (ds.includes('float32')) host.registerKernel({ ...k, dtypes: ['float16'], run });
    }
  },
};

describe('the float16 profile', () => {
  it('a correct float16 emulation (float32 compute, float16 storage) passes it with float16-sized bounds', async () => {
    const run = await runConformance({ plugin: float16Plugin, profile: 'float16' });
    const failing = run.results.filter((r) => FAILING.includes(r.status));
    expect(failing.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(run.counts.pass).toBe(run.results.length);
  });
});
