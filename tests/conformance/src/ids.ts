import { HearthError } from '@hearth/core';
import { hashSeed } from './numeric/rng.js';

/**
 * Case IDs are hierarchical, WebGPU-CTS style: `suite:path,segments:param=value;param=value`, for example
 * `hearth:op,add:dtype=float32;case=broadcast-row`. They are stable across runs and suite patch versions,
 * and are what queries, shards and expectations match.
 */
export interface CaseIdParts {
  /** The path segments, e.g. `["op", "add"]`. */
  readonly path: readonly string[];
  /** The parameters, in their fixed order. */
  readonly params: readonly (readonly [string, string])[];
}

const SEGMENT = /^[a-z0-9_.\-]+$/i;

/** Builds a case ID from its path and parameters. */
export function caseId(path: readonly string[], params: readonly (readonly [string, string])[]): string {
  for (const s of [...path, ...params.flat()]) {
    if (!SEGMENT.test(s)) throw new Error(`conformance: invalid ID part "${s}"`);
  }
  return `hearth:${path.join(',')}:${params.map(([k, v]) => `${k}=${v}`).join(';')}`;
}

/** Splits a case ID into its parts. */
export function parseCaseId(id: string): CaseIdParts {
  const [suite, path = '', params = ''] = id.split(':');
  if (suite !== 'hearth') throw new Error(`conformance: not a case ID: ${id}`);
  return {
    path: path.split(','),
    params: params === '' ? [] : params.split(';').map((p) => p.split('=') as [string, string]),
  };
}

/** A parsed query: what {@link matchesQuery} tests IDs against. */
export interface Query {
  /** The text as given. */
  readonly text: string;
  /** Glob per path segment. */
  readonly path: readonly RegExp[];
  /** True when the path may go deeper than the listed segments. */
  readonly openPath: boolean;
  /** Glob per named parameter; undefined when the query lists none (any parameters match). */
  readonly params: ReadonlyMap<string, RegExp> | undefined;
  /** True when parameters beyond the listed ones are allowed (a trailing `*`). */
  readonly openParams: boolean;
}

const glob = (s: string): RegExp => new RegExp(`^${s.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function badQuery(text: string, why: string): HearthError {
  return new HearthError(
    'E_ARG',
    `Invalid query "${text}": ${why}. Queries look like hearth:op,add:dtype=float32;case=broadcast-row, with * as a wildcard (hearth:op,add:*, hearth:op,*, hearth:op,sum:dtype=float32;*).`,
    { query: text },
  );
}

/**
 * Parses a query. `hearth:op,add` and `hearth:op,add:*` match every case of add; `hearth:op,*` every op
 * case; `hearth:op,sum:dtype=float32;*` the float32 cases of sum; `case=broadcast-*` globs a value. A query
 * with parameters and no trailing `*` must name all of a case's parameters (an exact ID is a query).
 */
export function parseQuery(text: string): Query {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 3) throw badQuery(text, 'expected suite:path or suite:path:params');
  const [suite, path, params] = parts as [string, string, string | undefined];
  if (suite !== 'hearth' && suite !== '*') throw badQuery(text, `unknown suite "${suite}" (the suite is "hearth")`);
  const segs = path.split(',');
  if (segs.some((s) => s === '' || !/^[a-z0-9_.\-*]+$/i.test(s))) throw badQuery(text, 'a path segment is empty or has characters other than letters, digits, _ . - *');
  const openPath = params === undefined || segs[segs.length - 1] === '*';
  const pathGlobs = (segs[segs.length - 1] === '*' ? segs.slice(0, -1) : segs).map(glob);
  if (params === undefined || params === '*' || params === '') {
    return { text, path: pathGlobs, openPath: openPath || params === '*', params: undefined, openParams: true };
  }
  const map = new Map<string, RegExp>();
  let openParams = false;
  for (const p of params.split(';')) {
    if (p === '*') {
      openParams = true;
      continue;
    }
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw badQuery(text, `parameter "${p}" is not key=value`);
    map.set(p.slice(0, eq), glob(p.slice(eq + 1)));
  }
  return { text, path: pathGlobs, openPath: segs[segs.length - 1] === '*', params: map, openParams };
}

/** True when a case ID matches a query. */
export function matchesQuery(id: string, q: Query): boolean {
  const { path, params } = parseCaseId(id);
  if (path.length < q.path.length || (!q.openPath && path.length !== q.path.length)) return false;
  if (!q.path.every((g, i) => g.test(path[i]!))) return false;
  if (!q.params) return true;
  const got = new Map(params);
  for (const [k, g] of q.params) {
    const v = got.get(k);
    if (v === undefined || !g.test(v)) return false;
  }
  return q.openParams || got.size === q.params.size;
}

/** A shard `k/n` (1-based), parsed from text like `2/4`. */
export interface Shard {
  /** Which shard, 1..count. */
  readonly index: number;
  /** How many shards. */
  readonly count: number;
}

/** Parses `k/n`; throws E_ARG on anything else. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new HearthError('E_ARG', `Invalid shard "${text}": use k/n with 1 <= k <= n, e.g. --shard 2/4.`, { shard: text });
  }
  return { index, count };
}

/** True when a case belongs to a shard: a stable hash of its ID, so shards never overlap and always cover. */
export function inShard(id: string, shard: Shard): boolean {
  return hashSeed(0, id) % shard.count === shard.index - 1;
}
