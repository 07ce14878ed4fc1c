import type { RunResult } from '../runner/run.js';
import { describeFailure } from './format.js';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one testsuite per op (and one for the life-cycle checks), one testcase per case. */
export function junitXml(run: RunResult): string {
  const suites = new Map<string, typeof run.results>();
  for (const r of run.results) {
    const name = r.id.split(':').slice(0, 2).join(':');
    suites.set(name, [...(suites.get(name) ?? []), r]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="hearth-conformance ${esc(run.plugin.name)} ${run.device.type} ${run.profile.name}" tests="${run.results.length}" failures="${run.counts.fail + run.counts['unexpected-pass']}" errors="${run.counts.crash + run.counts.timeout}" time="${(run.durationMs / 1000).toFixed(3)}">`];
  for (const [name, rs] of suites) {
    const fails = rs.filter((r) => r.status === 'fail' || r.status === 'unexpected-pass').length;
    const errors = rs.filter((r) => r.status === 'crash' || r.status === 'timeout').length;
    const skipped = rs.filter((r) => ['skip', 'not-supported', 'expected-fail'].includes(r.status)).length;
    const time = rs.reduce((t, r) => t + r.timeMs, 0) / 1000;
    out.push(`  <testsuite name="${esc(name)}" tests="${rs.length}" failures="${fails}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(3)}">`);
    for (const r of rs) {
      const open = `    <testcase classname="${esc(name)}" name="${esc(r.id.split(':').slice(2).join(':'))}" time="${(r.timeMs / 1000).toFixed(4)}"`;
      const detail = esc(describeFailure(run, r));
      if (r.status === 'fail' || r.status === 'unexpected-pass') out.push(`${open}><failure message="${esc(r.message ?? r.status)}">${detail}</failure></testcase>`);
      else if (r.status === 'crash' || r.status === 'timeout') out.push(`${open}><error type="${r.status}" message="${esc(r.message ?? r.status)}">${detail}</error></testcase>`);
      else if (r.status === 'skip' || r.status === 'not-supported' || r.status === 'expected-fail') out.push(`${open}><skipped message="${esc(`${r.status}${r.message ? `: ${r.message}` : ''}`)}"/></testcase>`);
      else out.push(`${open}/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
