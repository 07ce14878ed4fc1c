/**
 * A model run many times: from its second run with the same input shapes, each node replays the kernel
 * calls it made (see OnnxModel.run). These tests hold a model's later runs to what a freshly loaded model
 * computes on the same inputs, bit for bit (the same kernels on the same data), as shapes and the values
 * read from feeds change and come back.
 */
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth, type Tensor } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { webgpuPlugin } from '@hearth/plugin-webgpu';
import nativePlugin from '@hearth/plugin-native';
import { loadOnnx, type OnnxModel } from '@hearth/onnx';
import { fixture, seeded } from './reference.js';

const { onnx } = onnxProto;

let hearths: { type: string; h: Hearth; available: boolean }[];
beforeAll(async () => {
  hearths = [
    { type: 'cpu', h: createHearth({ plugins: [cpuPlugin], backends: ['cpu'] }), available: false },
    { type: 'wasm', h: createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'] }), available: false },
    // Native storage through the C ABI, and a device that reads asynchronously, whose storage is GPU buffers
    // (llvmpipe here, where there is one).
    { type: 'native', h: createHearth({ plugins: [nativePlugin, cpuPlugin], backends: ['native', 'cpu'], fallback: 'allow' }), available: false },
    { type: 'webgpu', h: createHearth({ plugins: [webgpuPlugin, cpuPlugin], backends: ['webgpu', 'cpu'], fallback: 'allow' }), available: false },
  ];
  for (const x of hearths) x.available = (await x.h.ready()).defaultDevice === `${x.type}:0`;
}, 60_000);
afterAll(async () => {
  for (const { h } of hearths ?? []) await h.dispose();
});

async function outputs(model: OnnxModel, feeds: Record<string, Tensor>): Promise<Record<string, number[]>> {
  const out = await model.run(feeds);
  const values: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(out)) {
    values[name] = [...t.shape, ...Array.from(await t.data())];
    t.dispose();
  }
  return values;
}

describe('a model run again', () => {
  for (const type of ['cpu', 'wasm', 'native', 'webgpu']) {
    it(`on ${type}: each run gives what a fresh load gives, as the input shapes change and come back`, async ({ skip }) => {
      const { h, available } = hearths.find((x) => x.type === type)!;
      if (!available) skip(`no ${type} device here`);
      const cases = [
        { file: 'transformer.onnx', input: 'x', shapes: [[2, 5, 16], [2, 5, 16], [1, 9, 16], [2, 5, 16], [2, 5, 16]] },
        { file: 'resnet.onnx', input: 'image', shapes: [[2, 3, 16, 16], [2, 3, 16, 16], [1, 3, 16, 16], [2, 3, 16, 16]] },
      ];
      for (const c of cases) {
        const model = await loadOnnx(fixture(c.file), { hearth: h });
        for (const [i, shape] of c.shapes.entries()) {
          const x = h.tensor(seeded(shape.reduce((a, b) => a * b, 1), 5 + i), { shape });
          const fresh = await loadOnnx(fixture(c.file), { hearth: h });
          expect(await outputs(model, { [c.input]: x }), `${c.file} run ${i} on [${shape.join(', ')}]`).toEqual(await outputs(fresh, { [c.input]: x }));
          fresh.dispose();
          x.dispose();
        }
        // A wrong shape or dtype, or a disposed feed, after replays: the same coded error as on a first run, and nothing left behind.
        const wrong = h.tensor(new Float32Array(2 * 5 * 17), { shape: [2, 5, 17] });
        await expect(model.run({ [c.input]: wrong })).rejects.toMatchObject({ code: 'E_SHAPE' });
        const ints = h.tensor(new Int32Array(c.shapes[0]!.reduce((a, b) => a * b, 1)), { shape: c.shapes[0]!, dtype: 'int32' });
        await expect(model.run({ [c.input]: ints })).rejects.toMatchObject({ code: 'E_DTYPE' });
        const gone = h.tensor(new Float32Array(c.shapes[0]!.reduce((a, b) => a * b, 1)), { shape: c.shapes[0]! });
        gone.dispose();
        await expect(model.run({ [c.input]: gone })).rejects.toMatchObject({ code: 'E_DISPOSED' });
        wrong.dispose();
        ints.dispose();
        model.dispose();
      }
      expect(h.leaks()).toEqual([]);
    }, 60_000);
  }

  it('as a sequence grows run after run (a new shape every time), then comes back to shapes seen before', async () => {
    const { h } = hearths.find((x) => x.type === 'wasm')!;
    const model = await loadOnnx(fixture('transformer.onnx'), { hearth: h });
    for (const [i, seq] of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 12, 3, 12].entries()) {
      const x = h.tensor(seeded(2 * seq * 16, i), { shape: [2, seq, 16] });
      const fresh = await loadOnnx(fixture('transformer.onnx'), { hearth: h });
      expect(await outputs(model, { x }), `seq ${seq}`).toEqual(await outputs(fresh, { x }));
      fresh.dispose();
      x.dispose();
    }
    model.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it('values read from the feeds decide the work even where every shape stays the same', async () => {
    const { h } = hearths.find((x) => x.type === 'wasm')!;
    const info = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { name: 'slice', opType: 'Slice', input: ['x', 'starts', 'ends', 'axes'], output: ['s'] },
          { name: 'scale', opType: 'Mul', input: ['s', 'k'], output: ['y'] },
        ],
        input: [info('x', 1, [3, 4]), info('starts', 7, [1]), info('ends', 7, [1])],
        initializer: [
          { name: 'axes', dataType: 7, dims: [1], int64Data: [1] },
          { name: 'k', dataType: 1, dims: [1], floatData: [2] },
        ],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      },
    }).finish();
    const m = await loadOnnx(bytes, { hearth: h });
    const x = h.tensor(Float32Array.from({ length: 12 }, (_, i) => i), { shape: [3, 4] });
    const ints = (v: number) => h.tensor([v], { dtype: 'int32', shape: [1] });
    // Columns [0, 2), [2, 4), [1, 3), then [0, 2) again: always a [3, 2] result, from other columns.
    for (const start of [0, 2, 1, 0, 0]) {
      const feeds = { x, starts: ints(start), ends: ints(start + 2) };
      const { y } = await m.run(feeds);
      const want = [0, 1, 2].flatMap((r) => [2 * (4 * r + start), 2 * (4 * r + start + 1)]);
      expect(Array.from(await y!.data()), `columns from ${start}`).toEqual(want);
      for (const t of [y!, feeds.starts, feeds.ends]) t.dispose();
    }
    x.dispose();
    m.dispose();
    expect(h.leaks()).toEqual([]);
  });

  it('a profiled run after replays still lists each node with its kernels (none for a Reshape: a view of its input)', async () => {
    const { h } = hearths.find((x) => x.type === 'wasm')!;
    const model = await loadOnnx(fixture('resnet.onnx'), { hearth: h });
    const x = h.tensor(seeded(3 * 256, 1), { shape: [1, 3, 16, 16] });
    for (let i = 0; i < 3; i++) await outputs(model, { image: x });
    const out = await model.run({ image: x }, { profile: true });
    for (const t of Object.values(out)) t.dispose();
    const profile = model.lastRun!.profile!;
    expect(profile.map((p) => p.node)).toEqual(model.nodes.map((n) => n.name));
    for (const p of profile) expect(p.kernels.length, p.node).toBe(p.opType === 'Reshape' ? 0 : 1);
    x.dispose();
    model.dispose();
  });
});
