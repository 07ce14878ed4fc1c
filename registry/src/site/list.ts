import type { IndexEntry, RegistryIndex } from '../index-file.js';
import { badge, esc, page } from './html.js';
import { pluginStatus, pluginSlug } from './status.js';

// Filters rows by every whitespace-separated term of the box (case-insensitive), and keeps the count true.
const FILTER_SCRIPT = `
const box = document.getElementById('filter');
const rows = [...document.querySelectorAll('#plugins tbody tr')];
const count = document.getElementById('count');
function apply() {
  const terms = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const row of rows) {
    const hit = terms.every((t) => row.dataset.search.includes(t));
    row.hidden = !hit;
    if (hit) shown++;
  }
  count.textContent = shown + ' of ' + rows.length + ' plugins';
}
box.addEventListener('input', apply);
apply();
`;

function row(entry: IndexEntry, now: Date, signers: RegistryIndex['signers']): string {
  const s = pluginStatus(entry, now, signers);
  const search = [entry.name, entry.vendor, s.status, ...s.deviceTypes, ...s.profiles].join(' ').toLowerCase();
  return `<tr data-search="${esc(search)}" data-name="${esc(entry.name)}">
<td><a href="plugins/${esc(pluginSlug(entry.name))}.html">${esc(entry.name)}</a></td><td>${esc(entry.vendor)}</td><td>${esc(s.version)}${s.newestRevoked ? ` <span class="muted">(${esc(s.newestRevoked)} revoked)</span>` : ''}</td>
<td>${badge(s.status)}</td><td>${esc(s.deviceTypes.join(', '))}</td><td>${esc(s.profiles.join(', ') || '—')}</td><td>${esc(s.suites.join(', ') || '—')}</td><td>${esc(s.expires?.slice(0, 10) ?? '—')}</td></tr>`;
}

/** The list page: every plugin with its status, device types, certified profiles and expiry, and a filter box. */
export function listPage(index: RegistryIndex, now: Date): string {
  const body = `<h1>Hearth plugin registry</h1>
<p class="muted">Plugins certified by the Hearth conformance suite. A certificate lasts 12 months and is accepted while its suite version is one of the current suite and the two releases before it; a certificate stands only while its signer is trusted for that package and device type. The version shown is the one an install gets: the highest that is not revoked. Built ${esc(now.toISOString().slice(0, 10))}.</p>
<p><input id="filter" type="search" placeholder="Filter: name, vendor, device type, profile, status" aria-label="Filter plugins"> <span id="count" class="muted"></span></p>
<table id="plugins"><thead><tr><th>Plugin</th><th>Vendor</th><th>Version</th><th>Status</th><th>Device types</th><th>Certified profiles</th><th>Suite</th><th>Expires</th></tr></thead>
<tbody>
${index.entries.map((e) => row(e, now, index.signers)).join('\n')}
</tbody></table>`;
  return page('Hearth plugin registry', body, FILTER_SCRIPT);
}
