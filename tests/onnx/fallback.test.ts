/**
 * Per-op fallback through a model: a device without some kernels runs the rest of the model itself, and the
 * runtime's fallback policy decides about the missing ones, node by node.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, HearthError, type FallbackPolicy, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { loadOnnx } from '@hearth/onnx';
import { fixture, runOrt, seeded, worst } from './reference.js';

/** The wasm plugin without its kernels of `ops`, as a vendor with partial coverage would ship it. */
function without(plugin: HearthPlugin, ops: readonly string[]): HearthPlugin {
  return { manifest: plugin.manifest, register: (host) => plugin.register({ ...host, registerKernel: (spec) => (ops.includes(spec.op) ? undefined : host.registerKernel(spec)) }) };
}

async function runtime(policy: FallbackPolicy) {
  const h = createHearth({ plugins: [without(wasmPlugin, ['relu', 'max_pool2d']), cpuPlugin], backends: ['wasm', 'cpu'], fallback: policy });
  await h.ready();
  return h;
}

describe('a model on a device that lacks some kernels', () => {
  it('policy allow: the missing ops run on the CPU, node by node; the rest on wasm; results stay right', async () => {
    const h = await runtime('allow');
    const data = seeded(2 * 3 * 16 * 16, 3);
    const model = await loadOnnx(fixture('resnet.onnx'), { hearth: h });
    expect(model.device).toBe('wasm:0');
    const image = h.tensor(data, { shape: [2, 3, 16, 16] });
    const { probs } = await model.run({ image }, { profile: true });
    expect(probs!.device).toBe('wasm:0');
    const ref = await runOrt(fixture('resnet.onnx'), { image: { data, shape: [2, 3, 16, 16] } });
    expect(worst(await probs!.data(), ref['probs']!.data, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
    const profile = model.lastRun!.profile!;
    const fellBack = profile.filter((p) => p.fallbacks > 0).map((p) => p.opType);
    expect(new Set(fellBack)).toEqual(new Set(['Relu', 'MaxPool']));
    expect(profile.find((p) => p.opType === 'MaxPool')!.kernels.map((k) => k.device)).toEqual(['cpu:0']);
    expect(profile.find((p) => p.opType === 'Conv')!.kernels.map((k) => k.device)).toEqual(['wasm:0']);
    await h.dispose();
  });

  it('policy error: a coded error naming the first node that cannot run, and nothing left allocated', async () => {
    const h = await runtime('error');
    const model = await loadOnnx(fixture('resnet.onnx'), { hearth: h });
    const image = h.ones([1, 3, 16, 16]);
    const e = await model.run({ image }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(HearthError);
    expect((e as HearthError).code).toBe('E_NO_KERNEL');
    expect((e as HearthError).message).toMatch(/node "stem\.relu" \(Relu, opset 13\)/);
    image.dispose();
    model.dispose();
    expect(h.leaks()).toEqual([]);
    await h.dispose();
  });
});
