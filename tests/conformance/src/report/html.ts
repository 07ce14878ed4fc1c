import type { RunResult } from '../runner/run.js';
import { describeFailure, failuresOf, matrix, matrixDtypes, modelRows, ulpHistogram, ULP_BUCKETS, cellStatus, type MatrixCell } from './format.js';
import { ACCURACY } from '../accuracy.js';
import { FAILING, type CaseStatus } from '../results.js';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:center}
th{background:#f4f4f4}td.op{text-align:left;font-family:monospace}.pass{background:#c8efc8}.fail,.crash,.timeout,.unexpected-pass{background:#f6b8b8}.not-supported{background:#eee;color:#888}
.expected-fail,.flaky,.skip{background:#fbe3a6}.bar{display:inline-block;height:10px;background:#4a7fd0;vertical-align:middle}pre{background:#f8f8f8;padding:1em;overflow:auto}.verdict-pass{color:#186a18}.verdict-fail{color:#a01818}
.unavailable{background:#e4e4e4;color:#666}.verdict-unavailable{color:#666}`;

/** A run whose device could not start on this machine (no GPU, no driver): unavailable, never a failure. */
const isUnavailable = (run: RunResult): boolean => !run.init.ok;

function cell(c: MatrixCell | undefined, anchor: string): string {
  if (!c) return '<td></td>';
  const failing = FAILING.reduce((n, s) => n + (c.counts[s] ?? 0), 0);
  const text = c.status === 'not-supported' ? 'n/s' : failing ? `${failing} failing / ${c.total}` : `${c.counts.pass ?? 0}/${c.total}`;
  return `<td class="${c.status}" title="${esc(JSON.stringify(c.counts))}">${failing ? `<a href="#${anchor}">${text}</a>` : text}</td>`;
}

/** The device's self-description as a two-column table (nested values as JSON). */
function deviceTable(info: Readonly<Record<string, unknown>>): string {
  const rows = Object.entries(info).map(([k, v]) => `<tr><th style="text-align:left">${esc(k)}</th><td style="text-align:left">${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function histogram(h: number[]): string {
  const max = Math.max(1, ...h);
  return h.map((n) => `<td>${n ? `<span class="bar" style="width:${Math.max(2, Math.round((40 * n) / max))}px"></span> ${n}` : ''}</td>`).join('');
}

/** The HTML report: verdict, environment, the op × dtype matrix in colour, ULP distribution per op, failures. */
export function htmlReport(run: RunResult): string {
  const m = matrix(run.results);
  const dtypes = matrixDtypes(m);
  const hist = ulpHistogram(run.results);
  const failures = failuresOf(run);
  const lifecycle = run.results.filter((r) => r.kind === 'lifecycle');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hearth conformance: ${esc(run.plugin.name)} on ${esc(run.device.type)}</title><style>${STYLE}</style></head><body>
<h1>Hearth conformance: ${esc(run.plugin.name)}@${esc(run.plugin.version)} on ${esc(run.device.name ?? run.device.type)}</h1>
${isUnavailable(run)
    ? `<p class="verdict-unavailable"><b>Unavailable here</b> — the device could not start, so no case ran: ${esc(run.init.reason ?? 'no reason given')}</p>`
    : `<p class="verdict-${run.verdict}"><b>Verdict: ${run.verdict.toUpperCase()}</b>${run.reasons.length ? ` — ${esc(run.reasons.join('; '))}` : ''}</p>`}
<p>Suite ${run.suite.version} (seed ${run.suite.seed}${run.suite.freshSeed !== undefined ? `, fresh draws from seed ${run.suite.freshSeed}` : ''}) · opset v${run.opsetVersion} · core API ${run.coreApiVersion} · profile <code>${run.profile.name}</code>${run.selection.certify ? ' · certification run' : ''} ·
${run.results.length} cases in ${(run.durationMs / 1000).toFixed(1)} s · ${esc(run.environment.cpuModel)} · Node ${run.environment.node} · started ${run.startedAt}</p>
<h2>Device</h2>
${deviceTable(run.device.info ?? {})}
<table><tr>${Object.keys(run.counts).map((k) => `<th class="${k}">${k}</th>`).join('')}</tr><tr>${Object.values(run.counts).map((v) => `<td>${v}</td>`).join('')}</tr></table>
<h2>Operators × dtypes</h2>
<table><tr><th>op</th>${dtypes.map((d) => `<th>${d}</th>`).join('')}<th>accuracy class</th></tr>
${[...m].map(([op, row]) => `<tr><td class="op">${op}</td>${dtypes.map((d) => cell(row.get(d), `fail-${op}`)).join('')}<td title="${esc(ACCURACY[op]?.text ?? '')}">${ACCURACY[op]?.class ?? ''}</td></tr>`).join('\n')}
</table>
<h2>Accuracy: max ULP distance per case, by op</h2>
<table><tr><th>op</th>${ULP_BUCKETS.map((b) => `<th>${b.label}</th>`).join('')}<th>contract</th></tr>
${[...hist].map(([op, h]) => `<tr><td class="op">${op}</td>${histogram(h)}<td style="text-align:left">${esc(ACCURACY[op]?.text ?? '')}</td></tr>`).join('\n')}
</table>
${modelRows(run).length ? `<h2>Reference models</h2>
<table><tr><th>model</th><th>status</th><th>against onnxruntime-node</th></tr>${modelRows(run).map((r) => `<tr><td class="op">${esc(r.model)}</td><td class="${r.status}">${r.status}</td><td style="text-align:left">${esc(r.figures)}</td></tr>`).join('')}</table>` : ''}
<h2>Life cycle</h2>
<table><tr><th>check</th><th>status</th><th>message</th></tr>${lifecycle.map((r) => `<tr><td class="op">${esc(r.id)}</td><td class="${r.status}">${r.status}</td><td style="text-align:left">${esc(r.message ?? '')}</td></tr>`).join('')}</table>
<h2>Failures (${failures.length})</h2>
${failures.map((r) => `<pre id="fail-${esc(r.op ?? 'lifecycle')}">${esc(describeFailure(run, r))}</pre>`).join('\n') || '<p>None.</p>'}
</body></html>
`;
}

/** One backend's column of the op × backend matrix. */
export interface BackendColumn {
  /** The column title, e.g. `cpu (@hearth/plugin-cpu)`. */
  readonly title: string;
  /** Its run, or why it could not run. */
  readonly run: RunResult | {
    /** Why the backend could not be run. */
    readonly error: string;
  };
}

/** The op × backend status per cell, over all dtypes of each run. */
export function opBackendCells(columns: readonly BackendColumn[]): Map<string, CaseStatus[]> {
  const out = new Map<string, CaseStatus[]>();
  columns.forEach((col, i) => {
    if ('error' in col.run) return;
    for (const [op, row] of matrix(col.run.results)) {
      const counts: Partial<Record<CaseStatus, number>> = {};
      for (const c of row.values()) for (const [s, n] of Object.entries(c.counts)) counts[s as CaseStatus] = (counts[s as CaseStatus] ?? 0) + n;
      const cells = out.get(op) ?? out.set(op, columns.map(() => 'not-supported' as CaseStatus)).get(op)!;
      cells[i] = cellStatus(counts);
    }
  });
  return out;
}

/** The index page of the main job: the op × backend matrix, linking to each backend's report. */
export function backendsHtml(columns: readonly BackendColumn[], links: readonly string[]): string {
  const cells = opBackendCells(columns);
  const away = columns.map((c) => !('error' in c.run) && isUnavailable(c.run));
  const head = (c: BackendColumn, i: number) => ('error' in c.run ? 'could not run' : away[i] ? 'UNAVAILABLE' : c.run.verdict.toUpperCase());
  const td = (s: CaseStatus, i: number) => (away[i] ? '<td class="unavailable">unavailable</td>' : `<td class="${s}">${s}</td>`);
  const why = columns.map((c, i) => ('error' in c.run ? c.run.error : away[i] ? `unavailable here: ${c.run.init.reason ?? 'the device could not start'}` : undefined));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hearth conformance: backends</title><style>${STYLE}</style></head><body>
<h1>Hearth conformance: the core profile on every installed backend</h1>
<table><tr><th>op</th>${columns.map((c, i) => `<th><a href="${esc(links[i] ?? '#')}">${esc(c.title)}</a><br>${head(c, i)}</th>`).join('')}</tr>
${[...cells].map(([op, row]) => `<tr><td class="op">${op}</td>${row.map(td).join('')}</tr>`).join('\n')}
</table>
${columns.map((c, i) => (why[i] ? `<p><b>${esc(c.title)}</b>: ${esc(why[i]!)}</p>` : '')).join('')}
</body></html>
`;
}
