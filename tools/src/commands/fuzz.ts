import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import ms from 'ms';
import { HearthError } from '@hearth/core';
import { drawFreshSeed, fuzzPlugins, loadPlugin, reproJson, type FuzzResult } from '@hearth/conformance';

/** Options of `hearth fuzz`, as parsed. */
export interface FuzzCliOptions {
  /** The plugin under test. */
  plugin: string;
  /** What it is compared with. */
  against: string;
  /** The plugin's device type. */
  device?: string;
  /** The other plugin's device type. */
  againstDevice?: string;
  /** How long to search, in ms. */
  time: number;
  /** The seed (drawn fresh when left out). */
  seed?: number;
  /** At most this many programs. */
  programs?: number;
  /** Only these ops. */
  op?: string[];
  /** Where the reproduction goes. */
  out: string;
  /** Print the result as JSON. */
  json?: boolean;
}

function duration(v: string): number {
  const t = /^\d+$/.test(v) ? Number(v) * 1000 : ms(v as ms.StringValue);
  if (!(typeof t === 'number' && t > 0)) throw new HearthError('E_ARG', `--time takes a duration such as 60s, 5m or 500ms (a bare number is seconds), got "${v}".`);
  return t;
}

function nonNegativeInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new HearthError('E_ARG', `--${name} takes an integer from 0 to ${max}, got "${v}".`);
    return n;
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Runs `hearth fuzz` with parsed options; returns the exit code: 0 when the plugins agreed for the whole
 * time, 1 when a disagreement was found (its shrunk reproduction written to `--out`).
 */
export async function runFuzzCommand(opts: FuzzCliOptions): Promise<number> {
  const seed = opts.seed ?? drawFreshSeed();
  const [plugin, against] = await Promise.all([loadPlugin(opts.plugin), loadPlugin(opts.against)]);
  if (!opts.json) console.error(`hearth fuzz: ${plugin.manifest.name} against ${against.manifest.name}, seed ${seed}, for ${ms(opts.time, { long: true })}`);
  const result: FuzzResult = await fuzzPlugins({
    plugin,
    against,
    ...(opts.device ? { device: opts.device } : {}),
    ...(opts.againstDevice ? { againstDevice: opts.againstDevice } : {}),
    timeMs: opts.time,
    seed,
    ...(opts.programs !== undefined ? { maxPrograms: opts.programs } : {}),
    ...(opts.op?.length ? { ops: opts.op } : {}),
  });
  const d = result.disagreement;
  if (d) {
    const file = resolve(opts.out);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, reproJson(d.repro));
  }
  if (opts.json) {
    console.log(JSON.stringify({ ...result, ...(d ? { reproFile: resolve(opts.out) } : {}) }, null, 1));
    return d ? 1 : 0;
  }
  console.log(`${result.programs} programs (${result.calls} calls on each plugin) in ${(result.timeMs / 1000).toFixed(1)} s: ${result.programsPerSecond} programs/s over ${result.pairs.length} (op, dtype) pairs`);
  if (result.bothFailed) console.log(`${result.bothFailed} call(s) were outside the bounds on both plugins alike (not counted as a disagreement).`);
  if (!d) {
    console.log(`No disagreement. Replay this search with --seed ${seed}; run again without --seed for new programs.`);
    return 0;
  }
  console.log(`\nDisagreement, shrunk ${d.shrinks} time(s) to ${d.repro.calls.length} call(s): ${d.repro.found}`);
  console.log(`Reproduction: ${resolve(opts.out)}`);
  console.log(`rerun: hearth conformance --plugin ${opts.plugin}${opts.device ? ` --device ${opts.device}` : ''} --repro ${opts.out}`);
  return 1;
}

/** `hearth fuzz`: differential fuzzing of a plugin against another (the reference CPU plugin by default). */
export function fuzzCommand(): Command {
  return new Command('fuzz')
    .description('Differential fuzzing: random programs on two plugins, each judged by the conformance oracle; a disagreement is shrunk to a reproduction')
    .requiredOption('--plugin <package|path>', 'the plugin under test')
    .option('--against <package|path>', 'the plugin to compare with', '@hearth/plugin-cpu')
    .option('--device <type>', "the plugin's device type (default: its first)")
    .option('--against-device <type>', "the other plugin's device type (default: its first)")
    .option('--time <duration>', 'how long to search: 60s, 5m, 500ms', duration, 60_000)
    .option('--seed <n>', 'replay a search (default: a fresh seed, printed)', nonNegativeInt('seed', 0xffff_ffff))
    .option('--programs <n>', 'stop after this many programs', nonNegativeInt('programs', 2 ** 31 - 1))
    .option('--op <name>', 'only this op (repeatable)', collect)
    .option('--out <file>', 'where the reproduction of a disagreement goes', 'fuzz-repro.json')
    .option('--json', 'print the result as JSON')
    .action(async (opts: FuzzCliOptions) => {
      process.exitCode = await runFuzzCommand(opts);
    });
}
