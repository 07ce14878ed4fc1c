import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../runner/run.js';
import { fileNameFor, inlineable, specialNumbers } from './format.js';
import { jsonPieces, writeJsonFile, writePieces } from './json-stream.js';
import type { TensorInput } from '../cases/types.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { htmlReport } from './html.js';

/** The files a report holds. */
export const REPORT_FILES = ['results.json', 'junit.xml', 'summary.md', 'index.html'] as const;

/** The saved inputs of one failing case: what `inputs/<case>.json` holds. */
export interface SavedInputs {
  /** The case ID. */
  readonly id: string;
  /** The op. */
  readonly op?: string;
  /** Its attributes. */
  readonly attrs?: Readonly<Record<string, unknown>>;
  /** The inputs, with their data. */
  readonly inputs: readonly TensorInput[];
}

/** A run with its large inputs moved out to files. */
export interface ExternalizedRun {
  /** The run, large inputs replaced by file references. */
  readonly run: RunResult;
  /** File path (relative to the report dir) → what it holds (write it with {@link writeJsonFile}). */
  readonly files: Map<string, SavedInputs>;
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
  const files = new Map<string, SavedInputs>();
  const results = run.results.map((r) => {
    if (!r.failure?.inputs || inlineable(r.failure.inputs)) return r;
    const path = `inputs/${fileNameFor(r.id)}.json`;
    files.set(path, { id: r.id, ...(r.op ? { op: r.op } : {}), ...(r.failure.attrs ? { attrs: r.failure.attrs } : {}), inputs: r.failure.inputs });
    const { inputs: _dropped, ...rest } = r.failure;
    return { ...r, failure: { ...rest, inputs: r.failure.inputs.map((t) => ({ ...t, data: [] })), inputsFile: path } };
  });
  return { run: { ...run, results }, files };
}

/**
 * The results as JSON (NaN, ±Infinity and -0 spelled as strings), in pieces: write them one by one
 * ({@link writePieces}, or to a stream) and a run of any size goes out whole.
 */
export function resultsJsonPieces(run: RunResult): Iterable<string> {
  return jsonPieces(run);
}

/**
 * The results as one JSON string. For runs whose failures carry large inputs use
 * {@link resultsJsonPieces} or {@link writeReports}, which stream.
 */
export function resultsJson(run: RunResult): string {
  return JSON.stringify(run, specialNumbers, 1);
}

/**
 * Writes results.json, junit.xml, summary.md, index.html and saved inputs into `dir`. results.json and the
 * inputs are streamed (a run with thousands of failing large cases is written whole). Each file is written
 * to a temporary name and renamed into place only after all are written: a report is whole or absent.
 */
export function writeReports(run: RunResult, dir: string): WrittenReport {
  const ext = externalizeInputs(run);
  const writers = new Map<string, (path: string) => void>([
    ['results.json', (path) => writePieces(path, resultsJsonPieces(ext.run))],
    ['junit.xml', (path) => writeFileSync(path, junitXml(ext.run))],
    ['summary.md', (path) => writeFileSync(path, markdownSummary(ext.run))],
    ['index.html', (path) => writeFileSync(path, htmlReport(ext.run))],
    ...[...ext.files].map(([name, saved]): [string, (path: string) => void] => [name, (path) => writeJsonFile(path, saved)]),
  ]);
  mkdirSync(join(dir, 'inputs'), { recursive: true });
  const tag = `.tmp-${process.pid}`;
  for (const [name, write] of writers) write(join(dir, name + tag));
  for (const name of writers.keys()) renameSync(join(dir, name + tag), join(dir, name));
  return { dir, files: [...writers.keys()], run: ext.run };
}
