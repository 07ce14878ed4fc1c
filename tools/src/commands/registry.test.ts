import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateSignerKey, initIndex, packageIntegrity } from '@hearth/registry';
import { bundleOf, certifyCpu, trustedForAll } from '../../../registry/src/testing/certify.js';
import { startNpmRegistry } from '../../../registry/src/testing/npm-registry.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;
const ROOT = new URL('../../..', import.meta.url).pathname;

async function hearth(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, HEARTH_BACKENDS: '', HEARTH_PLUGINS: '', HEARTH_AUTOLOAD: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A project outside the repository with the CPU plugin installed (linked) and a vendor plugin whose native library is missing. */
function projectWithBrokenPlugin(): string {
  const app = mkdtempSync(join(tmpdir(), 'hearth-app-'));
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"0.0.0","private":true}');
  mkdirSync(join(app, 'node_modules', '@hearth'), { recursive: true });
  symlinkSync(join(ROOT, 'plugins/cpu'), join(app, 'node_modules/@hearth/plugin-cpu'));
  const npu = join(app, 'node_modules', 'acme-npu');
  mkdirSync(npu);
  const hearthField = { entry: './index.js', deviceTypes: ['npu'], coreApi: '^1.0.0', opset: 1, profiles: ['core'], vendor: 'ACME', contact: 'npu@acme.example' };
  writeFileSync(join(npu, 'package.json'), JSON.stringify({ name: 'acme-npu', version: '0.3.0', type: 'module', hearth: hearthField }));
  writeFileSync(join(npu, 'index.js'), "throw new Error('libacme_npu.so: cannot open shared object file: No such file or directory');\n");
  return app;
}

describe('hearth backends with discovery', () => {
  it('lists what is installed with no configuration; a plugin failing to load shows its real cause and the rest work', async () => {
    const app = projectWithBrokenPlugin();
    const r = await hearth(app, ['backends', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { backend: string; plugin: string; status: string; code?: string; reason?: string }[];
    expect(rows.find((x) => x.plugin === '@hearth/plugin-cpu')).toMatchObject({ backend: 'cpu', status: 'ready' });
    expect(rows.find((x) => x.plugin === 'acme-npu')).toMatchObject({ backend: 'npu', version: '0.3.0', status: 'failed', code: 'E_REG_LOAD' });
    expect(rows.find((x) => x.plugin === 'acme-npu')!.reason).toContain('libacme_npu.so: cannot open shared object file');
    const table = await hearth(app, ['backends']);
    expect(table.stdout).toMatch(/npu\s+acme-npu\s+0\.3\.0 .*failed\s+E_REG_LOAD: acme-npu: importing .*index\.js failed: libacme_npu\.so/);
    const off = await hearth(app, ['backends', '--json'], { HEARTH_AUTOLOAD: '0' });
    expect(JSON.parse(off.stdout)).toEqual([]);
  });
});

describe('a native-only plugin package (a shared library and a hearth field, no JavaScript)', () => {
  it('is discovered and loaded through @hearth/plugin-native', async () => {
    const app = mkdtempSync(join(tmpdir(), 'hearth-native-app-'));
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"0.0.0","private":true}');
    const pkg = join(app, 'node_modules', 'acme-native');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    copyFileSync(join(ROOT, 'plugins/native/build/libhearth_reference.so'), join(pkg, 'lib', 'libacme.so'));
    const hearthField = { nativeLibrary: './lib/libacme.so', deviceTypes: ['native'], coreApi: '^1.0.0', opset: 1, profiles: ['core'], vendor: 'ACME', contact: 'native@acme.example' };
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'acme-native', version: '0.2.0', hearth: hearthField }));
    const rows = JSON.parse((await hearth(app, ['backends', '--json'])).stdout) as { backend: string; plugin: string; version: string; status: string }[];
    expect(rows).toEqual([expect.objectContaining({ backend: 'native', plugin: 'acme-native', version: '0.2.0', status: 'ready' })]);
    const { nativeLibrary: _lib, ...neither } = hearthField;
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'acme-native', version: '0.2.0', hearth: neither }));
    const bad = JSON.parse((await hearth(app, ['backends', '--json'])).stdout) as { code: string; reason: string }[];
    expect(bad).toEqual([expect.objectContaining({ code: 'E_REG_MANIFEST' })]);
    expect(bad[0]!.reason).toContain(`${join(pkg, 'package.json')}#/hearth: needs "entry" (the module exporting the plugin) or "nativeLibrary"`);
  });
});

describe('hearth registry, end to end through the binary', () => {
  it('keygen, certify with a signed bundle, verify, refuse a tampered bundle, index it and build the site', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hearth-cert-'));
    const key = join(work, 'lab.key.json');
    expect((await hearth(work, ['registry', 'keygen', '--name', 'Test Lab', '--out', key])).code).toBe(0);
    const bundle = join(work, 'bundle');
    const cert = await hearth(ROOT, ['conformance', '--certify', '--plugin', '@hearth/plugin-cpu', '--report', join(work, 'report'), '--sign-key', key, '--bundle', bundle]);
    expect(cert.stdout).toContain(`Certification bundle: ${bundle}`);
    const ok = await hearth(work, ['registry', 'verify', bundle, '--signer', join(work, 'lab.pub.json'), '--package', join(ROOT, 'plugins/cpu')]);
    expect(ok.stdout).toContain('✓ integrity: the package matches');
    expect(ok.stdout).toContain('Verified.');
    expect(ok.code).toBe(0);

    const stranger = await hearth(work, ['registry', 'keygen', '--name', 'Stranger', '--out', join(work, 'other.key.json')]);
    expect(stranger.code).toBe(0);
    const untrusted = await hearth(work, ['registry', 'verify', bundle, '--signer', join(work, 'other.pub.json')]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain('Refused: signer.');

    const index = join(work, 'index');
    expect((await hearth(work, ['registry', 'index', 'init', index, '--signer', join(work, 'lab.pub.json')])).code).toBe(2); // no scope: refused
    expect((await hearth(work, ['registry', 'index', 'init', index, '--signer', join(work, 'lab.pub.json'), '--packages', '@hearth/*', '--device-types', 'cpu'])).code).toBe(0);
    expect((await hearth(work, ['registry', 'index', 'add', index, bundle])).stdout).toContain('@hearth/plugin-cpu: 1 version(s) in the index');
    const entry = JSON.parse(readFileSync(join(index, 'plugins/@hearth+plugin-cpu.json'), 'utf8')) as { versions: { certifications: { profile: string; deviceType: string }[] }[] };
    expect(entry.versions[0]!.certifications).toMatchObject([{ profile: 'core', deviceType: 'cpu' }]);
    const site = await hearth(work, ['registry', 'site', index, join(work, 'site')]);
    expect(site.stdout).toContain(join(work, 'site', 'index.html'));
    expect(readFileSync(join(work, 'site/plugins/hearth__plugin-cpu.html'), 'utf8')).toContain('ULP distribution per op');

    writeFileSync(join(bundle, 'manifest.json'), readFileSync(join(bundle, 'manifest.json'), 'utf8').replace('"core"', '"core", "float64"'));
    const tampered = await hearth(work, ['registry', 'verify', bundle, '--index', index]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('✗ hashes: manifest.json changed after signing');
  }, 120_000);

  it('gives a clear error with the path, and no stack trace, for bad input', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hearth-bad-'));
    writeFileSync(join(work, 'lab.pub.json'), '{"name":"x"}');
    const noBundle = await hearth(work, ['registry', 'verify', work, '--signer', join(work, 'lab.pub.json')]);
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toContain(`${join(work, 'lab.pub.json')}: not a public signer file`);
    mkdirSync(join(work, 'index/plugins'), { recursive: true });
    writeFileSync(join(work, 'index/plugins/x.json'), JSON.stringify({ name: 'x', vendor: 'X', contact: 'x@x', versions: [{ version: '1.0.0' }] }));
    const badIndex = await hearth(work, ['registry', 'site', join(work, 'index'), join(work, 'site')]);
    expect(badIndex.code).toBe(2);
    expect(badIndex.stderr).toContain(`${join(work, 'index/plugins/x.json')}#/versions/0/integrity: required field missing`);
    expect(badIndex.stderr).toContain('[E_REG_INDEX]');
    const signOnly = await hearth(ROOT, ['conformance', '--sign-key', 'k.json']);
    expect(signOnly.code).toBe(2);
    expect(signOnly.stderr).toContain('--sign-key signs a certification bundle: add --certify');
    const noKey = await hearth(ROOT, ['conformance', '--certify', '--sign-key', join(work, 'missing.key.json'), '--report', join(work, 'never')]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain(`${join(work, 'missing.key.json')}: cannot be read (ENOENT). Make a key with \`hearth registry keygen\`. [E_REG_KEY]`);
    expect(existsSync(join(work, 'never'))).toBe(false);
    for (const r of [noBundle, badIndex, signOnly, noKey]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('hearth registry dev-server: a dry run of submit and check-pr without GitHub', () => {
  it('serves a registry repository on 127.0.0.1, prints what to export, takes a submission and the bot, stops on Ctrl-C', async () => {
    const server = spawn(process.execPath, [BIN, 'registry', 'dev-server', '--port', '0', '--repo', 'acme/registry'], { env: { ...process.env, HEARTH_BACKENDS: '' } });
    // The bot fetches published tarballs from an npm registry: one on 127.0.0.1 where nothing is published yet.
    const npm = await startNpmRegistry();
    try {
      let stdout = '';
      server.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      server.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
      while (!/^export GITHUB_TOKEN=/m.test(stdout)) {
        if (server.exitCode !== null) throw new Error(`dev-server exited: ${stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const env = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(env).sort()).toEqual(['GITHUB_API_URL', 'GITHUB_REPOSITORY', 'GITHUB_TOKEN']);
      expect(env['GITHUB_API_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env['GITHUB_REPOSITORY']).toBe('acme/registry');

      const lab = generateSignerKey('Dry Run Lab');
      const bundle = bundleOf(await certifyCpu(), lab, { integrity: packageIntegrity(join(ROOT, 'plugins/cpu')) });
      const submit = await hearth(ROOT, ['registry', 'submit', bundle, '--package', join(ROOT, 'plugins/cpu')], env);
      expect(submit.code, submit.stderr).toBe(0);
      // The pull request's page is on the server submit talked to, not on github.com.
      expect(submit.stdout).toContain(`Opened #100: ${env['GITHUB_API_URL']}/acme/registry/pull/100 `);
      expect(submit.stdout).not.toContain('github.com');
      const index = mkdtempSync(join(tmpdir(), 'hearth-index-'));
      initIndex(index, [trustedForAll(lab)]);
      const check = await hearth(ROOT, ['registry', 'check-pr', '--pr', '100', '--index', index, '--no-rerun', '--npm-registry', npm.url], env);
      expect(check.stdout, check.stderr).toMatch(/Check run \d+: success/);
      expect(check.code).toBe(0);

      server.kill('SIGINT');
      const [code] = await once(server, 'exit');
      expect(code).toBe(0);
      await expect(fetch(`${env['GITHUB_API_URL']}/repos/acme/registry/pulls/100`)).rejects.toThrow();
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await npm.close();
    }
  }, 120_000);

  it('refuses a port in use, saying what to do', async () => {
    const first = spawn(process.execPath, [BIN, 'registry', 'dev-server'], { env: process.env });
    try {
      let stdout = '';
      first.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      while (!/^export GITHUB_API_URL=/m.test(stdout)) await new Promise((r) => setTimeout(r, 50));
      const port = /127\.0\.0\.1:(\d+)/.exec(stdout)![1]!;
      const second = await hearth(ROOT, ['registry', 'dev-server', '--port', port]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); pick another port with --port`);
      expect(second.stderr).not.toMatch(/\n\s+at /);
    } finally {
      first.kill('SIGINT');
      await once(first, 'exit');
    }
  });
});
