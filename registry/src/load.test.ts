import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInstalledPlugins } from './load.js';
import { writePluginPackage } from './testing/fixtures.js';

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
