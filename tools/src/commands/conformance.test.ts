import type { HearthError } from '@hearth/core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateResults as schemaProblems } from '@hearth/conformance';
import { conformanceCommand, runConformanceCommand, type ConformanceCliOptions } from './conformance.js';
import { runMain } from './main.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CPU_DIST = pathToFileURL(join(ROOT, 'plugins/cpu/dist/index.js')).href;

// The runner's child process runs built code: build the suite and the CPU plugin (incremental, quick when fresh).
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tests/conformance', 'plugins/cpu'], { cwd: ROOT });
}, 120_000);

let logs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
function captureLog(): void {
  logs = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
}

const tmp = () => mkdtempSync(join(tmpdir(), 'hearth-conformance-'));
const opts = (o: Partial<ConformanceCliOptions>): ConformanceCliOptions => ({ plugin: '@hearth/plugin-cpu', profile: 'core', timeout: 10_000, ...o });

/** A plugin module that wraps the CPU plugin with one kernel replaced by `body` (a crash, a hang...). */
function fixturePlugin(op: string, body: string, extra = ''): string {
  const file = join(tmp(), 'plugin.mjs');
  writeFileSync(
    file,
    `import { CPU_KERNELS, createCpuPlugin } from '${CPU_DIST}';
${extra}
const kernels = CPU_KERNELS.filter((k) => k.op !== '${op}');
kernels.push({ op: '${op}', device: 'cpu', dtypes: ['float32', 'float64'], run() { ${body} } });
export default createCpuPlugin({ kernels, name: '@fixture/${op}' });
`,
  );
  return file;
}

function validateResults(path: string): void {
  expect(schemaProblems(JSON.parse(readFileSync(path, 'utf8')))).toEqual([]);
}

describe('hearth conformance', () => {
  it('passes the CPU plugin on the core profile, with a whole, schema-valid report', async () => {
    captureLog();
    const dir = tmp();
    const start = performance.now();
    expect(await runConformanceCommand(opts({ report: dir }))).toBe(0);
    const seconds = (performance.now() - start) / 1000;
    for (const f of ['results.json', 'junit.xml', 'summary.md', 'index.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    validateResults(join(dir, 'results.json'));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.verdict).toBe('pass');
    expect(results.selection.isolation).toBe('child-process');
    expect(results.results.length).toBeGreaterThan(1000);
    expect(results.counts.pass).toBe(results.results.length);
    expect(logs.join('\n')).toMatch(/Verdict: PASS/);
    console.info(`core profile on the CPU plugin: ${results.results.length} cases in ${seconds.toFixed(1)} s`);
  }, 90_000);

  it('passes the CPU plugin on the float64 profile it declares', async () => {
    captureLog();
    expect(await runConformanceCommand(opts({ profile: 'float64' }))).toBe(0);
  }, 60_000);

  it('gives the same case list and the same results on every run', async () => {
    captureLog();
    const query = ['hearth:op,sum:*', 'hearth:op,gelu:*', 'hearth:op,matmul:*'];
    const runOnce = async () => {
      logs = [];
      await runConformanceCommand(opts({ query, json: true }));
      const r = JSON.parse(logs.join('\n'));
      return r.results.map((x: { id: string; status: string; accuracy?: unknown }) => [x.id, x.status, x.accuracy]);
    };
    const a = await runOnce();
    expect(a.length).toBeGreaterThan(50);
    expect(await runOnce()).toEqual(a);
  }, 60_000);

  it('lists the selected case IDs', async () => {
    captureLog();
    await conformanceCommand().parseAsync(['--list', '--query', 'hearth:op,add:dtype=float32;case=broadcast-*'], { from: 'user' });
    expect(logs).toEqual(expect.arrayContaining(['hearth:op,add:dtype=float32;case=broadcast-row', 'hearth:op,add:dtype=float32;case=broadcast-6d']));
    expect(logs.every((l) => l.startsWith('hearth:op,add:dtype=float32;case=broadcast-'))).toBe(true);
  });

  it('--fresh-seed adds each property drawn from that seed, prints the seed for replay, and stays out of signed bundles', async () => {
    captureLog();
    await conformanceCommand().parseAsync(['--list', '--query', 'hearth:op,relu:dtype=float32;case=prop*', '--fresh-seed', '7'], { from: 'user' });
    expect(logs).toEqual(['hearth:op,relu:dtype=float32;case=property', 'hearth:op,relu:dtype=float32;case=fresh-property']);
    captureLog();
    expect(await runConformanceCommand(opts({ query: ['hearth:op,relu:dtype=float32;case=property'], freshSeed: 'random' }))).toBe(0);
    const seed = Number(/Fresh property draws from seed (\d+) \(replay them with --fresh-seed \1\)/.exec(logs.join('\n'))?.[1]);
    expect(Number.isSafeInteger(seed)).toBe(true);
    await expect(runConformanceCommand(opts({ certify: true, signKey: 'key.json', freshSeed: 7 }))).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/drop one of --fresh-seed and --sign-key/) });
  });

  describe('bad input: a clear error, a non-zero exit, no report', () => {
    it('a path that is not a plugin', async () => {
      const dir = join(tmp(), 'report');
      const notPlugin = join(tmp(), 'not-a-plugin.mjs');
      writeFileSync(notPlugin, 'export const answer = 42;\n');
      await expect(conformanceCommand().parseAsync(['--plugin', notPlugin, '--report', dir], { from: 'user' })).rejects.toMatchObject({ code: 'E_PLUGIN', message: expect.stringMatching(/is not a Hearth plugin/) });
      expect(existsSync(dir)).toBe(false);
    }, 30_000);

    it('a malformed expectations file', async () => {
      const dir = join(tmp(), 'report');
      const file = join(tmp(), 'expectations.yaml');
      writeFileSync(file, 'version: 1\nexpectations:\n  - query: "hearth:op,add:*"\n    status: broken\n');
      await expect(runConformanceCommand(opts({ expectations: file, report: dir }))).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/status must be equal to one of the allowed values|issue/) });
      expect(existsSync(dir)).toBe(false);
    });

    it('an expired or unmatched expectation', async () => {
      const file = join(tmp(), 'expectations.yaml');
      writeFileSync(
        file,
        'version: 1\nexpectations:\n' +
          '  - { query: "hearth:op,add:*", status: fail, issue: "https://example.com/1", expires: "2020-01-01" }\n' +
          '  - { query: "hearth:op,no_such_op:*", status: skip, issue: "https://example.com/2", expires: "2999-01-01" }\n',
      );
      await expect(runConformanceCommand(opts({ expectations: file }))).rejects.toThrow(/expired on 2020-01-01[\s\S]*matches no case/);
    });

    it('a query that matches nothing', async () => {
      await expect(runConformanceCommand(opts({ query: ['hearth:op,no_such_op:*'] }))).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/matches no case/) });
      await expect(runConformanceCommand(opts({ query: ['op,add'] }))).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/Invalid query/) });
    });
  });

  describe('crash isolation', () => {
    it('a kernel that kills its process becomes a crash result naming the case, and the run goes on', async () => {
      captureLog();
      const plugin = fixturePlugin('exp', 'process.exit(7);');
      const dir = tmp();
      const code = await runConformanceCommand(opts({ plugin, query: ['hearth:op,exp:dtype=float32;case=basic', 'hearth:op,exp:dtype=float32;case=scalar', 'hearth:op,neg:dtype=float32;*'], report: dir }));
      expect(code).toBe(1);
      const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      const byId = new Map(r.results.map((x: { id: string }) => [x.id, x]));
      expect(byId.get('hearth:op,exp:dtype=float32;case=basic')).toMatchObject({ status: 'crash', message: expect.stringMatching(/exit code 7/) });
      expect(byId.get('hearth:op,exp:dtype=float32;case=scalar')).toMatchObject({ status: 'crash' });
      expect(r.results.filter((x: { op: string }) => x.op === 'neg').every((x: { status: string }) => x.status === 'pass')).toBe(true);
      expect(logs.join('\n')).toMatch(/rerun: hearth conformance --plugin '.*plugin\.mjs' --device cpu --profile core --query 'hearth:op,exp:dtype=float32;case=basic'/);
    }, 60_000);

    it('a kernel that hangs becomes a timeout result after the per-case limit', async () => {
      captureLog();
      const plugin = fixturePlugin('sin', 'for (;;) {}');
      const code = await runConformanceCommand(opts({ plugin, query: ['hearth:op,sin:dtype=float32;case=basic', 'hearth:op,cos:dtype=float32;case=basic'], timeout: 1000, json: true }));
      expect(code).toBe(1);
      const r = JSON.parse(logs.join('\n'));
      expect(r.results.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
        ['hearth:op,sin:dtype=float32;case=basic', 'timeout'],
        ['hearth:op,cos:dtype=float32;case=basic', 'pass'],
      ]);
    }, 60_000);

    it('a device that fails to start is reported with its reason', async () => {
      captureLog();
      const file = join(tmp(), 'plugin.mjs');
      writeFileSync(
        file,
        `export default { manifest: { name: 'acme-npu', version: '0.1.0', vendor: 'ACME', deviceTypes: ['npu'], coreApi: '^1.0.0' },
          register(host) { host.registerBackend({ type: 'npu', create() { throw new Error('no NPU found on this machine'); } }); } };\n`,
      );
      const dir = tmp();
      // One coded error (the CLI's exit 2), not a FAIL block per case, and no advice about createHearth.
      const err = await runConformanceCommand(opts({ plugin: file, report: dir })).then(() => undefined, (e: unknown) => e as HearthError);
      expect(err?.code).toBe('E_BACKEND_INIT');
      expect(err?.message).toMatch(/acme-npu@0\.1\.0: the npu device could not start, so no case ran: .*no NPU found on this machine/);
      expect(err?.message).not.toContain('createHearth');
      expect(logs.join('\n')).not.toContain('FAIL');
      const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(r.init).toMatchObject({ ok: false, reason: expect.stringMatching(/no NPU found/) });
      expect(r.results[0]).toMatchObject({ id: 'hearth:lifecycle,init:case=ready', status: 'fail', message: expect.stringMatching(/no NPU found/) });
      validateResults(join(dir, 'results.json'));
    }, 30_000);
  });

  describe('expectations', () => {
    it('turn known failures into expected-fail, and --certify ignores them', async () => {
      captureLog();
      const plugin = fixturePlugin('exp', 'process.exit(7);');
      const file = join(tmp(), 'expectations.yaml');
      writeFileSync(file, 'version: 1\nexpectations:\n  - query: "hearth:op,exp:dtype=float32;case=basic"\n    status: fail\n    issue: https://example.com/acme/12\n    expires: "2999-12-31"\n');
      const query = ['hearth:op,exp:dtype=float32;case=basic'];
      expect(await runConformanceCommand(opts({ plugin, query, expectations: file }))).toBe(0);
      expect(logs.join('\n')).toMatch(/1 expected-fail/);
      await expect(runConformanceCommand(opts({ plugin, query, expectations: file, certify: true }))).rejects.toThrow(/certification run takes the whole profile/);
    }, 60_000);
  });
});

describe('npm start (the main job)', () => {
  it('runs the core profile on each installed backend, prints the op × backend matrix, writes the HTML report', async () => {
    captureLog();
    const dir = tmp();
    expect(await runMain({ reportDir: dir, plugins: ['@hearth/plugin-cpu', '@hearth/plugin-not-installed'] })).toBe(0);
    const out = logs.join('\n');
    expect(out).toMatch(/cpu \(@hearth\/plugin-cpu\): PASS/);
    expect(out).toMatch(/^conv2d\s+pass$/m);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<td class="op">conv2d<\/td><td class="pass">pass<\/td>/);
    expect(existsSync(join(dir, 'cpu', 'results.json'))).toBe(true);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<a href="registry/site/index.html">');
    expect(readFileSync(join(dir, 'registry', 'site', 'index.html'), 'utf8')).toContain('>@hearth/plugin-cpu</a>');
  }, 120_000);

  it('--json prints one JSON summary on stdout (the human lines go to stderr)', async () => {
    captureLog();
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    const dir = tmp();
    expect(await runMain({ reportDir: dir, plugins: ['@hearth/plugin-cpu'], json: true })).toBe(0);
    expect(logs).toHaveLength(1);
    const summary = JSON.parse(logs[0]!) as { backends: { backend: string; verdict: string; cases: number }[]; matrix: Record<string, Record<string, string>>; exitCode: number; report: string };
    expect(summary.backends).toEqual([expect.objectContaining({ backend: 'cpu', verdict: 'pass' })]);
    expect(summary.backends[0]!.cases).toBeGreaterThan(100);
    expect(summary.matrix['conv2d']).toEqual({ 'cpu (@hearth/plugin-cpu)': 'pass' });
    expect(summary).toMatchObject({ exitCode: 0, report: join(dir, 'index.html') });
    expect(errors.join('\n')).toMatch(/cpu \(@hearth\/plugin-cpu\): PASS/);
  }, 120_000);

  it('judges a plugin by the profile its manifest claims: a core-partial plugin passes core-partial, not fails core', async () => {
    captureLog();
    const pkg = tmp();
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(
      join(pkg, 'dist/index.js'),
      `import { CPU_KERNELS, createCpuPlugin } from '${CPU_DIST}';\nexport default createCpuPlugin({ name: '@acme/partial-cpu', kernels: CPU_KERNELS.filter((k) => k.op === 'add') });\n`,
    );
    const hearth = { entry: './dist/index.js', deviceTypes: ['cpu'], coreApi: '^1.0.0', opset: 2, profiles: ['core-partial'], vendor: 'ACME', contact: 'https://acme.example/support' };
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/partial-cpu', version: '0.1.0', type: 'module', hearth }));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(await runMain({ reportDir: tmp(), plugins: [join(pkg, 'dist/index.js')], json: true })).toBe(0);
    const summary = JSON.parse(logs[0]!) as { backends: { profile: string; verdict: string }[] };
    expect(summary.backends).toEqual([expect.objectContaining({ profile: 'core-partial', verdict: 'pass' })]);
    expect(errors.join('\n')).toMatch(/cpu \(@acme\/partial-cpu\): PASS core-partial/);
  }, 120_000);
});
