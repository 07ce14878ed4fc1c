import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { startNpmRegistry, type FakeNpmRegistry } from './testing/npm-registry.js';

const repoRoot = join(import.meta.dirname, '../..');
const lab = generateSignerKey('Hearth CI');
let run: RunResult;
let cpuIntegrity: string;
let cpuTarball: Buffer;
let server: FakeGitHub | undefined;
let npm: FakeNpmRegistry | undefined;
let repo: FakeRepo;
let fork: FakeRepo;

beforeAll(async () => {
  run = await certifyCpu();
  cpuIntegrity = packageIntegrity(join(repoRoot, 'plugins/cpu'));
  const out = mkdtempSync(join(tmpdir(), 'hearth-pack-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: join(repoRoot, 'plugins/cpu'), stdio: 'ignore' });
  cpuTarball = readFileSync(join(out, readdirSync(out)[0]!));
}, 120_000);

afterEach(async () => {
  await server?.close();
  await npm?.close();
  server = undefined;
  npm = undefined;
});

/** The bot's environment here, fetching published tarballs from the test's npm registry. */
const bot = (options: { cwd: string; deviceTypes?: string[] }) => localBotEnvironment({ npmRegistry: npm!.url, ...options });

async function github() {
  repo = fakeRepo('hearth', 'registry', { 'README.md': '# registry\n' });
  fork = repo.fork('mallory');
  const pull = { number: 1, author: 'x', headSha: 'abc', createdAt: '2026-01-01T00:00:00Z', labels: [], files: [], reviews: [], comments: [] };
  server = await startFakeGitHub('hearth', 'registry', pull, {}, 30, undefined, [repo.route, fork.route]);
  npm = await startNpmRegistry();
  return fastClient(server);
}

const index = () => initIndex(mkdtempSync(join(tmpdir(), 'hearth-index-')), [trustedForAll(lab)]);
const CPU_FOLDER = 'bundles/hearth__plugin-cpu/1.0.0/cpu-core';
const CPU_BRANCH = 'certify/hearth__plugin-cpu-1.0.0-cpu-core';
/** A bundle folder and the text of its results.json with one passing case relabelled as skipped (a hash mismatch). */
function tamperedResults(dir: string): { good: string; bad: string } {
  const good = readFileSync(join(dir, 'results.json'), 'utf8');
  return { good, bad: good.replace('"status": "pass"', '"status": "skip"') };
}
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

  it('passes a good submission after rerunning the suite on this machine and checking the published tarball', async () => {
    const octokit = await github();
    npm!.publish('@hearth/plugin-cpu', '1.0.0', cpuTarball);
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab, { integrity: cpuIntegrity }) });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: bot({ cwd: repoRoot }) });
    const checks = Object.fromEntries(outcome.bundles[0]!.checks.map((c) => [c.check, c]));
    expect(outcome.conclusion).toBe('success');
    expect(checks['rerun']).toMatchObject({ ok: true, message: expect.stringMatching(/^the bot reran the suite on cpu:0 with fresh draws \(seed \d+\): \d+ cases pass, as uploaded; the published figures are the bot's$/) });
    expect(outcome.bundles[0]!.rerun!.results.length).toBeGreaterThan(run.results.length);
    expect(checks['integrity']).toMatchObject({ ok: true });
    expect(checks['integrity']!.skipped).toBeUndefined();
    expect(checks['integrity']!.message).toContain(`(the tarball ${npm!.url} publishes)`);
    expect(npm!.requests).toContain('/-/tarballs/%40hearth%2Fplugin-cpu/1.0.0.tgz');
    expect(checkRun()).toMatchObject({ conclusion: 'success', head_sha: repo.headSha(sub.branch), output: { annotations: [] } });
  }, 120_000);

  it('fails a tampered submission with an annotation at the file and check at fault, and flags stray files', async () => {
    const octokit = await github();
    const dir = bundleOf(run, lab, { integrity: cpuIntegrity });
    writeFileSync(join(dir, 'results.json'), readFileSync(join(dir, 'results.json'), 'utf8').replace('"status": "pass"', '"status": "skip"'));
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: dir });
    await octokit.rest.repos.createOrUpdateFileContents({ owner: 'hearth', repo: 'registry', path: 'index/plugins/hearth__plugin-cpu.json', branch: sub.branch, content: Buffer.from('{}').toString('base64'), message: 'sneak' });
    repo.push(sub.branch, { 'index/signers.json': '{"signers":[]}' });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: bot({ cwd: repoRoot, deviceTypes: [] }) });
    expect(outcome.conclusion).toBe('failure');
    const annotations = checkRun().output.annotations.map((a) => [a.path, a.title]);
    expect(annotations).toEqual([
      ['index/plugins/hearth__plugin-cpu.json', 'layout'],
      ['index/signers.json', 'layout'],
      ['bundles/hearth__plugin-cpu/1.0.0/cpu-core/results.json', 'hashes'],
      ['bundles/hearth__plugin-cpu/1.0.0/cpu-core/results.json', 'outcomes'],
    ]);
    expect(checkRun().output.summary).toContain("➖ **rerun**: not rerun: no cpu device on the bot's machine");
    expect(checkRun().output.annotations[1]!.message).toMatch(/signers are changed by the registry's maintainers, never in a submission/);
  });

  it('judges the commit it reports on: a push during the check is read again, never given the verdict of other files', async () => {
    const octokit = await github();
    const dir = bundleOf(run, lab, { integrity: cpuIntegrity });
    const { good, bad } = tamperedResults(dir);
    writeFileSync(join(dir, 'results.json'), bad);
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: dir });
    const tampered = repo.headSha(sub.branch);
    // Right after the bot lists the files of the tampered commit, the submitter pushes the good results.
    server!.after(`/repos/hearth/registry/pulls/${sub.number}/files`, () => repo.push(sub.branch, { [`${CPU_FOLDER}/results.json`]: good }));
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: bot({ cwd: repoRoot, deviceTypes: [] }) });
    const fixed = repo.headSha(sub.branch);
    expect(fixed).not.toBe(tampered);
    expect(outcome).toMatchObject({ conclusion: 'success', headSha: fixed });
    expect([...server!.checkRuns.values()].map((r) => [r['head_sha'], r['conclusion']])).toEqual([[fixed, 'success']]);
    expect(checkRun().output.summary).toContain(`the head moved from ${tampered.slice(0, 7)}`);
  });

  it("judges a fork's pull request on the fork's files at its commit, not a same-named branch of the registry", async () => {
    const octokit = await github();
    await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab, { integrity: cpuIntegrity }) });
    const dir = bundleOf(run, lab, { integrity: cpuIntegrity });
    const { bad } = tamperedResults(dir);
    await octokit.rest.git.createRef({ owner: 'mallory', repo: 'registry', ref: `refs/heads/${CPU_BRANCH}`, sha: fork.headSha('main') });
    fork.push(CPU_BRANCH, Object.fromEntries(['certificate.json', 'junit.xml', 'manifest.json'].map((f) => [`${CPU_FOLDER}/${f}`, readFileSync(join(dir, f), 'utf8')]).concat([[`${CPU_FOLDER}/results.json`, bad]])));
    const { data: pull } = await octokit.rest.pulls.create({ owner: 'hearth', repo: 'registry', head: `mallory:${CPU_BRANCH}`, base: 'main', title: 'Certify', body: '' });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: pull.number, index: index(), environment: bot({ cwd: repoRoot, deviceTypes: [] }) });
    expect(outcome).toMatchObject({ conclusion: 'failure', headSha: fork.headSha(CPU_BRANCH) });
    expect(outcome.bundles[0]!.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['hashes', 'outcomes']);
    expect(checkRun()).toMatchObject({ conclusion: 'failure', head_sha: fork.headSha(CPU_BRANCH) });
  });

  it('fails a pull request with more files than GitHub lists: 750 bundles hide an edit to signers.json', async () => {
    const octokit = await github();
    const branch = 'certify/many';
    await octokit.rest.git.createRef({ owner: 'hearth', repo: 'registry', ref: `refs/heads/${branch}`, sha: repo.headSha('main') });
    const files: Record<string, string> = { 'index/signers.json': '{"signers":[]}' };
    for (let i = 0; i < 750; i++) for (const f of ['certificate.json', 'results.json', 'junit.xml', 'manifest.json']) files[`bundles/p${i}/1.0.0/cpu-core/${f}`] = '{}';
    repo.push(branch, files);
    const { data: pull } = await octokit.rest.pulls.create({ owner: 'hearth', repo: 'registry', head: branch, base: 'main', title: 'Certify', body: '' });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: pull.number, index: index() });
    expect(outcome.conclusion).toBe('failure');
    expect(outcome.problems).toEqual(['The pull request changes 3001 files but GitHub lists only 3000: 1 file(s) can\'t be seen, so the submission can\'t be judged. A submission adds one bundle folder.']);
    expect(checkRun()).toMatchObject({ conclusion: 'failure', head_sha: repo.headSha(branch) });
    expect(server!.requests.some((r) => r.includes('/contents/'))).toBe(false);
  });

  it('fails a submission whose published tarball is not the certified package, or when the registry cannot be reached', async () => {
    const octokit = await github();
    npm!.publish('@hearth/plugin-cpu', '1.0.0', Buffer.concat([cpuTarball, Buffer.from('another build')]));
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(run, lab, { integrity: cpuIntegrity }) });
    const options = { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index() };
    const outcome = await checkPullRequest(octokit, { ...options, environment: bot({ cwd: repoRoot, deviceTypes: [] }) });
    expect(outcome.conclusion).toBe('failure');
    const failed = outcome.bundles[0]!.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['integrity']);
    expect(failed[0]!.message).toMatch(new RegExp(`is not the certified ${cpuIntegrity.replace(/[+/]/g, '\\$&')}: this is not the package that was tested \\(the tarball ${npm!.url} publishes\\)$`));
    const unreachable = await checkPullRequest(octokit, { ...options, environment: localBotEnvironment({ cwd: repoRoot, deviceTypes: [], npmRegistry: 'http://127.0.0.1:1' }) });
    expect(unreachable.conclusion).toBe('failure');
    expect(unreachable.bundles[0]!.checks.find((c) => c.check === 'integrity')).toMatchObject({ ok: false, message: expect.stringMatching(/^not checked: could not fetch @hearth\/plugin-cpu from http:\/\/127\.0\.0\.1:1\//) });
  });

  it('submit refuses a bundle whose package changed after certifying, and says what changed', async () => {
    const octokit = await github();
    const pkgDir = mkdtempSync(join(tmpdir(), 'hearth-plugin-'));
    const pkg = { name: '@toy/npu', version: '1.0.0', hearth: { ...cpuPackage.hearth, deviceTypes: ['npu'], vendor: 'Toy' } };
    const toyRun = copyRun(run);
    toyRun.device = { ...toyRun.device, type: 'npu', name: 'npu:0' };
    toyRun.plugin = { ...toyRun.plugin, name: '@toy/npu', vendor: 'Toy' };
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(pkgDir, 'index.js'), 'export const plugin = {};\n');
    const bundleDir = bundleOf(toyRun as RunResult, lab, { package: pkg, integrity: packageIntegrity(pkgDir) });
    const submit = () => submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir, packageDir: pkgDir });
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ ...pkg, version: '1.0.1' }));
    await expect(submit()).rejects.toThrow(/is no longer the package @toy\/npu@1\.0\.0 that was certified: package\.json changed after certifying \(version "1\.0\.1", certified "1\.0\.0"\)/);
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(pkgDir, 'index.js'), 'export const plugin = { changed: true };\n');
    await expect(submit()).rejects.toThrow(/a file npm packs \(package\.json, built code, README, \.\.\.\) changed after certifying/);
    expect(server!.writes).toEqual([]);
    writeFileSync(join(pkgDir, 'index.js'), 'export const plugin = {};\n');
    await expect(submit()).resolves.toMatchObject({ branch: 'certify/toy__npu-1.0.0-npu-core' });
  });

  it('does not rerun a device this machine lacks, and says so', async () => {
    const octokit = await github();
    const npu = copyRun(run);
    npu.device = { ...npu.device, type: 'npu', name: 'npu:0' };
    npu.plugin = { ...npu.plugin, name: '@acme/npu', vendor: 'Acme' };
    const pkg = { name: '@acme/npu', version: '1.0.0', hearth: { ...cpuPackage.hearth, deviceTypes: ['npu'], vendor: 'Acme' } };
    const sub = await submitBundle(octokit, { owner: 'hearth', repo: 'registry', bundleDir: bundleOf(npu as RunResult, lab, { package: pkg }) });
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: bot({ cwd: repoRoot }) });
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
    const outcome = await checkPullRequest(octokit, { owner: 'hearth', repo: 'registry', pullNumber: sub.number, index: index(), environment: bot({ cwd: app }) });
    expect(outcome.conclusion).toBe('failure');
    const failed = outcome.bundles[0]!.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['rerun']);
    expect(failed[0]!.message).toMatch(/^the bot's own run with fresh draws \(seed \d+\) fails: .*; it disagrees with the uploaded results on \d+ case\(s\): hearth:op,neg:/);
    expect(checkRun().output.annotations).toEqual([expect.objectContaining({ path: 'bundles/toy__bad-cpu/1.0.0/cpu-core/results.json', title: 'rerun' })]);
  }, 120_000);
});
