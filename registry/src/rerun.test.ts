import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type RunResult } from '@hearth/conformance';
import { createCpuPlugin, CPU_KERNELS } from '@hearth/plugin-cpu';
import type { KernelTensor } from '@hearth/core';
import { localBotEnvironment } from './bot-environment.js';
import { compareRerun } from './rerun.js';
import { addBundle, initIndex } from './index-write.js';
import { readIndex } from './index-file.js';
import { buildSite } from './site/build.js';
import { generateSignerKey } from './keys.js';
import { packageIntegrity } from './integrity.js';
import { bundleOf, certifyCpu, copyRun, cpuPackage, trustedForAll } from './testing/certify.js';
import { fixtureHearth } from './testing/fixtures.js';
import type { CertificateStatement } from './bundle.js';
// @ts-expect-error: a plain JS fixture without types.
import { fingerprint } from '../../tests/conformance/test/cheats/cheat.mjs';

const repoRoot = join(import.meta.dirname, '../..');
const cheats = join(repoRoot, 'tests/conformance/test/cheats');
const lab = generateSignerKey('Hearth CI');
let run: RunResult;
let cpuRerun: RunResult;

beforeAll(async () => {
  run = await certifyCpu();
  cpuRerun = (await localBotEnvironment({ cwd: repoRoot }).rerun!({ plugin: { name: '@hearth/plugin-cpu', version: cpuPackage.version }, deviceType: 'cpu', profile: 'core' } as CertificateStatement))!;
}, 300_000);

/** A real run with every accuracy figure set to 0: a bundle claiming exact results everywhere. */
function zeroUlpClaim(): RunResult {
  const forged = copyRun(run);
  forged.results = forged.results.map((r: RunResult['results'][number]) => (r.accuracy ? { ...r, accuracy: { ...r.accuracy, maxUlp: 0, maxAbsError: 0, maxRelError: 0 } } : r));
  return forged as RunResult;
}

describe("the bot's rerun compares accuracy, not only statuses", () => {
  it('draws a fresh seed at run time and records it', async () => {
    expect(cpuRerun.suite.freshSeed).toEqual(expect.any(Number));
    expect(cpuRerun.results.filter((r) => r.id.endsWith('case=fresh-property')).length).toBeGreaterThan(50);
    expect(cpuRerun.verdict).toBe('pass');
  });

  it('accepts honest figures and refuses a bundle claiming 0 ULP where the bot measured error', () => {
    expect(compareRerun(run, cpuRerun)).toMatchObject({ ok: true });
    const inexact = cpuRerun.results.filter((r) => r.accuracy && r.accuracy.maxUlp > 0 && run.results.some((u) => u.id === r.id)).length;
    expect(inexact).toBeGreaterThan(100);
    const verdict = compareRerun(zeroUlpClaim(), cpuRerun);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(new RegExp(`measured more error than the uploaded results claim on ${inexact} case\\(s\\): hearth:op,[^:]+:dtype=float32;case=[^:]+: uploaded 0 ULP, the bot measured [0-9.e-]+ ULP`));
  });

  it("index add with the bot's run refuses the flattering bundle, and publishes the bot's figures, which the site shows", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-index-'));
    initIndex(dir, [trustedForAll(lab)]);
    expect(() => addBundle(dir, bundleOf(zeroUlpClaim(), lab), { rerun: cpuRerun })).toThrow(/rerun: the bot's own run with fresh draws \(seed \d+\) measured more error/);
    const entry = addBundle(dir, bundleOf(run, lab), { rerun: cpuRerun });
    const summary = entry.versions[0]!.certifications[0]!.summary;
    expect(summary.measuredBy).toEqual({ by: 'registry-bot', device: 'cpu:0', freshSeed: cpuRerun.suite.freshSeed, at: cpuRerun.startedAt });
    expect(summary.counts['pass']).toBe(cpuRerun.results.length);
    expect(readIndex(dir).entries[0]!.versions[0]!.certifications[0]!.summary.measuredBy?.by).toBe('registry-bot');
    const site = buildSite(readIndex(dir), mkdtempSync(join(tmpdir(), 'hearth-site-')));
    const page = readFileSync(join(site, '..', 'plugins', 'hearth__plugin-cpu.html'), 'utf8');
    expect(page).toContain(`Figures measured by the registry bot's own run on cpu:0`);
  });
});

describe('plugins that pass a fixed, recognisable suite are refused by the rerun', () => {
  const ADD_CASES = 'hearth:op,add:';
  /** The bot's environment in `app`, rerunning add's cases only: the cheats tamper with add alone. */
  const addBot = (app: string) => localBotEnvironment({ cwd: app, queries: ['hearth:op,add'] });

  /** Installs `source` as package `name` in a fresh project and forges a passing bundle for it from a real run. */
  function installCheat(name: string, source: string, files: Record<string, string> = {}) {
    const app = mkdtempSync(join(tmpdir(), 'hearth-bot-'));
    const pkgDir = join(app, 'node_modules', ...name.split('/'));
    mkdirSync(pkgDir, { recursive: true });
    const hearth = fixtureHearth({ name, deviceTypes: ['cpu'], vendor: 'Hearth' });
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', hearth: { ...hearth, export: 'plugin' } }));
    writeFileSync(join(pkgDir, 'index.js'), source);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(pkgDir, f), text);
    // The uploaded run is cut to the cases the bot reruns, so a difference can only be the cheat's.
    const forged = copyRun(run);
    forged.plugin = { ...forged.plugin, name };
    forged.results = forged.results.filter((r: RunResult['results'][number]) => r.id.startsWith(ADD_CASES));
    return { app, statement: { plugin: { name, version: '1.0.0', integrity: packageIntegrity(pkgDir) }, deviceType: 'cpu', profile: 'core' } as CertificateStatement, uploaded: forged as RunResult };
  }

  it('an add that is right only where process.send exists (the old runner forked with IPC)', async () => {
    const { app, statement, uploaded } = installCheat('@cheat/ipc', `export { default as plugin } from ${JSON.stringify(join(cheats, 'ipc.mjs'))};\n`);
    const rerun = (await addBot(app).rerun!(statement))!;
    expect(rerun.results.length).toBe(uploaded.results.length + rerun.results.filter((r) => r.id.endsWith(';case=fresh-property')).length);
    const verdict = compareRerun(uploaded, rerun);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(/disagrees with the uploaded results on \d+ case\(s\): hearth:op,add:dtype=int32;case=basic: uploaded pass, rerun fail/);
  }, 300_000);

  it('an add that is right only on the inputs the fixed suite seed makes predictable', async () => {
    // What a cheater learns offline: the fingerprint of every add input of the fixed certification run.
    const known = new Set<string>();
    const kernels = CPU_KERNELS.map((k) => (k.op === 'add' ? { ...k, run: (i: readonly KernelTensor[], o: KernelTensor, a: Readonly<Record<string, unknown>>, c: never) => (known.add(fingerprint(i) as string), k.run(i, o, a, c)) } : k));
    await runConformance({ plugin: createCpuPlugin({ kernels, name: '@cheat/recorder' }), queries: ['hearth:op,add'] });
    expect(known.size).toBeGreaterThan(10);
    const source = `import { readFileSync } from 'node:fs';
import { cheatingPlugin, fingerprint } from ${JSON.stringify(join(cheats, 'cheat.mjs'))};
const known = new Set(JSON.parse(readFileSync(new URL('./known.json', import.meta.url), 'utf8')));
export const plugin = cheatingPlugin('@cheat/fingerprints', (inputs) => known.has(fingerprint(inputs)));
`;
    const { app, statement, uploaded } = installCheat('@cheat/fingerprints', source, { 'known.json': JSON.stringify([...known]) });
    const rerun = (await addBot(app).rerun!(statement))!;
    // Only fresh draws catch it: add's own (the whole profile's rerun also catches the composites that
    // decompose through add, layer_norm...).
    const failing = rerun.results.filter((r) => r.status !== 'pass' && r.status !== 'skip').map((r) => r.id);
    expect(failing).toEqual(expect.arrayContaining(['hearth:op,add:dtype=float32;case=fresh-property', 'hearth:op,add:dtype=int32;case=fresh-property']));
    expect(failing.every((id) => id.endsWith(';case=fresh-property'))).toBe(true);
    expect(compareRerun(uploaded, rerun)).toMatchObject({ ok: false, message: expect.stringMatching(new RegExp(`^the bot's own run with fresh draws \\(seed \\d+\\) fails: ${failing.length} case\\(s\\) fail$`)) });
  }, 300_000);
});
