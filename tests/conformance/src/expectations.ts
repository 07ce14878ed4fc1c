import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describeError, HearthError } from '@hearth/core';
import { matchesQuery, parseQuery, type Query } from './ids.js';

/** One expectation: cases a vendor knows fail, skips, or sees flake, with the issue and the expiry date. */
export interface Expectation {
  /** The query the entry applies to. */
  readonly query: string;
  /** fail, skip or flaky. */
  readonly status: 'fail' | 'skip' | 'flaky';
  /** The tracking issue (a URL). */
  readonly issue: string;
  /** The last day the entry applies, YYYY-MM-DD. */
  readonly expires: string;
  /** Why, in a line. */
  readonly reason?: string;
}

/** A parsed expectations file. */
export interface ExpectationsFile {
  /** The format version (1). */
  readonly version: 1;
  /** The entries. */
  readonly expectations: readonly Expectation[];
}

const SCHEMA = JSON.parse(readFileSync(new URL('../schema/expectations.schema.json', import.meta.url), 'utf8')) as object;

function bad(file: string, problems: readonly string[]): HearthError {
  return new HearthError('E_ARG', `The expectations file ${file} is invalid:\n  - ${problems.join('\n  - ')}\nFix or remove these entries; the format is in tests/conformance/README.md.`, { file, problems });
}

/** Reads an expectations file (YAML or JSON) and validates it against its published schema. */
export function loadExpectations(file: string): ExpectationsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new HearthError('E_ARG', `Cannot read the expectations file ${file}: ${describeError(e)}.`, { file });
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw bad(file, [`it does not parse: ${(e as Error).message.split('\n')[0]}`]);
  }
  const validate = new Ajv({ allErrors: true }).compile(SCHEMA);
  if (!validate(data)) throw bad(file, (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`));
  return data as ExpectationsFile;
}

/** Expectations checked against the case list, ready to apply. */
export class ExpectationSet {
  readonly #entries: readonly { readonly e: Expectation; readonly q: Query }[];

  private constructor(entries: readonly { e: Expectation; q: Query }[]) {
    this.#entries = entries;
  }

  /**
   * Checks every entry: its query parses, it matches at least one case of the profile, and it has not
   * expired on `today`. Every problem is listed in one E_ARG error.
   */
  static check(file: string, parsed: ExpectationsFile, caseIds: readonly string[], today: Date): ExpectationSet {
    const problems: string[] = [];
    const day = today.toISOString().slice(0, 10);
    const entries: { e: Expectation; q: Query }[] = [];
    parsed.expectations.forEach((e, i) => {
      let q: Query;
      try {
        q = parseQuery(e.query);
      } catch (err) {
        problems.push(`entry ${i} (${e.query}): ${(err as Error).message}`);
        return;
      }
      if (Number.isNaN(Date.parse(e.expires))) problems.push(`entry ${i} (${e.query}): expires "${e.expires}" is not a date`);
      else if (e.expires < day) problems.push(`entry ${i} (${e.query}) expired on ${e.expires}: fix the failure or renew the entry with a new date`);
      if (!caseIds.some((id) => matchesQuery(id, q))) problems.push(`entry ${i} (${e.query}) matches no case of this profile: remove it`);
      entries.push({ e, q });
    });
    if (problems.length) throw bad(file, problems);
    return new ExpectationSet(entries);
  }

  /** The expectation for a case: the last matching entry wins. */
  for(id: string): Expectation | undefined {
    let found: Expectation | undefined;
    for (const { e, q } of this.#entries) if (matchesQuery(id, q)) found = e;
    return found;
  }
}
