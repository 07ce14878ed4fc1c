import { cpus, arch, platform } from 'node:os';
import { resolve } from 'node:path';
import { HearthError, CORE_API_VERSION, getOp, kindOf, type HearthPlugin } from '@hearth/core';
import { SUITE_SEED, SUITE_VERSION } from '../version.js';
import { getProfile } from '../profiles.js';
import { profileCases } from '../suite.js';
import { inShard, matchesQuery, parseQuery, parseShard } from '../ids.js';
import { ExpectationSet, loadExpectations } from '../expectations.js';
import { FAILING, notRun, resultFields, type CaseResult, type CaseStatus } from '../results.js';
import type { SuiteCase } from '../cases/types.js';
import type { InitReport } from '../exec/session.js';
import { InProcessExecutor, type Executor } from './executor.js';
import { loadPlugin } from './load-plugin.js';
import type { ModelRunner } from '../models/run-model.js';
import { ChildExecutor } from './child-executor.js';
import { withFreshDraws } from '../fresh.js';
import { readRepro, reproCases } from '../fuzz/repro.js';

/** Options of {@link runConformance}. */
export interface RunOptions {
  /** The plugin: a package name or module path (run in a child process), or a plugin object (run in this process). */
  readonly plugin: string | HearthPlugin;
  /** The device type (the plugin's first when left out). */
  readonly device?: string;
  /** Options for the backend factory. */
  readonly backendOptions?: Readonly<Record<string, unknown>>;
  /** The profile: `core` (default), `core-partial`, `float16` or `float64`. */
  readonly profile?: string;
  /** Queries selecting cases (any may match); all cases of the profile when empty. */
  readonly queries?: readonly string[];
  /** A shard, `k/n`. */
  readonly shard?: string;
  /** An expectations file (YAML or JSON). Ignored by a certification run. */
  readonly expectations?: string;
  /** A certification run: the whole profile, no expectations, no skips. */
  readonly certify?: boolean;
  /**
   * Runs a plugin object isolated in its own process, through the runtime's `createHearth({ isolate })`:
   * the suite then checks the isolated path (data crossing processes, launches by message).
   */
  readonly isolate?: boolean;
  /**
   * Adds, after each selected property, its twin drawn from this seed (`case=fresh-property`): inputs no
   * plugin could know in advance. A rerun draws it with `drawFreshSeed()`; the report records it.
   */
  readonly freshSeed?: number;
  /**
   * A reproduction file (`schema/repro.schema.json`, written by `hearth fuzz` or from a field check's
   * event): its calls are run instead of the suite's cases, each checked against the oracle.
   */
  readonly repro?: string;
  /** The timeout of a small case in ms (default 10 000); larger cases get more in proportion to their elements. */
  readonly timeoutMs?: number;
  /** Device start timeout in ms (default 60 000). */
  readonly initTimeoutMs?: number;
  /** Cases per message to the child (default 400). */
  readonly batchSize?: number;
  /** Called after each result. */
  readonly onProgress?: (done: number, total: number, last: CaseResult) => void;
  /** The date expectations expire against (today by default). */
  readonly today?: Date;
  /**
   * What runs ONNX models, for a model profile (`hearth conformance` passes @hearth/onnx's). Model cases
   * run in this process: the plugin given as a package or path is imported here.
   */
  readonly models?: ModelRunner;
}

/** A run's result: what results.json holds (it validates against schema/results.schema.json). */
export interface RunResult {
  /** The results format version. */
  readonly format: 1;
  /** True for a run that went to the end (reports are only written for complete runs). */
  readonly complete: true;
  /** The suite version and its fixed seed. */
  readonly suite: {
    /** The suite version. */
    readonly version: string;
    /** Its fixed seed. */
    readonly seed: number;
    /** The seed of the fresh property draws, when the run added them. */
    readonly freshSeed?: number;
  };
  /**
   * The opset the verdict covers: the one the plugin declares (1 when its manifest names none). Cases of
   * operators a later opset added are skipped, so a v1 plugin certifies for v1 on a newer core.
   */
  readonly opsetVersion: number;
  /** The core API version of the host. */
  readonly coreApiVersion: string;
  /** The profile. */
  readonly profile: {
    /** core, core-partial, float16 or float64. */
    readonly name: string;
    /** Whether every (op, dtype) of the profile is required. */
    readonly requireAll: boolean;
  };
  /** The plugin, as given and as its manifest says. */
  readonly plugin: {
    /** The package name or path given to the runner. */
    readonly spec: string;
    /** The manifest's name. */
    readonly name: string;
    /** The manifest's version. */
    readonly version: string;
    /** The manifest's vendor. */
    readonly vendor: string;
    /** The core API range the plugin supports. */
    readonly coreApi: string;
    /** The opset the plugin declares. */
    readonly opset: number;
  };
  /** The device: type, name and what it reports about itself (the adapter, for GPUs). */
  readonly device: {
    /** The device type. */
    readonly type: string;
    /** The device name, e.g. `webgpu:0`. */
    readonly name?: string;
    /** What the device reports (for GPUs, the adapter). */
    readonly info?: Readonly<Record<string, unknown>>;
    /** The dtypes it stores. */
    readonly stores: readonly string[];
  };
  /** How initialisation went. */
  readonly init: {
    /** True when the device started. */
    readonly ok: boolean;
    /** Why it did not. */
    readonly reason?: string;
    /** The error code, if any. */
    readonly code?: string;
  };
  /** Where it ran. */
  readonly environment: {
    /** Node.js version. */
    readonly node: string;
    /** OS platform. */
    readonly platform: string;
    /** CPU architecture. */
    readonly arch: string;
    /** Logical CPUs. */
    readonly cpus: number;
    /** The CPU model. */
    readonly cpuModel: string;
  };
  /** What was selected. */
  readonly selection: {
    /** The queries (none: the whole profile). */
    readonly queries: readonly string[];
    /** The shard, k/n. */
    readonly shard?: string;
    /** Whether this is a certification run. */
    readonly certify: boolean;
    /** The expectations file applied. */
    readonly expectations?: string;
    /** Where the plugin ran. */
    readonly isolation: 'child-process' | 'in-process';
  };
  /** When it started (ISO 8601). */
  readonly startedAt: string;
  /** How long it took in ms. */
  readonly durationMs: number;
  /** Cases per status. */
  readonly counts: Readonly<Record<CaseStatus, number>>;
  /** pass or fail, and why it failed. */
  readonly verdict: 'pass' | 'fail';
  /** Why the verdict is fail. */
  readonly reasons: readonly string[];
  /** One result per case, in suite order. */
  readonly results: readonly CaseResult[];
}

const STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'not-supported', 'crash', 'timeout', 'skip', 'expected-fail', 'unexpected-pass', 'flaky'];

/** The cases a run will execute, and the expectations that apply. */
export interface Selection {
  /** The selected cases, in suite order. */
  readonly cases: SuiteCase[];
  /** The checked expectations (absent for a certification run or when none are given). */
  readonly expectations?: ExpectationSet;
}

/** Checks the options and picks the cases, before anything runs: bad input never yields a partial run. */
export function selectCases(options: Pick<RunOptions, 'profile' | 'queries' | 'shard' | 'certify' | 'expectations' | 'today' | 'freshSeed' | 'repro'>): Selection {
  const profile = getProfile(options.profile ?? 'core');
  if (options.repro !== undefined) {
    if (options.certify || options.queries?.length || options.shard) throw new HearthError('E_ARG', 'A reproduction runs its own calls: drop --certify, --query and --shard with --repro.');
    return { cases: reproCases(readRepro(options.repro)) };
  }
  const all = profileCases(profile);
  const queries = (options.queries ?? []).map(parseQuery);
  if (options.certify && (queries.length || options.shard)) {
    throw new HearthError('E_ARG', 'A certification run takes the whole profile: drop --query and --shard (or drop --certify to run a subset).');
  }
  let cases = queries.length ? all.filter((c) => queries.some((q) => matchesQuery(c.id, q))) : all;
  if (cases.length === 0) {
    throw new HearthError('E_ARG', `The query ${queries.map((q) => `"${q.text}"`).join(', ')} matches no case of the ${profile.name} profile. \`hearth conformance --list\` prints the case IDs.`);
  }
  if (options.shard) {
    const shard = parseShard(options.shard);
    cases = cases.filter((c) => inShard(c.id, shard));
    if (cases.length === 0) throw new HearthError('E_ARG', `Shard ${options.shard} holds no case of this selection; use fewer shards.`);
  }
  const expectations =
    options.expectations && !options.certify
      ? ExpectationSet.check(options.expectations, loadExpectations(options.expectations), all.map((c) => c.id), options.today ?? new Date())
      : undefined;
  return { cases: withFreshDraws(cases, options.freshSeed), ...(expectations ? { expectations } : {}) };
}

function isFailing(r: CaseResult): boolean {
  return FAILING.includes(r.status);
}

/**
 * Runs the conformance suite on a plugin and returns the full result. Throws a HearthError (E_ARG,
 * E_PLUGIN) for bad input: an unknown profile, a query that matches nothing, a malformed or stale
 * expectations file, or a plugin that can't be imported. Failures of the plugin itself are results.
 */
export async function runConformance(options: RunOptions): Promise<RunResult> {
  const { cases, expectations } = selectCases(options);
  const profile = getProfile(options.profile ?? 'core');
  const startedAt = new Date();
  const t0 = performance.now();
  if (profile.models !== undefined && !options.models) {
    throw new HearthError('E_ARG', `The ${profile.name} profile runs ONNX models, and this run has no model runner: run it with \`hearth conformance --profile ${profile.name}\`, or pass runConformance({ models }).`, { profile: profile.name });
  }
  const inProcess = typeof options.plugin !== 'string' || profile.models !== undefined;
  const executor: Executor =
    !inProcess && typeof options.plugin === 'string'
      ? new ChildExecutor({
          plugin: options.plugin,
          ...(options.device ? { device: options.device } : {}),
          ...(options.backendOptions ? { backendOptions: options.backendOptions } : {}),
          timeoutMs: options.timeoutMs ?? 10_000,
          initTimeoutMs: options.initTimeoutMs ?? 60_000,
          batchSize: options.batchSize ?? 400,
          ...(options.freshSeed !== undefined ? { freshSeed: options.freshSeed } : {}),
          ...(options.repro !== undefined ? { repro: resolve(options.repro) } : {}),
        })
      : new InProcessExecutor(typeof options.plugin === 'string' ? await loadPlugin(options.plugin) : options.plugin, options.device, options.backendOptions, options.isolate, options.models);
  const results = new Map<string, CaseResult>();
  let init: InitReport;
  try {
    init = await executor.init();
    const report = (r: CaseResult) => {
      results.set(r.id, r);
      options.onProgress?.(results.size, cases.length, r);
    };
    if (!init.ok) {
      for (const c of cases) {
        report(c.kind === 'lifecycle' && c.check === 'init' ? { ...notRun(c, `the device failed to initialise: ${init.reason}`), ...(init.code ? { error: { code: init.code, message: init.reason! } } : {}) } : notRun(c, `not run: the device failed to initialise (${init.reason})`));
      }
    } else {
      const toRun: SuiteCase[] = [];
      for (const c of cases) {
        const e = expectations?.for(c.id);
        const since = 'op' in c ? (getOp(c.op).since ?? 1) : 1; // a model case checks its set's opset itself
        if (profile.partial && 'op' in c && kindOf(getOp(c.op)) === 'composite' && !init.declared.includes(`${c.op}:${c.dtype}`)) {
          report({ ...resultFields(c), status: 'not-supported', timeMs: 0, message: `${c.op} is a composite and the plugin registers no fused ${c.op}(${c.dtype}) kernel; a partial profile certifies only what the plugin declares` });
        } else if (since > init.plugin.opset && 'op' in c) report({ ...resultFields(c), status: 'skip', timeMs: 0, message: `${c.op} is an opset ${since} operator; ${init.plugin.name} declares opset ${init.plugin.opset}, which this verdict covers` });
        else if (e?.status === 'skip') report({ ...resultFields(c), status: 'skip', timeMs: 0, message: e.reason ?? 'skipped by the expectations file' });
        else toRun.push(c);
      }
      await executor.run(toRun, report);
      // Flaky entries get up to two more tries.
      for (const c of toRun) {
        const e = expectations?.for(c.id);
        let attempts = 1;
        while (e?.status === 'flaky' && isFailing(results.get(c.id)!) && attempts < 3) {
          attempts++;
          const before = results.get(c.id)!;
          await executor.run([c], (r) => results.set(r.id, isFailing(r) ? r : { ...r, status: 'flaky', attempts, message: `passed on attempt ${attempts}; first: ${before.message ?? before.status}` }));
        }
      }
    }
  } finally {
    await executor.close();
  }
  const ordered = cases.map((c) => {
    const r = results.get(c.id) ?? notRun(c, 'not run: the runner lost this case');
    const e = expectations?.for(c.id);
    if (!e || e.status === 'skip') return e ? { ...r, expectation: { status: e.status, issue: e.issue, expires: e.expires } } : r;
    const expectation = { status: e.status, issue: e.issue, expires: e.expires };
    if (e.status === 'fail') return { ...r, expectation, status: (isFailing(r) ? 'expected-fail' : r.status === 'pass' ? 'unexpected-pass' : r.status) as CaseStatus };
    return { ...r, expectation };
  });
  return summarize(options, init!, ordered, startedAt, performance.now() - t0, inProcess ? 'in-process' : 'child-process');
}

function summarize(options: RunOptions, init: InitReport, results: CaseResult[], startedAt: Date, ms: number, isolation: 'child-process' | 'in-process'): RunResult {
  const profile = getProfile(options.profile ?? 'core');
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
  for (const r of results) counts[r.status]++;
  const reasons: string[] = [];
  if (!init.ok) reasons.push(`the device failed to initialise: ${init.reason}`);
  for (const s of FAILING) if (counts[s]) reasons.push(`${counts[s]} case(s) ${s === 'unexpected-pass' ? 'passed against a fail expectation (remove it)' : s}`);
  if (profile.requireAll && counts['not-supported']) {
    reasons.push(`${counts['not-supported']} case(s) not supported: the ${profile.name} profile requires ${profile.models ? 'every model of its set' : `every op in ${profile.dtypes.join(', ')}`}`);
  }
  if (profile.partial && init.ok && !results.some((r) => r.op !== undefined && r.status !== 'not-supported')) {
    reasons.push(`the plugin declares no (op, dtype) pair of the ${profile.name} profile: register at least one kernel`);
  }
  const spec = typeof options.plugin === 'string' ? options.plugin : options.plugin.manifest.name;
  const cpu = cpus();
  return {
    format: 1,
    complete: true,
    suite: { version: SUITE_VERSION, seed: SUITE_SEED, ...(options.freshSeed !== undefined ? { freshSeed: options.freshSeed } : {}) },
    opsetVersion: init.plugin.opset,
    coreApiVersion: CORE_API_VERSION,
    profile: { name: profile.name, requireAll: profile.requireAll },
    plugin: { spec, ...init.plugin },
    device: { type: init.deviceType, ...(init.device ? { name: init.device } : {}), ...(init.deviceInfo ? { info: init.deviceInfo } : {}), stores: init.stores },
    init: { ok: init.ok, ...(init.reason ? { reason: init.reason } : {}), ...(init.code ? { code: init.code } : {}) },
    environment: { node: process.version, platform: platform(), arch: arch(), cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown' },
    selection: {
      queries: options.queries ?? [],
      ...(options.shard ? { shard: options.shard } : {}),
      certify: options.certify ?? false,
      ...(options.expectations && !options.certify ? { expectations: options.expectations } : {}),
      isolation,
    },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(ms),
    counts,
    verdict: reasons.length ? 'fail' : 'pass',
    reasons,
    results,
  };
}
