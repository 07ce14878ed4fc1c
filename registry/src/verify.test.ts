import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUITE_VERSION, type RunResult } from '@hearth/conformance';
import { getOp } from '@hearth/core';
import { canonicalJson, sha512Integrity } from './canonical.js';
import { generateSignerKey, publicSigner } from './keys.js';
import { BUNDLE_FILE_LIMITS, readBundle, verifyBundle, type VerifyOptions, type VerifyReport } from './verify.js';
import { addBundle, initIndex, revokeVersion } from './index-write.js';
import { readIndex } from './index-file.js';
import { packageIntegrity } from './integrity.js';
import { currentCaseList, releasedCaseList } from './suites.js';
import { bundleOf, certifyCpu, copyRun, cpuPackage, trustedForAll } from './testing/certify.js';
import { signStatement, type Certificate } from './bundle.js';
import { entryPath } from './index-file.js';
import { pluginStatus } from './site/status.js';

const lab = generateSignerKey('Hearth CI');
const stranger = generateSignerKey('Someone else');
const trusted = { signers: [trustedForAll(lab)] };
let run: RunResult;

beforeAll(async () => {
  run = await certifyCpu();
  expect(run.verdict).toBe('pass');
}, 120_000);

const failed = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => c.check);
const reason = (r: VerifyReport, check: string) => r.checks.find((c) => c.check === check)!.message;
const check = (dir: string, options: Partial<VerifyOptions> = {}) => verifyBundle(readBundle(dir), { ...trusted, ...options });
const edit = (file: string, f: (text: string) => string) => writeFileSync(file, f(readFileSync(file, 'utf8')));

describe('a certification bundle', () => {
  it('verifies when nothing was changed: signature, signer, hashes, exact case list, every case passed', () => {
    const report = check(bundleOf(run, lab));
    expect(failed(report)).toEqual([]);
    expect(reason(report, 'case-list')).toBe(`exactly the ${currentCaseList('core').length} cases of suite ${SUITE_VERSION}, profile core`);
    expect(report.checks.filter((c) => c.skipped).map((c) => c.check)).toEqual(['revocation', 'integrity', 'device-ownership']);
  });

  it('refuses a changed result', () => {
    const dir = bundleOf(run, lab);
    edit(join(dir, 'results.json'), (t) => t.replace('"status": "pass"', '"status": "fail"'));
    const report = check(dir);
    expect(failed(report)).toContain('hashes');
    expect(reason(report, 'hashes')).toBe("results.json changed after signing (sha512 differs from the certificate's)");
  });

  it('refuses a changed result whose hash was updated in the certificate: the signature no longer matches', () => {
    const dir = bundleOf(run, lab);
    edit(join(dir, 'results.json'), (t) => {
      expect(t).toMatch(/"maxUlp": [1-9]/);
      return t.replace(/"maxUlp": [1-9][0-9.e+-]*/, '"maxUlp": 0');
    });
    edit(join(dir, 'certificate.json'), (t) => {
      const c = JSON.parse(t) as Certificate;
      return JSON.stringify({ ...c, statement: { ...c.statement, files: { ...c.statement.files, 'results.json': sha512Integrity(readFileSync(join(dir, 'results.json'))) } } });
    });
    expect(failed(check(dir))).toEqual(['signature']);
  });

  it('refuses a changed manifest', () => {
    const dir = bundleOf(run, lab);
    edit(join(dir, 'manifest.json'), (t) => t.replace('"cpu"', '"npu"'));
    const report = check(dir);
    expect(failed(report)).toContain('hashes');
    expect(reason(report, 'hashes')).toMatch(/^manifest\.json changed after signing/);
  });

  it('refuses a signer the registry does not trust, and a trusted signer named over another key', () => {
    expect(failed(check(bundleOf(run, stranger)))).toEqual(['signer']);
    expect(reason(check(bundleOf(run, stranger)), 'signer')).toBe(`signer "Someone else" (${stranger.keyId}) is not among the 1 trusted signers`);
    const dir = bundleOf(run, stranger);
    edit(join(dir, 'certificate.json'), (t) => {
      const c = JSON.parse(t) as Certificate;
      const statement = { ...c.statement, signer: publicSigner(lab) };
      return JSON.stringify({ ...signStatement(statement, stranger.privateKey) });
    });
    expect(failed(check(dir))).toEqual(['signature']);
  });

  it('refuses an expired certificate (12 months) and a revoked one', () => {
    const signed = new Date('2026-01-15T00:00:00Z');
    const dir = bundleOf(run, lab, { now: signed });
    expect(failed(check(dir, { now: new Date('2027-01-14T00:00:00Z') }))).toEqual([]);
    const late = check(dir, { now: new Date('2027-01-16T00:00:00Z') });
    expect(failed(late)).toEqual(['expiry']);
    expect(reason(late, 'expiry')).toBe('expired on 2027-01-15T00:00:00.000Z (certificates last 12 months); recertify with a current suite');

    const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
    initIndex(index, [trustedForAll(lab)]);
    addBundle(index, dir, { now: new Date('2026-02-01T00:00:00Z') });
    revokeVersion(index, '@hearth/plugin-cpu', '1.0.0', 'wrong results on denormals', new Date('2026-03-01T00:00:00Z'));
    const revoked = check(dir, { now: new Date('2026-04-01T00:00:00Z'), index: readIndex(index) });
    expect(failed(revoked)).toEqual(['revocation']);
    expect(reason(revoked, 'revocation')).toBe('@hearth/plugin-cpu@1.0.0 was revoked on 2026-03-01T00:00:00.000Z: wrong results on denormals');
  });

  it('accepts the current suite version and the two before it, and refuses older ones', () => {
    const policy = { current: '1.0.0', releases: ['0.8.0', '0.9.0', '0.10.0', '1.0.0'], caseList: (_v: string, p: string) => currentCaseList(p) };
    const at = (version: string) => {
      const r = copyRun(run);
      r.suite = { ...r.suite, version };
      return check(bundleOf(r as RunResult, lab), { suite: policy });
    };
    expect(failed(at('0.9.0'))).toEqual([]);
    const old = at('0.8.0');
    expect(failed(old)).toEqual(['suite-version']);
    expect(reason(old, 'suite-version')).toBe('suite version 0.8.0 is not supported: certificates are accepted from suite 0.9.0, 0.10.0, 1.0.0; rerun with a current suite');
    expect(failed(check(bundleOf(Object.assign(copyRun(run), { suite: { ...run.suite, version: '3.0.0' } }) as RunResult, lab)))).toEqual(['suite-version', 'case-list']);
  });

  it("checks a certificate from an earlier suite against that suite's own frozen case list", () => {
    // The oldest suite still in the window (the current one and the two before it).
    const old = releasedCaseList('1.2.0', 'core');
    expect(old?.length).toBe(2411);
    const asOld = (ids: readonly string[]) => {
      const r = copyRun(run);
      r.suite = { ...r.suite, version: '1.2.0' };
      r.results = ids.map((id, i) => ({ ...r.results[i % r.results.length], id }));
      return check(bundleOf(r as RunResult, lab));
    };
    const exact = asOld(old!);
    expect(failed(exact)).toEqual([]);
    expect(reason(exact, 'case-list')).toBe('exactly the 2411 cases of suite 1.2.0, profile core');
    const dropped = asOld(old!.filter((id) => id !== old![42]));
    expect(failed(dropped)).toEqual(['case-list']);
    expect(reason(dropped, 'case-list')).toBe(`1 case(s) missing: ${old![42]}`);
  });

  it('refuses a results file with a skipped case, a failed case, or a missing case', () => {
    const skipped = copyRun(run);
    const id = skipped.results[7].id as string;
    skipped.results[7] = { ...skipped.results[7], status: 'skip' };
    const s = check(bundleOf(skipped as RunResult, lab));
    expect(failed(s)).toEqual(['outcomes']);
    expect(reason(s, 'outcomes')).toBe(`not every case passed (1 skip): ${id} [skip]`);

    const failing = copyRun(run);
    failing.results[3] = { ...failing.results[3], status: 'fail' };
    failing.verdict = 'fail';
    expect(failed(check(bundleOf(failing as RunResult, lab)))).toEqual(['outcomes']);

    const missing = copyRun(run);
    const gone = missing.results.splice(11, 1)[0].id as string;
    const m = check(bundleOf(missing as RunResult, lab));
    expect(failed(m)).toEqual(['case-list']);
    expect(reason(m, 'case-list')).toBe(`1 case(s) missing: ${gone}`);
  });

  it('accepts skipped cases only for operators of a later opset than the certificate covers (a v1 plugin on a v2 suite)', () => {
    const v1 = copyRun(run);
    v1.opsetVersion = 1;
    v1.plugin = { ...v1.plugin, opset: 1 };
    const later = (r: { op?: string }) => r.op !== undefined && (getOp(r.op).since ?? 1) > 1;
    v1.results = v1.results.map((r: { op?: string }) => (later(r) ? { ...r, status: 'skip' } : r));
    expect(v1.results.filter((r: { status: string }) => r.status === 'skip').length).toBeGreaterThan(100);
    expect(failed(check(bundleOf(v1 as RunResult, lab)))).toEqual([]);

    // The same skips in a certificate for opset 2 are refused.
    const v2 = { ...v1, opsetVersion: 2, plugin: { ...v1.plugin, opset: 2 } };
    expect(failed(check(bundleOf(v2 as RunResult, lab)))).toEqual(['outcomes']);
  });

  it('refuses a manifest claiming a profile no certified run passed', () => {
    const claims = { ...cpuPackage, hearth: { ...cpuPackage.hearth, profiles: ['core', 'float64'] as const } };
    const report = check(bundleOf(run, lab, { package: claims }));
    expect(failed(report)).toEqual(['profiles']);
    expect(reason(report, 'profiles')).toBe('manifest.json#/hearth/profiles claims float64, which no certified run of @hearth/plugin-cpu@1.0.0 passed (this bundle certifies core)');
  });

  it("refuses a package whose integrity (npm's sha512 of the pack tarball) is not the certified one", () => {
    const copy = mkdtempSync(join(tmpdir(), 'hearth-pkg-'));
    for (const f of ['package.json', 'dist', 'src']) cpSync(join(import.meta.dirname, '../../plugins/cpu', f), join(copy, f), { recursive: true });
    const integrity = packageIntegrity(copy);
    expect(integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    const dir = bundleOf(run, lab, { integrity });
    expect(failed(check(dir, { integrity: packageIntegrity(copy) }))).toEqual([]);
    edit(join(copy, 'dist', 'index.js'), (t) => `${t}\n// patched\n`);
    const report = check(dir, { integrity: packageIntegrity(copy) });
    expect(failed(report)).toEqual(['integrity']);
    expect(reason(report, 'integrity')).toMatch(/^the package's integrity sha512-\S+ is not the certified sha512-\S+: this is not the package that was tested$/);
    rmSync(copy, { recursive: true });
  }, 60_000);

  it("refuses a device type that another vendor's certified plugin owns, until that certificate stops standing", () => {
    const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
    initIndex(index, [trustedForAll(lab)]);
    const acme = copyRun(run);
    acme.plugin = { ...acme.plugin, name: '@acme/cpu', vendor: 'Acme' };
    const acmePackage = { name: '@acme/cpu', version: '1.0.0', hearth: { ...cpuPackage.hearth, vendor: 'Acme' } };
    addBundle(index, bundleOf(acme as RunResult, lab, { package: acmePackage, integrity: 'sha512-ACME' }));
    const ours = bundleOf(run, lab);
    const report = check(ours, { index: readIndex(index) });
    expect(failed(report)).toEqual(['device-ownership']);
    expect(reason(report, 'device-ownership')).toBe('manifest.json#/hearth/deviceTypes: cpu is owned by @acme/cpu@1.0.0 (Acme); choose another device type name');
    expect(() => addBundle(index, ours)).toThrow(/device-ownership: manifest\.json#\/hearth\/deviceTypes: cpu is owned by @acme\/cpu/);
    revokeVersion(index, '@acme/cpu', '1.0.0', 'withdrawn by the vendor');
    expect(failed(check(ours, { index: readIndex(index) }))).toEqual([]);
  });

  describe('identity comes from the signer, not from free text', () => {
    const acmeRun = () => Object.assign(copyRun(run), { plugin: { ...run.plugin, name: '@acme/npu', vendor: 'ACME' } }) as RunResult;
    const acmePackage = { name: '@acme/npu', version: '1.0.0', hearth: { ...cpuPackage.hearth, vendor: 'ACME' } };
    const acmeCi = generateSignerKey('ACME CI');
    const scoped = (key: typeof lab, packages: string[], deviceTypes: string[]) => ({ ...trustedForAll(key), packages, deviceTypes });

    it('a signer certifies only the packages and device types signers.json gives it', () => {
      const signers = [scoped(acmeCi, ['@acme/*'], ['cpu']), scoped(stranger, ['@rival/*'], ['gpu'])];
      expect(failed(check(bundleOf(acmeRun(), acmeCi, { package: acmePackage }), { signers }))).toEqual([]);
      const forged = check(bundleOf(acmeRun(), stranger, { package: acmePackage }), { signers });
      expect(failed(forged)).toEqual(['signer-scope']);
      expect(reason(forged, 'signer-scope')).toContain('not for @acme/npu on cpu');
    });

    it("a certificate stops standing when its signer leaves signers.json, and frees the device type", () => {
      const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
      initIndex(index, [scoped(acmeCi, ['@acme/*'], ['cpu']), trustedForAll(lab)]);
      addBundle(index, bundleOf(acmeRun(), acmeCi, { package: acmePackage }));
      expect(failed(check(bundleOf(run, lab), { index: readIndex(index) }))).toEqual(['device-ownership']);
      const file = join(index, 'signers.json');
      const signers = JSON.parse(readFileSync(file, 'utf8')) as { signers: { keyId: string }[] };
      writeFileSync(file, JSON.stringify({ signers: signers.signers.filter((x) => x.keyId !== acmeCi.keyId) }));
      expect(failed(check(bundleOf(run, lab), { index: readIndex(index) }))).toEqual([]);
    });

    it('refuses a package name npm would refuse and a vendor that looks like another entry', () => {
      const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
      initIndex(index, [trustedForAll(lab)]);
      addBundle(index, bundleOf(run, lab));
      const cyrillic = copyRun(run);
      cyrillic.plugin = { ...cyrillic.plugin, name: '@hearth/plugin-\u0441pu', device: undefined };
      const lookalike = bundleOf(cyrillic as RunResult, lab, { package: { ...cpuPackage, name: '@hearth/plugin-\u0441pu' } });
      const r1 = check(lookalike, { index: readIndex(index) });
      expect(failed(r1)).toContain('identity');
      expect(reason(r1, 'identity')).toContain('not one npm accepts');
      const vendor = copyRun(run);
      vendor.plugin = { ...vendor.plugin, name: '@other/cpu', vendor: 'HEARTH' };
      const r2 = check(bundleOf(vendor as RunResult, lab, { package: { name: '@other/cpu', version: '1.0.0', hearth: { ...cpuPackage.hearth, vendor: 'HEARTH' } } }), { index: readIndex(index) });
      expect(reason(r2, 'identity')).toContain('the vendor "HEARTH" looks like "Hearth"');
    });

    it('gives every name its own index file: @acme/npu and acme__npu never share one', () => {
      expect(entryPath('@acme/npu')).not.toBe(entryPath('acme__npu'));
      expect(entryPath('@acme/npu')).toBe(join('plugins', '@acme+npu.json'));
    });
  });

  describe('standing and revocation follow the facts', () => {
    it('revokes by content: the same package re-certified under another version label stays revoked', () => {
      const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
      initIndex(index, [trustedForAll(lab)]);
      addBundle(index, bundleOf(run, lab, { integrity: 'sha512-SAME' }));
      revokeVersion(index, '@hearth/plugin-cpu', '1.0.0', 'a kernel writes out of bounds');
      const relabelled = copyRun(run);
      relabelled.plugin = { ...relabelled.plugin, version: '1.0.0-r1' };
      const report = check(bundleOf(relabelled as RunResult, lab, { integrity: 'sha512-SAME', package: { ...cpuPackage, version: '1.0.0-r1' } }), { index: readIndex(index) });
      expect(failed(report)).toEqual(['revocation']);
      expect(reason(report, 'revocation')).toContain('was revoked as @hearth/plugin-cpu@1.0.0');
    });

    it('shows the version an install gets: the highest that is not revoked, and says the newest is revoked', () => {
      const entry = { name: 'x', vendor: 'V', contact: 'c', versions: ['1.9.0', '2.0.0', '1.10.0'].map((version) => ({ version, integrity: version, coreApi: '^1.0.0', opset: 1, deviceTypes: ['cpu'], profiles: ['core' as const], certifications: [], ...(version === '2.0.0' ? { revoked: { at: 'now', reason: 'r' } } : {}) })) };
      const s = pluginStatus(entry, new Date(), []);
      expect(s.version).toBe('1.10.0');
      expect(s.newestRevoked).toBe('2.0.0');
    });

    it('refuses a leap-second signedAt with a reason instead of crashing', () => {
      const dir = bundleOf(run, lab);
      const file = join(dir, 'certificate.json');
      const c = JSON.parse(readFileSync(file, 'utf8')) as Certificate;
      writeFileSync(file, JSON.stringify(signStatement({ ...c.statement, signedAt: '2016-12-31T23:59:60Z' }, lab.privateKey)));
      const report = check(dir);
      expect(failed(report)).toEqual(['expiry']);
      expect(reason(report, 'expiry')).toContain('is not an ISO 8601 instant');
    });
  });

  it('gives a clear error with the path for a malformed bundle', () => {
    const dir = bundleOf(run, lab);
    rmSync(join(dir, 'junit.xml'));
    expect(() => readBundle(dir)).toThrow(`${dir} is not a certification bundle: missing junit.xml`);
    const dir2 = bundleOf(run, lab);
    edit(join(dir2, 'certificate.json'), (t) => t.replace('"profile": "core"', '"profile": 7'));
    expect(() => readBundle(dir2)).toThrow(`${join(dir2, 'certificate.json')}#/statement/profile: must be one of "core", "core-partial", "float16", "float64"`);
  });

  it('reads only regular files of bounded size inside the bundle: no FIFO, no symlink out, no huge file', () => {
    const fifo = bundleOf(run, lab);
    rmSync(join(fifo, 'results.json'));
    execFileSync('mkfifo', [join(fifo, 'results.json')]);
    expect(() => readBundle(fifo)).toThrow(/results\.json: not a regular file \(a FIFO\)/);
    const link = bundleOf(run, lab);
    rmSync(join(link, 'manifest.json'));
    symlinkSync(join(import.meta.dirname, '../../plugins/cpu/package.json'), join(link, 'manifest.json'));
    expect(() => readBundle(link)).toThrow(/manifest\.json: not a regular file \(a symbolic link\)/);
    const big = bundleOf(run, lab);
    truncateSync(join(big, 'junit.xml'), BUNDLE_FILE_LIMITS['junit.xml']! + 1);
    expect(() => readBundle(big)).toThrow(/junit\.xml: \d+ bytes, over the \d+-byte limit/);
  });

  it('signs the canonical statement so key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
