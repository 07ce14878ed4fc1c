import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../runner/run.js';
import { fileNameFor, inlineable, specialNumbers } from './format.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { htmlReport } from './html.js';

/** The files a report holds. */
export const REPORT_FILES = ['results.json', 'junit.xml', 'summary.md', 'index.html'] as const;

/** A run with its large inputs moved out to files. */
export interface ExternalizedRun {
  /** The run, large inputs replaced by file references. */
  readonly run: RunResult;
  /** File path (relative to the report dir) → contents. */
  readonly files: Map<string, string>;
}

/** What {@link writeReports} wrote. */
export interface WrittenReport {
  /** The report dir. */
  readonly dir: string;
  /** The files written, relative to it. */
  readonly files: string[];
  /** The run as written (large inputs as file references). */
  readonly run: RunResult;
}

/**
 * Moves large failing inputs out of the results into `inputs/<case>.json` files (paths relative to the
 * report dir), so results stay small and every failure stays reproducible. Returns the files to write.
 */
export function externalizeInputs(run: RunResult): ExternalizedRun {
  const files = new Map<string, string>();
  const results = run.results.map((r) => {
    if (!r.failure?.inputs || inlineable(r.failure.inputs)) return r;
    const path = `inputs/${fileNameFor(r.id)}.json`;
    files.set(path, JSON.stringify({ id: r.id, op: r.op, attrs: r.failure.attrs, inputs: r.failure.inputs }, specialNumbers, 1));
    const { inputs: _dropped, ...rest } = r.failure;
    return { ...r, failure: { ...rest, inputs: r.failure.inputs.map((t) => ({ ...t, data: [] })), inputsFile: path } };
  });
  return { run: { ...run, results }, files };
}

/** The results as JSON (NaN, ±Infinity and -0 spelled as strings). */
export function resultsJson(run: RunResult): string {
  return JSON.stringify(run, specialNumbers, 1);
}

/**
 * Writes results.json, junit.xml, summary.md, index.html and saved inputs into `dir`. Each file is written
 * to a temporary name and renamed into place only after all are written: a report is whole or absent.
 */
export function writeReports(run: RunResult, dir: string): WrittenReport {
  const ext = externalizeInputs(run);
  const contents = new Map<string, string>([
    ['results.json', resultsJson(ext.run)],
    ['junit.xml', junitXml(ext.run)],
    ['summary.md', markdownSummary(ext.run)],
    ['index.html', htmlReport(ext.run)],
    ...ext.files,
  ]);
  mkdirSync(join(dir, 'inputs'), { recursive: true });
  const tag = `.tmp-${process.pid}`;
  for (const [name, text] of contents) writeFileSync(join(dir, name + tag), text);
  for (const name of contents.keys()) renameSync(join(dir, name + tag), join(dir, name));
  return { dir, files: [...contents.keys()], run: ext.run };
}
