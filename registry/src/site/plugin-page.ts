import { PROFILES, ULP_BUCKETS } from '@hearth/conformance';
import { certificationStatus, installableVersion, newestVersion, type Certification, type IndexEntry, type IndexVersion } from '../index-file.js';
import type { TrustedSigner } from '../trust.js';
import { badge, esc, page, STATUS_COLOURS } from './html.js';
import { pluginStatus } from './status.js';

const DTYPE_ORDER = ['float16', 'float32', 'float64', 'int32', 'bool'];

/** The op × dtype matrix of a certified run, each cell coloured by its worst case status. */
function matrixTable(cert: Certification): string {
  const m = cert.summary.matrix;
  const dtypes = DTYPE_ORDER.filter((d) => Object.values(m).some((row) => d in row));
  const rows = Object.entries(m).map(
    ([op, row]) =>
      `<tr><th>${esc(op)}</th>${dtypes.map((d) => (row[d] ? `<td class="cell ${esc(row[d])}" style="background:${STATUS_COLOURS[row[d]!] ?? '#607d8b'}" title="${esc(`${op} ${d}: ${row[d]}`)}">${esc(row[d])}</td>` : '<td class="cell" title="no case"></td>')).join('')}</tr>`,
  );
  return `<table class="matrix"><thead><tr><th>op</th>${dtypes.map((d) => `<th>${esc(d)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const BUCKET_COLOURS = ['#1b5e20', '#2e7d32', '#558b2f', '#9e9d24', '#f9a825', '#ef6c00', '#d84315', '#b71c1c'];

/** Per op, a stacked bar of how many float cases fall in each ULP bucket (an inline SVG). */
function ulpChart(cert: Certification): string {
  const ops = Object.entries(cert.summary.ulp);
  if (ops.length === 0) return '<p class="muted">No floating-point accuracy figures in this run.</p>';
  const labelW = 110;
  const barW = 520;
  const rowH = 16;
  const max = Math.max(...ops.map(([, h]) => h.reduce((a, b) => a + b, 0)));
  const bars = ops.map(([op, h], i) => {
    let x = labelW;
    const y = i * rowH;
    const segs = h.map((n, b) => {
      const w = (n / max) * barW;
      const rect = n > 0 ? `<rect x="${x.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${BUCKET_COLOURS[b]}"><title>${esc(`${op}: ${n} case(s) ${ULP_BUCKETS[b]!.label} ULP`)}</title></rect>` : '';
      x += w;
      return rect;
    });
    return `<text x="${labelW - 6}" y="${y + rowH - 4}" text-anchor="end" font-size="11">${esc(op)}</text>${segs.join('')}`;
  });
  const legend = ULP_BUCKETS.map((b, i) => `<span><i style="background:${BUCKET_COLOURS[i]}"></i>${esc(b.label)} ULP</span>`).join('');
  return `<svg class="ulp-chart" role="img" aria-label="ULP distribution per op" width="${labelW + barW + 10}" height="${ops.length * rowH}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}</svg><p class="legend">${legend}</p>`;
}

/** Whose figures these are: the registry bot's own rerun, or the vendor's submitted results. */
function provenance(cert: Certification): string {
  const m = cert.summary.measuredBy;
  if (!m) return '<p class="muted">Figures as submitted by the vendor: the registry bot has no such device to rerun the suite on.</p>';
  return `<p class="muted">Figures measured by the registry bot's own run on ${esc(m.device)} (${esc(m.at.slice(0, 10))}${m.freshSeed !== undefined ? `, fresh draws from seed ${esc(m.freshSeed)}` : ''}), not the submitted results.</p>`;
}

/** A model profile's certificate: what the profile promises, then each reference model's status and error. */
function modelsTable(c: Certification): string {
  const promise = PROFILES.find((p) => p.name === c.profile)?.description ?? 'Runs reference models whole on the device, compared with onnxruntime-node.';
  const rows = (c.summary.models ?? []).map((m) => `<tr><td>${esc(m.model)}</td><td>${badge(m.status)}</td><td>${esc(m.figures)}</td></tr>`);
  return `<h3>Reference models</h3><p>${esc(promise)}</p><table class="models"><thead><tr><th>Model</th><th>Status</th><th>Against onnxruntime-node</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function historyTable(entry: IndexEntry, now: Date, signers: readonly TrustedSigner[]): string {
  const rows = [...entry.versions].reverse().flatMap((v: IndexVersion) =>
    v.certifications.map(
      (c) =>
        `<tr><td>${esc(v.version)}</td><td>${esc(c.deviceType)}</td><td>${esc(c.profile)}</td><td>${esc(c.opset ?? 1)}</td><td>${esc(c.suiteVersion)}</td><td>${esc(c.certifiedAt.slice(0, 10))}</td><td>${esc(c.expires.slice(0, 10))}</td><td>${badge(certificationStatus(entry.name, v, c, now, signers))}${v.revoked ? ` <span class="muted">${esc(v.revoked.reason)}</span>` : ''}</td><td><code title="${esc(c.bundle)}">${esc(c.bundle.slice(0, 19))}…</code></td><td><code>${esc(c.signer)}</code></td></tr>`,
    ),
  );
  return `<table class="history"><thead><tr><th>Version</th><th>Device</th><th>Profile</th><th>Opset</th><th>Suite</th><th>Certified</th><th>Expires</th><th>Status</th><th>Bundle</th><th>Signer</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A plugin's page: its standing, per certified run the op × dtype matrix and ULP chart, and its history. */
export function pluginPage(entry: IndexEntry, now: Date, signers: readonly TrustedSigner[]): string {
  const s = pluginStatus(entry, now, signers);
  const latest = installableVersion(entry) ?? newestVersion(entry);
  const runs = latest.certifications.map(
    (c) => `<h2>${esc(c.deviceType)}, profile ${esc(c.profile)}, opset ${esc(c.opset ?? 1)} (suite ${esc(c.suiteVersion)})</h2>
<p>${Object.entries(c.summary.counts).map(([k, n]) => `${n} ${esc(k)}`).join(', ')}</p>
${provenance(c)}
${c.summary.models ? modelsTable(c) : `<h3>Operators × dtypes</h3>${matrixTable(c)}
<h3>Accuracy: ULP distribution per op</h3>${ulpChart(c)}`}`,
  );
  const body = `<p><a href="../index.html">← All plugins</a></p>
<h1>${esc(entry.name)} ${badge(s.status)}</h1>
${s.newestRevoked ? `<p><b>The newest version, ${esc(s.newestRevoked)}, is revoked</b>: this page shows ${esc(s.version)}, the version an install gets when it avoids revoked ones.</p>` : ''}
<p>${esc(entry.vendor)} · version ${esc(s.version)} · device types ${esc(latest.deviceTypes.join(', '))} · core API ${esc(latest.coreApi)} · opset ${esc(latest.opset)} · contact ${esc(entry.contact)}</p>
<p>Claims ${esc(latest.profiles.join(', '))}; certified ${esc(s.profiles.join(', ') || 'nothing at present')}${s.suites.length ? ` by suite ${esc(s.suites.join(', '))}` : ''}; package <code>${esc(latest.integrity.slice(0, 30))}…</code></p>
${runs.join('\n')}
<h2>History</h2>${historyTable(entry, now, signers)}`;
  return page(`${entry.name}: Hearth plugin registry`, body);
}
