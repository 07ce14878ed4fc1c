import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuPlugin, CPU_KERNELS, createCpuPlugin } from '@hearth/plugin-cpu';
import { runConformance, validateResults, writeReports, junitXml } from '../src/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hearth-conf-'));

describe('runs in process on the reference CPU plugin', () => {
  it('passes core with every op, every check, a schema-valid report and whole report files', async () => {
    const run = await runConformance({ plugin: cpuPlugin, profile: 'core' });
    expect(run.reasons).toEqual([]);
    expect(run.verdict).toBe('pass');
    expect(run.counts.pass).toBe(run.results.length);
    const dir = tmp();
    writeReports(run, dir);
    expect(validateResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')))).toEqual([]);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<td class="op">matmul<\/td>/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/\*\*Verdict: PASS\*\*/);
    expect(junitXml(run)).toMatch(new RegExp(`<testsuites [^>]*tests="${run.results.length}" failures="0"`));
  }, 120_000);

  it('passes the large profile: reductions past 2^24 elements, inner sizes past 65,536, a softmax row of 6 million', async () => {
    const run = await runConformance({ plugin: cpuPlugin, profile: 'large' });
    expect(run.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(run.results.filter((r) => r.kind !== 'lifecycle').length).toBeGreaterThanOrEqual(7);
    expect(run.verdict).toBe('pass');
  }, 360_000);

  it('passes float64, and reports float16 (which it does not declare) as not-supported', async () => {
    expect((await runConformance({ plugin: cpuPlugin, profile: 'float64' })).verdict).toBe('pass');
    const f16 = await runConformance({ plugin: cpuPlugin, profile: 'float16' });
    const opCases = f16.results.filter((r) => r.kind !== 'lifecycle');
    expect(opCases.length).toBeGreaterThan(100);
    expect(opCases.every((r) => r.status === 'not-supported')).toBe(true);
    expect(f16.counts.fail).toBe(0);
  });

  it('an undeclared (op, dtype) is not-supported, and fails the core profile, which requires it', async () => {
    const kernels = CPU_KERNELS.filter((k) => k.op !== 'sigmoid');
    const run = await runConformance({ plugin: createCpuPlugin({ kernels, name: '@partial/no-sigmoid' }), queries: ['hearth:op,sigmoid:*', 'hearth:lifecycle,supports:*'] });
    expect(run.results.filter((r) => r.op === 'sigmoid').every((r) => r.status === 'not-supported')).toBe(true);
    expect(run.results.filter((r) => r.id.startsWith('hearth:lifecycle,supports')).every((r) => r.status !== 'fail')).toBe(true);
    expect(run.verdict).toBe('fail');
    expect(run.reasons.join()).toMatch(/requires every op/);
  });

  it('records accuracy for float cases: max abs, rel and ULP errors', async () => {
    const run = await runConformance({ plugin: cpuPlugin, queries: ['hearth:op,exp:dtype=float32;case=wide-range'] });
    expect(run.results[0]!.accuracy).toMatchObject({ class: 'ulp', maxUlp: expect.any(Number), maxAbsError: expect.any(Number), maxRelError: expect.any(Number) });
    expect(run.results[0]!.accuracy!.maxUlp).toBeLessThanOrEqual(0.5);
  });

  it('flaky expectations retry; skip expectations do not run the case', async () => {
    let calls = 0;
    const kernels = CPU_KERNELS.filter((k) => k.op !== 'neg');
    // Wrong on its first call only: a flaky kernel.
    kernels.push({ op: 'neg', device: 'cpu', dtypes: ['float32'], run: ([x], out) => { const a = (x!.storage as { data: Float32Array }).data; const o = (out.storage as { data: Float32Array }).data; for (let i = 0; i < o.length; i++) o[i] = calls === 0 ? 7 : -a[i]!; calls++; } });
    const file = join(tmp(), 'exp.yaml');
    writeFileSync(file, `version: 1
expectations:
  - { query: "hearth:op,neg:dtype=float32;case=basic", status: flaky, issue: "https://example.com/3", expires: "2999-01-01" }
  - { query: "hearth:op,neg:dtype=float32;case=scalar", status: skip, issue: "https://example.com/4", expires: "2999-01-01" }
`);
    const run = await runConformance({ plugin: createCpuPlugin({ kernels, name: '@flaky/neg' }), queries: ['hearth:op,neg:dtype=float32;case=basic', 'hearth:op,neg:dtype=float32;case=scalar'], expectations: file });
    expect(run.results.map((r) => [r.status, r.attempts])).toEqual([['flaky', 2], ['skip', undefined]]);
    expect(run.verdict).toBe('pass');
  });
});
