import { it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { loadOnnx } from '@hearth/onnx';
import { seeded, worst } from './reference.js';
it('silero', async () => {
  const file = '/tmp/k25npm/silero_vad_v5.onnx';
  const s = await ort.InferenceSession.create(file);
  const h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] }); await h.ready();
  const m = await loadOnnx(file, { hearth: h });
  for (const [sr, n] of [[16000, 576], [8000, 288], [16000, 576]] as const) {
    const x = seeded(n, 5).map((v) => v * 0.3);
    const st = seeded(256, 6).map((v) => v * 0.5);
    const r = await s.run({ input: new ort.Tensor('float32', x, [1, n]), sr: new ort.Tensor('int64', BigInt64Array.from([BigInt(sr)]), []), state: new ort.Tensor('float32', st, [2, 1, 128]) });
    const t0 = performance.now();
    const out = await m.run({ input: h.tensor(x, { shape: [1, n] }), sr: h.tensor(Int32Array.from([sr]), { dtype: 'int32', shape: [] }), state: h.tensor(st, { shape: [2, 1, 128] }) });
    const ms = performance.now() - t0;
    for (const k of Object.keys(r)) console.log('RES', sr, n, k, r[k]!.dims, out[k]?.shape, worst(await out[k]!.data(), r[k]!.data as Float32Array, 1e-4, 1e-3), ms.toFixed(1));
  }
}, 120000);
