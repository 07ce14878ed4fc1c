import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OPSET, type HearthPlugin } from '@hearth/core';
import { packageDirOf } from '@hearth/registry';
import { ProgressBar, backendsHtml, opBackendCells, runConformance, writeReports, FAILING, type BackendColumn } from '@hearth/conformance';
import { claimedProfile, importInstalledPlugins, importPlugin, specOf } from '../plugins.js';
import { formatTable } from '../table.js';
import { buildLocalRegistry, type MainRun } from './main-registry.js';
import { onnxModelRunner } from '../model-runner.js';

/** Options of {@link runMain}. */
export interface MainOptions {
  /** Where the HTML report goes (default `reports/conformance`). */
  readonly reportDir?: string;
  /** Plugin packages or paths to run (default: the installed plugins discovery finds). */
  readonly plugins?: readonly string[];
  /** Print a JSON summary on stdout ({@link MainSummary}); the human-readable lines go to stderr. */
  readonly json?: boolean;
}

/** What `hearth main --json` prints. */
export interface MainSummary {
  /** One entry per backend tried. */
  readonly backends: readonly {
    readonly backend: string;
    readonly plugin: string;
    /** The profile it was judged by: the one its manifest claims (and is certified for), else `core`. */
    readonly profile: string;
    readonly verdict: 'pass' | 'fail' | 'unavailable' | 'error';
    readonly cases: number;
    readonly reason?: string;
  }[];
  /** Op → backend title → status. */
  readonly matrix: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The HTML report. */
  readonly report: string;
  /** The exit code. */
  readonly exitCode: number;
}

const SHORT: Record<string, string> = { pass: 'pass', fail: 'FAIL', crash: 'CRASH', timeout: 'TIMEOUT', 'not-supported': 'n/s', 'expected-fail': 'known', skip: 'skip', flaky: 'flaky', 'unexpected-pass': 'STALE' };

/**
 * The project's main job (`npm start`): finds the installed backends, runs on each the conformance profile
 * its manifest claims (`core` when it claims none) (each in its own child process), prints the op × backend matrix and writes the HTML report.
 * Beside the report, it builds the registry index and page of the runs that pass (registry/site/index.html).
 * Returns the exit code: 0 when every backend that started passes, 1 otherwise (or when none is installed).
 * A backend whose device cannot start here (no GPU, say) is shown as unavailable with its reason.
 */
export async function runMain(options: MainOptions = {}): Promise<number> {
  const dir = resolve(options.reportDir ?? 'reports/conformance');
  // With --json, stdout carries only the JSON summary.
  const say = options.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const backends: MainSummary['backends'][number][] = [];
  const matrix: Record<string, Record<string, string>> = {};
  const summary = { backends, matrix, report: join(dir, 'index.html'), exitCode: 1 };
  const found: { spec: string | HearthPlugin; dir?: string; name: string; types: readonly string[]; profile: string }[] = [];
  if (options.plugins) {
    for (const spec of options.plugins) {
      try {
        const p = await importPlugin(spec);
        found.push({ spec, name: p.manifest.name, types: p.manifest.deviceTypes, profile: claimedProfile(spec) ?? 'core' });
      } catch (e) {
        say(`${spec}: ${(e as Error).message}`);
      }
    }
  } else {
    const { loaded, failures } = await importInstalledPlugins();
    // A native-only plugin has no module a child process could import: it runs in this process.
    for (const p of loaded) found.push({ spec: specOf(p) ?? p.plugin, dir: p.dir, name: p.package.name, types: p.package.hearth.deviceTypes, profile: p.package.hearth.profiles[0] ?? 'core' });
    for (const f of failures) say(`${f.spec}: ${f.error.message}`);
  }
  if (found.length === 0) {
    say('No Hearth backend plugin is installed; install one (npm install @hearth/plugin-cpu) and run again.');
    if (options.json) console.log(JSON.stringify(summary, null, 2));
    return 1;
  }
  const columns: BackendColumn[] = [];
  const links: string[] = [];
  const certified: MainRun[] = [];
  let failed = false;
  for (const p of found) {
    for (const type of p.types) {
      const title = `${type} (${p.name})`;
      const judged = { backend: type, plugin: p.name, profile: p.profile };
      const bar = process.stderr.isTTY ? new ProgressBar(process.stderr, title) : undefined;
      try {
        // A plugin is judged by the profile it claims: a certified core-partial plugin is not failed for lacking core's ops.
        const run = await runConformance({ plugin: p.spec, device: type, profile: p.profile, certify: true, models: onnxModelRunner, onProgress: (d, t, r) => bar?.update(d, t, r.id, 0) });
        bar?.done();
        writeReports(run, join(dir, type));
        columns.push({ title, run });
        certified.push({ dir: p.dir ?? packageDirOf(p.spec as string), run });
        links.push(`${type}/index.html`);
        const line = `${title}: ${run.verdict.toUpperCase()} ${run.profile.name}, ${run.results.length} cases in ${(run.durationMs / 1000).toFixed(1)} s`;
        if (!run.init.ok) {
          say(`${title}: unavailable here (${run.init.reason})`);
          backends.push({ ...judged, verdict: 'unavailable', cases: 0, reason: run.init.reason });
        } else {
          say(line + (run.reasons.length ? ` (${run.reasons.join('; ')})` : ''));
          failed ||= run.verdict === 'fail';
          backends.push({ ...judged, verdict: run.verdict === 'fail' ? 'fail' : 'pass', cases: run.results.length, ...(run.reasons.length ? { reason: run.reasons.join('; ') } : {}) });
          for (const r of run.results.filter((x) => FAILING.includes(x.status)).slice(0, 10)) say(`  ${r.status} ${r.id}: ${r.message ?? ''}`.slice(0, 300));
        }
      } catch (e) {
        bar?.done();
        columns.push({ title, run: { error: (e as Error).message } });
        links.push('#');
        say(`${title}: could not run (${(e as Error).message})`);
        backends.push({ ...judged, verdict: 'error', cases: 0, reason: (e as Error).message });
        failed = true;
      }
    }
  }
  const cells = opBackendCells(columns);
  const status = (o: string) => (cells.get(o) ?? columns.map(() => 'not-supported')).map((st, i) => ('error' in columns[i]!.run || !columns[i]!.run.init.ok ? 'unavailable' : st));
  say(`\n${formatTable(['op', ...columns.map((c) => c.title)], OPSET.map((o) => [o.name, ...status(o.name).map((st) => SHORT[st] ?? st)]))}`);
  for (const o of OPSET) matrix[o.name] = Object.fromEntries(status(o.name).map((st, i) => [columns[i]!.title, st]));
  mkdirSync(dir, { recursive: true });
  let registryLink = '';
  try {
    const site = buildLocalRegistry(certified, join(dir, 'registry'));
    registryLink = `<p><a href="registry/site/index.html">The plugin registry page</a>: these runs as signed certification bundles in a registry index.</p>`;
    say(`Registry page: ${site}`);
  } catch (e) {
    say(`The registry page could not be built: ${(e as Error).message}`);
  }
  writeFileSync(join(dir, 'index.html'), backendsHtml(columns, links).replace('</body>', `${registryLink}</body>`));
  say(`\nReport: ${join(dir, 'index.html')}`);
  summary.exitCode = failed ? 1 : 0;
  if (options.json) console.log(JSON.stringify(summary, null, 2));
  return failed ? 1 : 0;
}
