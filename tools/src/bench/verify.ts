import { createHearth, DEFAULT_VERIFY_RATE, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { formatTable } from '../table.js';
import { oneElementAddNs } from './dispatch.js';
import { msPerCall } from './timing.js';

/** A small model step on wasm: a 128×128 matmul, a softmax and a sum, each read back (the program yields). */
async function modelStepsMs(h: Hearth, steps: number): Promise<number> {
  const a = h.tensor(Array.from({ length: 128 * 128 }, (_, i) => Math.sin(i)), { shape: [128, 128] });
  const ms = await msPerCall(async () => {
    for (let i = 0; i < steps; i++) {
      const y = h.scope(() => h.sum(h.softmax(h.matmul(a, a), -1), 1));
      await y.data();
      y.dispose();
    }
    await h.verified();
  });
  a.dispose();
  return ms / steps;
}

/**
 * `npm run bench -- verify`: what field checks (`createHearth({ verify })`) cost on wasm: the dispatcher's
 * per-call overhead (a 1-element add) and a small model step with reads (the sampled calls re-run on the
 * CPU plugin in the background, counted here by waiting for them), off, at the default rate and at 1%.
 */
export async function benchVerify(): Promise<void> {
  const rows: string[][] = [];
  let base: [number, number] | undefined;
  for (const rate of [0, DEFAULT_VERIFY_RATE, 0.01]) {
    const h = createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'], verify: rate === 0 ? false : { rate } });
    await h.ready();
    const addNs = await oneElementAddNs(h, 'wasm:0', 200_000);
    const stepMs = await modelStepsMs(h, 200);
    const stats = h.verification();
    base ??= [addNs, stepMs];
    rows.push([
      rate === 0 ? 'off' : `${rate}${rate === DEFAULT_VERIFY_RATE ? ' (default)' : ''}`,
      (addNs / 1000).toFixed(3),
      `${(((addNs - base[0]) / base[0]) * 100).toFixed(1)}%`,
      stepMs.toFixed(3),
      `${(((stepMs - base[1]) / base[1]) * 100).toFixed(1)}%`,
      stats ? `${stats.checked} / ${stats.sampled}` : '-',
    ]);
    await h.dispose();
  }
  console.log('verify: field checks on wasm:0 against the CPU plugin; 1-element add (median of 7 x 200000 calls), model step = matmul 128x128 + softmax + sum, read back (median of 5 x 200 steps)');
  console.log(formatTable(['rate', 'add us/op', 'overhead', 'step ms', 'overhead', 'checked / sampled'], rows));
}
