import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { GovernanceError, type GovernanceIssue } from '../error.js';
import { contentHash, gitBlobSha } from './hash.js';
import { lineOf } from './lines.js';
import { governanceSchema } from './schema.js';
import type { GovernanceModel, Policy } from './types.js';
import { validateModel } from './validate.js';

/**
 * Parses and checks a governance model from YAML text: YAML syntax, then the JSON Schema (unknown
 * fields refused), then the checks across values. Every problem becomes an issue at `file:line`;
 * all are thrown together as one {@link GovernanceError}, so a user fixes a file in one pass.
 */
export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw GovernanceError.fromIssues(
      doc.errors.map((e) => ({
        code: 'E_GOV_YAML',
        file,
        line: lineAt(e.pos[0]),
        message: `${firstLine(e.message)}; fix the YAML syntax`,
      })),
    );
  }
  const lines: Record<string, number> = {};
  collectLines(doc.contents, '', lines, lineAt);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (cause) {
    // yaml refuses an alias bomb (aliases expanding to an exponential tree) with a ReferenceError.
    throw new GovernanceError('E_GOV_YAML', `${file}: ${firstLine((cause as Error).message)}; write the values out instead of repeating aliases`);
  }
  assertModel(data, file, lines);
  return { model: data, file, lines, hash: contentHash(data), blobSha: gitBlobSha(text) };
}

/**
 * Checks parsed data against the JSON Schema (unknown fields refused), then the checks across values,
 * throwing every problem found at once, each located at its line of `file` through `lines`.
 */
export function assertModel(data: unknown, file: string, lines: Readonly<Record<string, number>>): asserts data is GovernanceModel {
  // A fresh validator per call keeps the package free of module-level state; compiling is cheap.
  const ajv = new Ajv({ allErrors: true, strict: true });
  const check = ajv.compile<GovernanceModel>(governanceSchema);
  if (!check(data)) {
    const issues = relevantErrors(check.errors ?? []).map((e) => schemaIssue(e, file, lines));
    throw GovernanceError.fromIssues(issues);
  }
  const issues = validateModel(data).map((i) => ({ ...i, file, line: lineOf(i.pointer ?? '', lines) }));
  if (issues.length > 0) throw GovernanceError.fromIssues(issues);
}

/** Reads a governance model file and parses it with {@link parsePolicy}; a missing file is an `E_GOV_INPUT`. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new GovernanceError('E_GOV_INPUT', `cannot read governance file ${path}: ${(cause as Error).message}; check the path`);
  }
  return parsePolicy(text, path);
}

/** The most alias expansions a model may use; far beyond any real model, far below a bomb. */
const MAX_ALIASES = 100;

function collectLines(node: unknown, pointer: string, lines: Record<string, number>, lineAt: (o: number) => number): void {
  const range = (node as Node | null)?.range;
  if (range !== undefined && range !== null) lines[pointer] = lineAt(range[0]);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = `${pointer}/${escapePointer(key)}`;
      collectLines(pair.value, child, lines, lineAt);
      // The key's line is where a reader looks for a field, and where an unknown field is.
      const keyRange = (pair.key as Node | null)?.range;
      if (keyRange !== undefined && keyRange !== null) lines[child] = lineAt(keyRange[0]);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectLines(item, `${pointer}/${i}`, lines, lineAt));
  }
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * ajv reports every failed branch of a `oneOf`; the branch errors say little on their own, so keep
 * the `oneOf` summary and drop its children when there is one at the same place.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'oneOf' || ![...oneOfAt].some((p) => e.instancePath.startsWith(p)));
}

function schemaIssue(error: ErrorObject, file: string, lines: Readonly<Record<string, number>>): GovernanceIssue {
  const at = error.instancePath === '' ? '/' : error.instancePath;
  let pointer = error.instancePath;
  let message: string;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      pointer = `${error.instancePath}/${escapePointer(field)}`;
      message = `${at} has unknown field '${field}'; remove it or check its spelling`;
      break;
    }
    case 'required':
      message = `${at} is missing required field '${String((error.params as { missingProperty: string }).missingProperty)}'`;
      break;
    case 'enum':
      message = `${at} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'pattern':
      message = `${at} ${patternHint(error.instancePath)}`;
      break;
    default:
      message = `${at} ${error.message ?? 'is invalid'}`;
  }
  return { code: 'E_GOV_SCHEMA', file, line: lineOf(pointer, lines), pointer, message };
}

function patternHint(pointer: string): string {
  const field = pointer.slice(pointer.lastIndexOf('/') + 1);
  if (['from', 'to', 'since', 'until'].includes(field)) return 'must be a day written YYYY-MM-DD';
  if (['window', 'after'].includes(field)) return 'must be a duration such as 30m, 72h, 7d or 2w, above zero and at most 999999m, 99999h, 9999d or 999w';
  return 'must be an id of letters, digits, ".", "_" or "-" (a GitHub login for people)';
}
