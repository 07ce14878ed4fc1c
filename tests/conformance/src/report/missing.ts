import type { CaseResult } from '../results.js';
import type { RunResult } from '../runner/run.js';

/**
 * The (op, dtype) pairs the plugin does not declare, grouped by op in suite order: those whose every case is
 * `not-supported` (a declared pair can have a not-supported case too, when it needs another undeclared kernel).
 */
export function missingPairs(results: readonly CaseResult[]): Map<string, string[]> {
  const ran = new Set(results.filter((r) => r.op !== undefined && r.status !== 'not-supported').map((r) => `${r.op}:${r.dtype}`));
  const byOp = new Map<string, string[]>();
  for (const r of results) {
    if (r.status !== 'not-supported' || r.op === undefined || r.dtype === undefined || ran.has(`${r.op}:${r.dtype}`)) continue;
    const dtypes = byOp.get(r.op) ?? [];
    if (!dtypes.includes(r.dtype)) dtypes.push(r.dtype);
    byOp.set(r.op, dtypes);
  }
  return byOp;
}

/**
 * The missing (op, dtype) pairs as one compact block for the console: ops grouped by the dtypes they
 * lack, wrapped to `width` columns. Empty when nothing is missing. The heading says whether the profile
 * requires them (a complete profile) or runs them elsewhere (a partial or optional one).
 */
export function missingBlock(run: Pick<RunResult, 'profile' | 'results' | 'device'>, width = 100): string {
  const byOp = missingPairs(run.results);
  if (byOp.size === 0) return '';
  const groups = new Map<string, string[]>();
  for (const [op, dtypes] of byOp) {
    const key = dtypes.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  const pairs = [...byOp.values()].reduce((n, d) => n + d.length, 0);
  const heading = run.profile.requireAll
    ? `Missing: ${pairs} (op, dtype) pair(s) the ${run.profile.name} profile requires. Add a kernel for each, or certify what you have with --profile core-partial:`
    : `Not declared by ${run.device.type}: ${pairs} (op, dtype) pair(s), not certified here (a runtime runs them on another device through its fallback policy):`;
  const label = Math.max(...[...groups.keys()].map((k) => k.length)) + 1;
  const lines = [heading];
  for (const [dtypes, ops] of groups) {
    let line = `  ${`${dtypes}:`.padEnd(label)} `;
    const indent = ' '.repeat(line.length);
    for (const op of ops) {
      if (line.length + op.length + 1 > width && line.trim().length > label) {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += `${op} `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}
