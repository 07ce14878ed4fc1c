import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInstalledPlugins } from './load.js';
import { writePluginPackage } from './testing/fixtures.js';
import { generateSignerKey, publicSigner } from './keys.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-project-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true }));
  return dir;
}

const names = (r: Awaited<ReturnType<typeof loadInstalledPlugins>>) => r.plugins.map((p) => p.package.name);

describe('discovery and loading of installed plugins', () => {
  it('finds a plugin installed from an npm pack tarball into a project outside the repository, with no configuration', async () => {
    const src = writePluginPackage(join(mkdtempSync(join(tmpdir(), 'hearth-src-')), 'pkg'), { name: '@toy/hearth-plugin', deviceTypes: ['toy'] });
    const packs = mkdtempSync(join(tmpdir(), 'hearth-packs-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: src });
    const tgz = join(packs, readdirSync(packs)[0]!);
    const app = project();
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], { cwd: app, stdio: 'ignore' });
    const found = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(found.failures).toEqual([]);
    expect(names(found)).toEqual(['@toy/hearth-plugin']);
    expect(found.plugins[0]!.plugin.manifest.deviceTypes).toEqual(['toy']);
    expect(found.plugins[0]!.dir).toBe(join(app, 'node_modules', '@toy', 'hearth-plugin'));
  }, 60_000);

  it('keeps each failure with its cause and still loads the others; nothing is thrown', async () => {
    const app = project();
    const nm = join(app, 'node_modules');
    writePluginPackage(join(nm, 'good-plugin'), { name: 'good-plugin' });
    writePluginPackage(join(nm, 'broken-plugin'), { name: 'broken-plugin', source: `throw new Error('libtoy.so: cannot open shared object file');\n` });
    writePluginPackage(join(nm, 'bad-manifest'), { name: 'bad-manifest', hearth: { deviceTypes: [] } });
    writePluginPackage(join(nm, 'liar'), { name: 'liar', source: `export default { manifest: { name: 'liar', version: '1.0.0', vendor: 'Other', deviceTypes: ['toy'], coreApi: '^1.0.0' }, register() {} };\n` });
    mkdirSync(join(nm, 'not-a-plugin'));
    writeFileSync(join(nm, 'not-a-plugin', 'package.json'), '{"name":"not-a-plugin","version":"1.0.0"}');
    const found = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(names(found)).toEqual(['good-plugin']);
    const why = Object.fromEntries(found.failures.map((f) => [f.name, f.error]));
    expect(Object.keys(why).sort()).toEqual(['bad-manifest', 'broken-plugin', 'liar']);
    expect(why['broken-plugin']!.code).toBe('E_REG_LOAD');
    expect(why['broken-plugin']!.message).toContain('libtoy.so: cannot open shared object file');
    expect((why['broken-plugin']!.cause as Error).message).toBe('libtoy.so: cannot open shared object file');
    expect(why['bad-manifest']!.message).toContain(`${join(nm, 'bad-manifest', 'package.json')}#/hearth/deviceTypes: must NOT have fewer than 1 items`);
    expect(why['liar']!.message).toContain('vendor: package.json says "Toy Labs", the plugin\'s runtime manifest says "Other"');
    expect(found.failures.find((f) => f.name === 'broken-plugin')!.package).toEqual({ version: '1.0.0', deviceTypes: ['toy'] });
  });

  it('refuses a plugin for another core API or a newer opset without importing it', async () => {
    const app = project();
    const nm = join(app, 'node_modules');
    const bomb = `throw new Error('this module must not be imported');\n`;
    writePluginPackage(join(nm, 'future-core'), { name: 'future-core', source: bomb, hearth: { coreApi: '^2.0.0' } });
    writePluginPackage(join(nm, 'future-opset'), { name: 'future-opset', source: bomb, hearth: { opset: 9 } });
    const found = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(found.failures.map((f) => f.error.message)).toEqual([
      'future-core@1.0.0 supports core API ^2.0.0, but this core is 1.0.0; install a version of the plugin built for core 1.0.0.',
      'future-opset@1.0.0 implements opset 9, but this core has opset 2; upgrade @hearth/core or install an older version of the plugin.',
    ]);
    expect(found.failures[0]!.error.path).toBe(`${join(nm, 'future-core', 'package.json')}#/hearth/coreApi`);
  });

  it('loads only what HEARTH_PLUGINS or the config file allows, and nothing with HEARTH_AUTOLOAD=0', async () => {
    const app = project();
    for (const n of ['a-plugin', 'b-plugin']) writePluginPackage(join(app, 'node_modules', n), { name: n });
    expect(names(await loadInstalledPlugins({ cwd: app, env: {} }))).toEqual(['a-plugin', 'b-plugin']);
    expect(names(await loadInstalledPlugins({ cwd: app, env: { HEARTH_PLUGINS: 'b-plugin' } }))).toEqual(['b-plugin']);
    expect(await loadInstalledPlugins({ cwd: app, env: { HEARTH_AUTOLOAD: '0' } })).toMatchObject({ plugins: [], failures: [], selection: { autoload: false } });
    writeFileSync(join(app, 'hearth.config.json'), JSON.stringify({ plugins: ['a-plugin', 'c-plugin'] }));
    const configured = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(names(configured)).toEqual(['a-plugin']);
    expect(configured.failures.map((f) => [f.name, f.error.code])).toEqual([['c-plugin', 'E_REG_CONFIG']]);
    expect(names(await loadInstalledPlugins({ cwd: app, env: { HEARTH_PLUGINS: 'b-plugin' } }))).toEqual(['b-plugin']);
  });

  it('passes on the config file\'s isolate, and gives each plugin it imports an origin another process can import', async () => {
    const app = project();
    writePluginPackage(join(app, 'node_modules', 'a-plugin'), { name: 'a-plugin' });
    writeFileSync(join(app, 'hearth.config.json'), JSON.stringify({ isolate: ['a-plugin'] }));
    const found = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(found.selection?.isolate).toEqual(['a-plugin']);
    expect(found.plugins[0]!.plugin.origin?.module).toMatch(/^file:.*a-plugin/);
    writeFileSync(join(app, 'hearth.config.json'), JSON.stringify({ isolate: 'yes' }));
    const bad = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(bad.failures[0]!.error.message).toContain('hearth.config.json#/isolate');
  });

  it('reports a malformed config file with its path, without throwing', async () => {
    const app = project();
    writeFileSync(join(app, 'hearth.config.json'), JSON.stringify({ plugins: 'a-plugin' }));
    const found = await loadInstalledPlugins({ cwd: app, env: {} });
    expect(found.plugins).toEqual([]);
    expect(found.failures[0]!.error.message).toContain(`${join(app, 'hearth.config.json')}#/plugins: must be array`);
    const typo = await loadInstalledPlugins({ cwd: app, env: { HEARTH_AUTOLOAD: 'no' } });
    expect(typo.failures[0]!.error.message).toContain('HEARTH_AUTOLOAD="no" is not understood');
  });
});

describe('loading only certified plugins', () => {
  /** An index in which `certified` holds a standing core certificate on toy and `revoked` a revoked one. */
  function index(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-index-'));
    const lab = generateSignerKey('Lab');
    writeFileSync(join(dir, 'signers.json'), JSON.stringify({ signers: [{ ...publicSigner(lab), packages: ['*'], deviceTypes: ['*'] }] }));
    mkdirSync(join(dir, 'plugins'));
    const now = Date.now();
    const cert = { profile: 'core', deviceType: 'toy', suiteVersion: '1.2.0', bundle: 'sha512-B', signer: lab.keyId, certifiedAt: new Date(now - 864e5).toISOString(), expires: new Date(now + 300 * 864e5).toISOString(), summary: { counts: {}, matrix: {}, ulp: {} } };
    const version = (revoked: boolean) => ({ version: '1.0.0', integrity: `sha512-${revoked ? 'R' : 'C'}`, coreApi: '^1.0.0', opset: 1, deviceTypes: ['toy'], profiles: ['core'], certifications: [cert], ...(revoked ? { revoked: { at: new Date(now).toISOString(), reason: 'wrong results' } } : {}) });
    for (const [name, revoked] of [['certified', false], ['revoked', true]] as const) {
      writeFileSync(join(dir, 'plugins', `${name}.json`), JSON.stringify({ name, vendor: 'Toy Labs', contact: 'toy@example.com', versions: [version(revoked)] }));
    }
    return dir;
  }

  it('refuses uncertified and revoked plugins without importing them, and loads the certified one', async () => {
    const app = project();
    const nm = join(app, 'node_modules');
    const marker = join(app, 'imported');
    const tattle = (name: string) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(`${marker}-${name}`)}, 'x');\nexport const plugin = { manifest: { name: '${name}', version: '1.0.0', vendor: 'Toy Labs', deviceTypes: ['toy'], coreApi: '^1.0.0' }, register() {} };\n`;
    for (const name of ['certified', 'revoked', 'stranger']) writePluginPackage(join(nm, name), { name, source: tattle(name) });
    const found = await loadInstalledPlugins({ cwd: app, env: {}, require: 'certified', index: index() });
    expect(names(found)).toEqual(['certified']);
    expect(found.failures.map((f) => [f.name, f.error.code])).toEqual([['revoked', 'E_REG_LOAD'], ['stranger', 'E_REG_LOAD']].sort());
    expect(found.failures.find((f) => f.name === 'revoked')!.error.message).toContain('revoked');
    expect(found.failures.find((f) => f.name === 'stranger')!.error.message).toContain('not certified');
    expect(readdirSync(app).filter((f) => f.startsWith('imported'))).toEqual(['imported-certified']);
  });

  it('reads the requirement and the index from HEARTH_REQUIRE and HEARTH_INDEX, and says what is missing', async () => {
    const app = project();
    writePluginPackage(join(app, 'node_modules', 'stranger'), { name: 'stranger' });
    const noIndex = await loadInstalledPlugins({ cwd: app, env: { HEARTH_REQUIRE: 'certified' } });
    expect(noIndex.failures[0]!.error).toMatchObject({ code: 'E_REG_CONFIG', message: expect.stringContaining('no registry index is named') });
    const judged = await loadInstalledPlugins({ cwd: app, env: { HEARTH_REQUIRE: 'certified', HEARTH_INDEX: index() } });
    expect(names(judged)).toEqual([]);
    expect(judged.failures[0]!.error.message).toContain('not certified');
  });
});
