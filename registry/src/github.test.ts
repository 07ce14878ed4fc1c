import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SUITE_VERSION, type RunResult } from '@hearth/conformance';
import { startFakeGitHub, type FakeGitHub } from '../../governance/src/testing/github-server.js';
import { fakeRepo, type FakeRepo } from '../../governance/src/testing/github-repo.js';
import { fastClient } from '../../governance/src/testing/fast-client.js';
import { checkPullRequest, submitBundle } from './github.js';
import { localBotEnvironment } from './bot-environment.js';
import { initIndex } from './index-write.js';
import { generateSignerKey } from './keys.js';
import { packageIntegrity } from './integrity.js';
import { bundleOf, certifyCpu, copyRun, cpuPackage, trustedForAll } from './testing/certify.js';
import { fixtureHearth } from './testing/fixtures.js';

const repoRoot = join(import.meta.dirname, '../..');
const lab = generateSignerKey('Hearth CI');
let run: RunResult;
let cpuIntegrity: string;
let server: FakeGitHub | undefined;
let repo: FakeRepo;

beforeAll(async () => {
  run = await certifyCpu();
  cpuIntegrity = packageIntegrity(join(repoRoot, 'plugins/cpu'));
}, 120_000);

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function github() {
  repo = fakeRepo('hearth', 'registry', { 'README.md': '# registry\n' });
  const pull = { number: 1, author: 'x', headSha: 'abc', createdAt: '2026-01-01T00:00:00Z', labels: [], files: [], reviews: [], comments: [] };
  server = await startFakeGitHub('hearth', 'registry', pull, {}, 30, undefined, [repo.route]);
  return fastClient(server);
}

const index = () => initIndex(mkdtempSync(join(tmpdir(), 'hearth-index-')), [trustedForAll(lab)]);
const checkRun = () => server!.writes.find((w) => w.route === 'POST /repos/hearth/registry/check-runs')!.body as { conclusion: string; head_sha: string; output: { annotations: { path: string; title: string; message: string }[]; summary: string } };

describe('registry submit and the registry bot (check-pr), against the GitHub-compatible server', () => {
  it('opens a pull request with the bundle on its own branch', async () => {
    const octokit = await github();
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab, { integrity: cpuIntegrity }) });
    const folder = 'bundles/hearth__plugin-cpu/1.0.0/cpu-core';
    expect(sub).toMatchObject({ number: 100, branch: 'certify/hearth__plugin-cpu-1.0.0-cpu-core', files: ['certificate.json', 'results.json', 'junit.xml', 'manifest.json'].map((f) => `${folder}/${f}`) });
    expect([...repo.branches.get(sub.branch)!.keys()].sort()).toEqual(['README.md', ...sub.files].sort());
    expect(repo.pulls.get(100)).toMatchObject({ head: sub.branch, base: 'main', title: `Certify @hearth/plugin-cpu@1.0.0 (cpu, core profile, suite ${SUITE_VERSION})` });
    await expect(submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab) })).rejects.toThrow(/GitHub refused to create branch certify\/hearth__plugin-cpu-1\.0\.0-cpu-core \(is a submission of this bundle already open\?\) \(HTTP 422\)/);
  });

  it('passes a good submission after rerunning the suite on this machine and checking the package integrity', async () => {
    const octokit = await github();
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab, { integrity: cpuIntegrity }) });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: localBotEnvironment({ cwd: repoRoot }) });
    const checks = Object.fromEntries(outcome.bundles[0]!.checks.map((c) => [c.check, c]));
    expect(outcome.conclusion).toBe('success');
    expect(checks['rerun']).toMatchObject({ ok: true, message: expect.stringMatching(/^the bot reran the suite on cpu:0 with fresh draws \(seed \d+\): \d+ cases pass, as uploaded; the published figures are the bot's$/) });
    expect(outcome.bundles[0]!.rerun!.results.length).toBeGreaterThan(run.results.length);
    expect(checks['integrity']).toMatchObject({ ok: true });
    expect(checks['integrity']!.skipped).toBeUndefined();
    expect(checkRun()).toMatchObject({ conclusion: 'success', head_sha: repo.headSha(sub.branch), output: { annotations: [] } });
  }, 120_000);

  it('fails a tampered submission with an annotation at the file and check at fault, and flags stray files', async () => {
    const octokit = await github();
    const dir = bundleOf(run, lab, { integrity: cpuIntegrity });
    writeFileSync(join(dir, 'results.json'), readFileSync(join(dir, 'results.json'), 'utf8').replace('"status": "pass"', '"status": "skip"'));
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: dir });
    await octokit.rest.repos.createOrUpdateFileContents({ owner: 'hearth', repo: 'registry', path: 'index/plugins/hearth__plugin-cpu.json', branch: sub.branch, content: Buffer.from('{}').toString('base64'), message: 'sneak' });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: localBotEnvironment({ cwd: repoRoot, deviceTypes: [] }) });
    expect(outcome.conclusion).toBe('failure');
    const annotations = checkRun().output.annotations.map((a) => [a.path, a.title]);
    expect(annotations).toEqual([
      ['index/plugins/hearth__plugin-cpu.json', 'layout'],
      ['bundles/hearth__plugin-cpu/1.0.0/cpu-core/results.json', 'hashes'],
      ['bundles/hearth__plugin-cpu/1.0.0/cpu-core/results.json', 'outcomes'],
    ]);
    expect(checkRun().output.summary).toContain("➖ **rerun**: not rerun: no cpu device on the bot's machine");
  });

  it('does not rerun a device this machine lacks, and says so', async () => {
    const octokit = await github();
    const npu = copyRun(run);
    npu.device = { ...npu.device, type: 'npu', name: 'npu:0' };
    npu.plugin = { ...npu.plugin, name: '@acme/npu', vendor: 'Acme' };
    const pkg = { name: '@acme/npu', version: '1.0.0', hearth: { ...cpuPackage.hearth, deviceTypes: ['npu'], vendor: 'Acme' } };
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(npu as RunResult, lab, { package: pkg }) });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: localBotEnvironment({ cwd: repoRoot }) });
    expect(outcome.conclusion).toBe('success');
    const rerun = outcome.bundles[0]!.checks.find((c) => c.check === 'rerun')!;
    expect(rerun).toMatchObject({ ok: true, skipped: true });
    expect(outcome.bundles[0]!.checks.find((c) => c.check === 'integrity')).toMatchObject({ skipped: true });
  });

  it('catches uploaded results the plugin does not earn: the bot reruns the suite and disagrees', async () => {
    // A CPU plugin whose neg kernel computes abs, installed in a project; its uploaded results are a
    // real passing run relabelled as its own and signed by a trusted key.
    const app = mkdtempSync(join(tmpdir(), 'hearth-bot-'));
    const pkgDir = join(app, 'node_modules', '@toy', 'bad-cpu');
    mkdirSync(pkgDir, { recursive: true });
    const hearth = fixtureHearth({ name: '@toy/bad-cpu', deviceTypes: ['cpu'], vendor: 'Hearth' });
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: '@toy/bad-cpu', version: '1.0.0', type: 'module', hearth: { ...hearth, export: 'plugin' } }));
    writeFileSync(
      join(pkgDir, 'index.js'),
      `import { createCpuPlugin, CPU_KERNELS } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'plugins/cpu/dist/index.js')).href)};
const abs = (k) => CPU_KERNELS.find((a) => a.op === 'abs' && JSON.stringify(a.dtypes) === JSON.stringify(k.dtypes));
export const plugin = createCpuPlugin({ name: '@toy/bad-cpu', kernels: CPU_KERNELS.map((k) => (k.op === 'neg' ? { ...k, run: abs(k).run } : k)) });
`,
    );
    const forged = copyRun(run);
    forged.plugin = { ...forged.plugin, name: '@toy/bad-cpu' };
    const pkg = { name: '@toy/bad-cpu', version: '1.0.0', hearth: hearth as never };
    const octokit = await github();
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(forged as RunResult, lab, { package: pkg, integrity: packageIntegrity(pkgDir) }) });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: localBotEnvironment({ cwd: app }) });
    expect(outcome.conclusion).toBe('failure');
    const failed = outcome.bundles[0]!.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['rerun']);
    expect(failed[0]!.message).toMatch(/^the bot's own run with fresh draws \(seed \d+\) fails: .*; it disagrees with the uploaded results on \d+ case\(s\): hearth:op,neg:/);
    expect(checkRun().output.annotations).toEqual([expect.objectContaining({ path: 'bundles/toy__bad-cpu/1.0.0/cpu-core/results.json', title: 'rerun' })]);
  }, 120_000);
});
