import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { describeError, HearthError, isErrorCode } from '@hearth/core';
import { prepareCertification } from './certify.js';
import { claimedProfile } from '../plugins.js';
import { onnxModelRunner } from '../model-runner.js';
import {
  ProgressBar,
  describeFailure,
  drawFreshSeed,
  externalizeInputs,
  resultsJsonPieces,
  writeJsonFile,
  runConformance,
  selectCases,
  writeReports,
  FAILING,
  PROFILES,
  SUITE_VERSION,
  missingBlock,
  type RunResult,
} from '@hearth/conformance';

/** Options of `hearth conformance`, as parsed. */
export interface ConformanceCliOptions {
  /** Plugin package or path. */
  plugin: string;
  /** Device type. */
  device?: string;
  /** Case queries. */
  query?: string[];
  /** Profile name. */
  profile?: string;
  /** Expectations file. */
  expectations?: string;
  /** Certification run. */
  certify?: boolean;
  /** Report directory. */
  report?: string;
  /** Print results JSON. */
  json?: boolean;
  /** Print the selected case IDs only. */
  list?: boolean;
  /** A shard, k/n. */
  shard?: string;
  /** Per-case timeout in ms. */
  timeout: number;
  /** With --certify: the signer key that signs the bundle. */
  signKey?: string;
  /** With --sign-key: the bundle folder. */
  bundle?: string;
  /** With --sign-key: the package tarball whose integrity is certified. */
  package?: string;
  /** Adds property draws from this seed (`random`: one drawn now). */
  freshSeed?: number | 'random';
  /** A reproduction file to run instead of the suite's cases. */
  repro?: string;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new HearthError('E_ARG', `--timeout must be a positive number of milliseconds, got "${v}".`);
  return n;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function seedArg(v: string): number | 'random' {
  const n = Number(v);
  if (v === 'random') return v;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) throw new HearthError('E_ARG', `--fresh-seed takes "random" or an integer from 0 to 4294967295, got "${v}".`);
  return n;
}

/** Where inputs too large to print go when no report dir is given (git-ignored). */
const SCRATCH_DIR = '.conformance';

/** Prints the failures of a run with their reproduction details, saving large inputs under `dir`. */
function printFailures(run: RunResult, dir: string | undefined): void {
  const failing = run.results.filter((r) => FAILING.includes(r.status));
  if (failing.length === 0) return;
  let shown = run;
  if (!dir) {
    const ext = externalizeInputs(run);
    for (const [name, saved] of ext.files) {
      const path = join(SCRATCH_DIR, name);
      mkdirSync(dirname(path), { recursive: true });
      writeJsonFile(path, saved);
    }
    shown = ext.run;
  }
  const base = dir ?? SCRATCH_DIR;
  for (const r of shown.results.filter((x) => FAILING.includes(x.status))) {
    const withPath = r.failure?.inputsFile ? { ...r, failure: { ...r.failure, inputsFile: join(base, r.failure.inputsFile) } } : r;
    console.log(`\n${describeFailure(shown, withPath)}`);
  }
}

/**
 * Prints text given in pieces, in chunks cut at line ends: a run with many large failures is longer than
 * any one string may be, so it never becomes one.
 */
function printPieces(pieces: Iterable<string>): void {
  let text = '';
  for (const piece of pieces) {
    text += piece;
    const cut = text.length >= 1 << 16 ? text.lastIndexOf('\n') : -1;
    if (cut >= 0) {
      console.log(text.slice(0, cut));
      text = text.slice(cut + 1);
    }
  }
  console.log(text);
}

/**
 * Runs `hearth conformance` with parsed options and returns the exit code: 0 when the verdict is pass,
 * 1 when it is fail. Bad input (unknown profile, a query matching nothing, a malformed expectations file,
 * a path that is not a plugin) throws a HearthError before any report is written.
 */
export async function runConformanceCommand(given: ConformanceCliOptions): Promise<number> {
  const opts = { ...given, profile: given.profile ?? claimedProfile(given.plugin) ?? 'core' };
  const queries = opts.query ?? [];
  if (opts.signKey && !opts.certify) throw new HearthError('E_ARG', '--sign-key signs a certification bundle: add --certify (a bundle is only made from a certification run).');
  if (opts.signKey && opts.freshSeed !== undefined) throw new HearthError('E_ARG', "--fresh-seed adds cases outside the suite's fixed list, which a certification bundle must match exactly: drop one of --fresh-seed and --sign-key.");
  const freshSeed = opts.freshSeed === 'random' ? drawFreshSeed() : opts.freshSeed;
  const writeBundle = opts.signKey ? prepareCertification({ plugin: opts.plugin, profile: opts.profile, signKey: opts.signKey, ...(opts.bundle ? { bundle: opts.bundle } : {}), ...(opts.package ? { packageFile: opts.package } : {}) }) : undefined;
  if (opts.list) {
    const { cases } = selectCases({ ...(opts.repro ? { repro: opts.repro } : {}), profile: opts.profile, queries, ...(opts.shard ? { shard: opts.shard } : {}), ...(opts.certify ? { certify: true } : {}), ...(freshSeed !== undefined ? { freshSeed } : {}) });
    for (const c of cases) console.log(c.id);
    return 0;
  }
  const reportDir = opts.report ?? (opts.certify ? 'reports/conformance' : undefined);
  const bar = !opts.json && process.stderr.isTTY ? new ProgressBar(process.stderr, 'conformance') : undefined;
  let failures = 0;
  const run = await runConformance({
    plugin: opts.plugin,
    ...(opts.device ? { device: opts.device } : {}),
    profile: opts.profile,
    queries,
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.expectations ? { expectations: opts.expectations } : {}),
    ...(opts.repro ? { repro: opts.repro } : {}),
    certify: opts.certify ?? false,
    ...(freshSeed !== undefined ? { freshSeed } : {}),
    timeoutMs: opts.timeout,
    models: onnxModelRunner,
    onProgress: (done, total, last) => {
      if (FAILING.includes(last.status)) failures++;
      bar?.update(done, total, last.id, failures);
    },
  });
  bar?.done();
  const written = reportDir ? writeReports(run, resolve(reportDir)) : undefined;
  if (!run.init.ok) {
    // One error, not a failure per case: nothing ran, and the cause is the device, not the cases.
    const where = written ? ` The report is in ${join(written.dir, 'index.html')}.` : '';
    throw new HearthError(
      isErrorCode(run.init.code) ? run.init.code : 'E_BACKEND_INIT',
      `${run.plugin.name}@${run.plugin.version}: the ${run.device.type} device could not start, so no case ran: ${describeError(run.init.reason ?? 'no reason given')}. Fix what stops the device (a driver, a library, the machine) and run again.${where}`,
      { plugin: run.plugin.name, device: run.device.type },
    );
  }
  if (opts.json) {
    printPieces(resultsJsonPieces(written?.run ?? run));
    return run.verdict === 'pass' ? 0 : 1;
  }
  console.log(
    `hearth conformance ${SUITE_VERSION}: ${run.plugin.name}@${run.plugin.version} on ${run.device.name ?? run.device.type}, profile ${run.profile.name}${run.selection.certify ? ' (certification)' : ''}`,
  );
  if (run.suite.freshSeed !== undefined) console.log(`Fresh property draws from seed ${run.suite.freshSeed} (replay them with --fresh-seed ${run.suite.freshSeed})`);
  printFailures(written?.run ?? run, reportDir);
  const missing = missingBlock(run);
  if (missing) console.log(`\n${missing}`);
  const counts = Object.entries(run.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
  console.log(`\n${run.results.length} cases in ${(run.durationMs / 1000).toFixed(1)} s: ${counts}`);
  console.log(`Verdict: ${run.verdict.toUpperCase()}${run.reasons.length ? ` (${run.reasons.join('; ')})` : ''}`);
  if (written) console.log(`Report: ${join(written.dir, 'index.html')} (results.json, junit.xml, summary.md)`);
  if (writeBundle) console.log(run.verdict === 'pass' ? `Certification bundle: ${writeBundle(run)}` : 'No certification bundle: the run did not pass.');
  return run.verdict === 'pass' ? 0 : 1;
}

/** `hearth conformance`: runs the conformance suite on a plugin, in a child process, and writes reports. */
export function conformanceCommand(): Command {
  return new Command('conformance')
    .description('Run the conformance suite on a backend plugin (crash-isolated in a child process)')
    .option('--plugin <package|path>', 'the plugin: an installed package name or a built module path', '@hearth/plugin-cpu')
    .option('--device <type>', "the device type to test (default: the plugin's first)")
    .option('--query <query>', 'run only cases matching a query, e.g. "hearth:op,add:*" (repeatable)', collect)
    .addOption(new Option('--profile <name>', "the profile (default: the first of the plugin package's hearth.profiles, else core)").choices(PROFILES.map((p) => p.name)))
    .option('--expectations <file>', 'known failures (YAML or JSON; ignored with --certify)')
    .option('--certify', 'a certification run: the whole profile, no expectations, no skips')
    .option('--report <dir>', 'write results.json, junit.xml, summary.md and index.html here')
    .option('--json', 'print results.json to stdout')
    .option('--list', 'print the IDs of the selected cases and exit')
    .option('--shard <k/n>', 'run shard k of n (stable by case ID)')
    .option('--sign-key <file>', 'with --certify: sign a certification bundle with this key (hearth registry keygen)')
    .option('--bundle <dir>', 'with --sign-key: the bundle folder')
    .option('--package <tgz>', 'with --sign-key: the package tarball to certify (default: npm pack of the plugin)')
    .option('--repro <file>', 'run the calls of a reproduction (hearth fuzz, a saved failing input, a field check) instead of the suite')
    .option('--fresh-seed <n|random>', "add each property drawn again from this seed (random: a seed drawn now, printed for replay)", seedArg)
    .option('--timeout <ms>', 'per-case timeout (properties get 5x)', positiveInt, 10_000)
    .action(async (opts: ConformanceCliOptions) => {
      process.exitCode = await runConformanceCommand(opts);
    });
}
