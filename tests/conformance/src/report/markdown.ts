import type { RunResult } from '../runner/run.js';
import { describeFailure, failuresOf, matrix, matrixDtypes, modelRows } from './format.js';

const MARK: Record<string, string> = { pass: '✅', fail: '❌', crash: '💥', timeout: '⏱', 'not-supported': '—', skip: '⏭', 'expected-fail': '⚠️', 'unexpected-pass': '❗', flaky: '〰' };

/** The Markdown summary: versions, verdict, counts, the op × dtype matrix and every failure. */
export function markdownSummary(run: RunResult): string {
  const m = matrix(run.results);
  const dtypes = matrixDtypes(m);
  const lines = [
    `# Hearth conformance: ${run.plugin.name}@${run.plugin.version} on ${run.device.name ?? run.device.type}`,
    '',
    `**Verdict: ${run.verdict.toUpperCase()}**${run.reasons.length ? ` — ${run.reasons.join('; ')}` : ''}`,
    '',
    `Suite ${run.suite.version} (seed ${run.suite.seed}${run.suite.freshSeed !== undefined ? `, fresh draws from seed ${run.suite.freshSeed}` : ''}), opset v${run.opsetVersion}, core API ${run.coreApiVersion}, profile \`${run.profile.name}\`${run.selection.certify ? ' (certification run)' : ''}; ` +
      `${run.results.length} cases in ${(run.durationMs / 1000).toFixed(1)} s on ${run.environment.cpuModel} (${run.environment.platform}/${run.environment.arch}, Node ${run.environment.node}).`,
    '',
    `| ${Object.keys(run.counts).join(' | ')} |`,
    `|${Object.keys(run.counts).map(() => '---').join('|')}|`,
    `| ${Object.values(run.counts).join(' | ')} |`,
    '',
    '## Operators',
    '',
    `| op | ${dtypes.join(' | ')} |`,
    `|---|${dtypes.map(() => '---').join('|')}|`,
    ...[...m].map(([op, row]) => `| ${op} | ${dtypes.map((d) => (row.has(d) ? `${MARK[row.get(d)!.status]} ${row.get(d)!.counts.pass ?? 0}/${row.get(d)!.total}` : '')).join(' | ')} |`),
    '',
  ];
  const models = modelRows(run);
  if (models.length) lines.push('## Reference models', '', '| model | status | against onnxruntime-node |', '|---|---|---|', ...models.map((r) => `| ${r.model} | ${MARK[r.status]} ${r.status} | ${r.figures} |`), '');
  const failures = failuresOf(run);
  if (failures.length) lines.push('## Failures', '', '```', ...failures.map((r) => describeFailure(run, r)), '```', '');
  return lines.join('\n');
}
