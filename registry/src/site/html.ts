/** Escapes text for HTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The colour of a case or certification status. */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  pass: '#2e7d32',
  certified: '#2e7d32',
  fail: '#c62828',
  crash: '#6a1b9a',
  timeout: '#ef6c00',
  'unexpected-pass': '#ad1457',
  'expected-fail': '#8d6e63',
  skip: '#9e9e9e',
  flaky: '#f9a825',
  'not-supported': '#cfd8dc',
  expired: '#ef6c00',
  revoked: '#c62828',
  untrusted: '#6d4c41',
};

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2327}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.badge{display:inline-block;border-radius:.6rem;padding:0 .55rem;color:#fff;font-size:.85em}
.cell{width:4.5rem;text-align:center;color:#fff;font-size:.8em}.cell.not-supported{color:#455a64}
#filter{font-size:1rem;padding:.4rem .6rem;width:28rem;max-width:100%}.muted{color:#57606a}code{font-size:.85em}
.legend span{display:inline-block;margin-right:.8rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:middle}
`;

/** A whole page. */
export function page(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
${body}
${script ? `<script>${script}</script>` : ''}
</body></html>
`;
}

/** A coloured status badge. */
export function badge(status: string): string {
  return `<span class="badge" style="background:${STATUS_COLOURS[status] ?? '#607d8b'}">${esc(status)}</span>`;
}
