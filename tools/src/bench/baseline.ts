import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Hearth, HearthPlugin, createHearth as CreateHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { formatTable } from '../table.js';
import { oneElementAddNs } from './dispatch.js';
import { cpuNsPerOp } from './timing.js';

const ROUNDS = 15;

/**
 * `HEARTH_BENCH_BASELINE=<another build of @hearth/core's dist/index.js> npm run bench -- dispatch`: the
 * 1-element add on cpu:0 through this core and through the baseline build, in one process, alternating
 * rounds so that both see the same machine state. The CPU plugin is the same object for both. Reports
 * each core's median and the change.
 */
export async function compareWithBaseline(baselinePath: string): Promise<void> {
  const baseline = (await import(pathToFileURL(resolve(baselinePath)).href)) as { createHearth: typeof CreateHearth };
  const { createHearth } = await import('@hearth/core');
  const make = async (create: typeof CreateHearth) => {
    const h = create({ plugins: [cpuPlugin as HearthPlugin], backends: ['cpu'] });
    await h.ready();
    return h;
  };
  const runtimes: [string, Hearth][] = [
    ['this core', await make(createHearth)],
    ['baseline', await make(baseline.createHearth)],
  ];
  const ns: number[][] = runtimes.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < runtimes.length; i++) ns[i]!.push(await oneElementAddNs(runtimes[i]![1], 'cpu:0', 50_000, cpuNsPerOp));
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const best = (xs: number[]) => Math.min(...xs);
  const [mine, base] = ns.map(median) as [number, number];
  console.log(`dispatch: 1-element float32 add on cpu:0, this core vs ${baselinePath}, ${ROUNDS} alternating rounds (each the median of 7 runs of 50000 calls, in CPU time: a busy machine's other processes don't count)`);
  console.log(
    formatTable(
      ['core', 'us/op (median of rounds)', 'best round', 'rounds (us/op)'],
      runtimes.map(([name], i) => [name, (median(ns[i]!) / 1000).toFixed(3), (best(ns[i]!) / 1000).toFixed(3), ns[i]!.map((x) => (x / 1000).toFixed(3)).join(' ')]),
    ),
  );
  const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  console.log(`change: ${pct(mine, base)} (medians), ${pct(best(ns[0]!), best(ns[1]!))} (best rounds)`);
}
