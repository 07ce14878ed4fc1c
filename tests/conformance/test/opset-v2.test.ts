import { describe, expect, it } from 'vitest';
import { CPU_KERNELS, CpuBackend, cpuPlugin, manifest as cpuManifest, type CpuStorage } from '@hearth/plugin-cpu';
import { createHearth, getOp, type HearthPlugin, type KernelFn, type KernelSpec } from '@hearth/core';
import { runConformance } from '../src/index.js';

/**
 * A fused layer_norm over the last axis (scale and bias optional), float32: one pass per row in float64,
 * the way a vendor's fused kernel would be written. `unbiased` divides the variance by n - 1: a classic
 * mistake, about 1/(2n) off in relative terms, far beyond the composite's bound.
 */
function fusedLayerNorm(unbiased = false): KernelFn {
  return ([x, scale, bias], out, attrs) => {
    const a = (x!.storage as CpuStorage).data;
    const s = scale && (scale.storage as CpuStorage).data;
    const b = bias && (bias.storage as CpuStorage).data;
    const o = (out.storage as CpuStorage).data;
    const axis = (attrs['axis'] as number) < 0 ? (attrs['axis'] as number) + x!.shape.length : (attrs['axis'] as number);
    const n = x!.shape.slice(axis).reduce((p, d) => p * d, 1);
    for (let row = 0; row * n < a.length; row++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += a[row * n + i]!;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (a[row * n + i]! - mean) ** 2;
      v /= unbiased ? n - 1 : n;
      const inv = 1 / Math.sqrt(v + (attrs['epsilon'] as number));
      for (let i = 0; i < n; i++) {
        const k = i % (s?.length || 1);
        o[row * n + i] = (a[row * n + i]! - mean) * inv * (s ? s[k]! : 1) + (b ? b[i % b.length]! : 0);
      }
    }
  };
}

/** The CPU plugin plus a fused layer_norm for float32, under another name. */
function withFused(name: string, run: KernelFn): HearthPlugin {
  const fused: KernelSpec = { op: 'layer_norm', device: 'cpu', dtypes: ['float32'], run };
  return {
    manifest: { ...cpuManifest, name },
    register(host) {
      host.registerBackend({ type: 'cpu', create: () => new CpuBackend() });
      for (const k of [...CPU_KERNELS, fused]) host.registerKernel(k);
    },
  };
}

/** The CPU backend under the device type `legacy`. */
class LegacyBackend extends CpuBackend {
  override readonly info = { type: 'legacy', name: 'a device of opset 1', vendor: 'legacy', software: true };
}

/** A plugin written for opset 1: only v1 kernels, no `opset` in its manifest, on a device type of its own. */
const legacy: HearthPlugin = {
  manifest: { name: '@legacy/v1-device', version: '1.0.0', vendor: 'legacy', deviceTypes: ['legacy'], coreApi: '^1.0.0' },
  register(host) {
    host.registerBackend({ type: 'legacy', create: () => new LegacyBackend() });
    for (const k of CPU_KERNELS) if ((getOp(k.op).since ?? 1) === 1) host.registerKernel({ ...k, device: 'legacy' });
  },
};

describe('opset v2: composites, fused kernels and older plugins', () => {
  it('checks a fused layer_norm against the decomposition: a right one passes, one off beyond the bound fails', async () => {
    const good = await runConformance({ plugin: withFused('@acme/fused-ln', fusedLayerNorm()), queries: ['hearth:op,layer_norm:dtype=float32;*'] });
    expect(good.reasons).toEqual([]);
    expect(good.results.filter((r) => r.status === 'pass').length).toBeGreaterThan(10);

    const bad = await runConformance({ plugin: withFused('@acme/fused-ln-wrong', fusedLayerNorm(true)), queries: ['hearth:op,layer_norm:dtype=float32;*'] });
    expect(bad.verdict).toBe('fail');
    const basic = bad.results.find((r) => r.id === 'hearth:op,layer_norm:dtype=float32;case=basic')!;
    expect(basic.status).toBe('fail');
    expect(basic.message).toMatch(/out of bound/);
    expect(basic.failure?.contract).toMatch(/decomposition/);
  });

  it('explain says whether a composite runs fused or decomposed, and where each step runs', async () => {
    const h = createHearth({ plugins: [withFused('@acme/fused-ln', fusedLayerNorm())] });
    await h.ready();
    const x = { shape: [2, 4], dtype: 'float32' as const };
    expect(h.explain('layer_norm', [x])).toMatchObject({ runs: 'fused', kernel: { plugin: '@acme/fused-ln' } });
    const silu = h.explain('silu', [x]);
    expect(silu.runs).toBe('decomposed');
    expect(silu.decomposition).toEqual(['sigmoid(float32) on cpu:0: kernel by @acme/fused-ln', 'mul(float32) on cpu:0: kernel by @acme/fused-ln']);
    expect(h.explain('layer_norm', [{ shape: [2, 4], dtype: 'float64' }]).runs).toBe('decomposed');
    await h.dispose();
  });

  it('keeps a v1 plugin loading on a v2 core: composites decompose on its device, new primitives fall back', async () => {
    const h = createHearth({ plugins: [cpuPlugin, legacy], backends: ['legacy', 'cpu'], fallback: { policy: 'allow' } });
    const ready = await h.ready();
    expect(ready.plugins.map((p) => p.status)).toEqual(['loaded', 'loaded']);
    const x = h.tensor([1, 2, 3, 4], { shape: [1, 4], device: 'legacy' });
    const y = h.layer_norm(x);
    expect(h.explain('layer_norm', [x]).runs).toBe('decomposed');
    expect(y.device).toBe('legacy:0');
    expect(Array.from(await y.data()).map((v) => +v.toFixed(4))).toEqual([-1.3416, -0.4472, 0.4472, 1.3416]);
    const fellBack: string[] = [];
    h.on('fallback', (e) => fellBack.push(`${e.op} ${e.from} -> ${e.to}`));
    const e = h.erf(x);
    expect(fellBack).toEqual(['erf legacy:0 -> cpu:0']);
    expect(e.device).toBe('legacy:0');
    await h.dispose();
  });

  it('certifies a v1 plugin for opset 1: opset 2 cases are skipped, not failed', async () => {
    const run = await runConformance({ plugin: legacy, queries: ['hearth:op,add:dtype=float32;*', 'hearth:op,erf:*', 'hearth:op,layer_norm:*'] });
    expect(run.verdict).toBe('pass');
    expect(run.opsetVersion).toBe(1);
    expect(run.plugin.opset).toBe(1);
    const skipped = run.results.filter((r) => r.status === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((r) => r.op === 'erf' || r.op === 'layer_norm')).toBe(true);
    expect(skipped[0]!.message).toMatch(/opset 2 operator; @legacy\/v1-device declares opset 1/);
    expect(run.results.filter((r) => r.op === 'add').every((r) => r.status === 'pass')).toBe(true);
  });
});
