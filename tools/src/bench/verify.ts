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

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `npm run bench -- verify`: what field checks (`createHearth({ verify })`) cost on wasm: the dispatcher's
 * per-call overhead (a 1-element add) and a small model step with reads (the sampled calls re-run on the
 * CPU plugin in the background, counted here by waiting for them), off, at the default rate and at 1%.
 * The runtimes are measured in turn, five rounds, so drift in the machine's load hits each alike.
 */
export async function benchVerify(): Promise<void> {
  const rates = [0, DEFAULT_VERIFY_RATE, 0.01];
  const runtimes = rates.map((rate) => createHearth({ plugins: [wasmPlugin, cpuPlugin], backends: ['wasm'], verify: rate === 0 ? false : { rate } }));
  for (const h of runtimes) await h.ready();
  const add: number[][] = rates.map(() => []);
  const step: number[][] = rates.map(() => []);
  for (let round = 0; round < 5; round++) {
    for (const [i, h] of runtimes.entries()) {
      add[i]!.push(await oneElementAddNs(h, 'wasm:0', 100_000));
      await h.verified(); // the add loop's checks are not the model step's
      step[i]!.push(await modelStepsMs(h, 100));
    }
  }
  const [addOff, stepOff] = [median(add[0]!), median(step[0]!)];
  const rows = rates.map((rate, i) => {
    const [a, s] = [median(add[i]!), median(step[i]!)];
    const stats = runtimes[i]!.verification();
    return [
      rate === 0 ? 'off' : `${rate}${rate === DEFAULT_VERIFY_RATE ? ' (default)' : ''}`,
      (a / 1000).toFixed(3),
      `${(((a - addOff) / addOff) * 100).toFixed(1)}%`,
      s.toFixed(3),
      `${(((s - stepOff) / stepOff) * 100).toFixed(1)}%`,
      stats ? `${stats.checked} / ${stats.sampled}` : '-',
    ];
  });
  for (const h of runtimes) await h.dispose();
  console.log('verify: field checks on wasm:0 against the CPU plugin, 5 interleaved rounds (medians); 1-element add: 100000 calls; model step = matmul 128x128 + softmax + sum, read back: 100 steps');
  console.log(formatTable(['rate', 'add us/op', 'overhead', 'step ms', 'overhead', 'checked / sampled'], rows));
}
