import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { ABI_VERSION, loadNativePlugin, nativePluginFromPackage, openNativeLibrary, plugin as referencePlugin } from '../src/index.js';
import { buildFixture, FIXTURE_DIR } from './fixtures.js';

const libs: Record<string, string> = {};

beforeAll(() => {
  for (const v of ['OLD_MINOR', 'NEWER_MINOR', 'OTHER_MAJOR', 'SMALL_STRUCT', 'NULL_POINTER', 'KERNEL_ERROR', 'NO_DEVICE']) {
    libs[v] = buildFixture('variant.c', `variant-${v.toLowerCase().replace('_', '-')}`, [v]);
  }
  libs['NOT_A_PLUGIN'] = buildFixture('not-a-plugin.c', 'not-a-plugin');
  libs['TEXT'] = join(FIXTURE_DIR, 'libtext.so');
  writeFileSync(libs['TEXT'], 'this is not an ELF file\n');
}, 120_000);

function loadError(path: string): HearthError {
  try {
    openNativeLibrary(path);
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error(`${path} loaded, but it should have been refused`);
}

async function open(plugin: HearthPlugin) {
  const h = createHearth({ plugins: [plugin, cpuPlugin], backends: [plugin.manifest.deviceTypes[0]!, 'cpu'] });
  const report = await h.ready();
  return { h, report };
}

describe('loading a native library', () => {
  it('refuses a missing file, naming the path', () => {
    const e = loadError('/nonexistent/libnothing.so');
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toContain('/nonexistent/libnothing.so does not exist');
  });

  it('refuses a file that is not a shared library, with the loader\'s own reason', () => {
    const e = loadError(libs['TEXT']!);
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toMatch(/could not be loaded as a shared library: .*(invalid ELF header|file too short)/);
  });

  it('refuses a shared library without hearth_plugin_get_api', () => {
    const e = loadError(libs['NOT_A_PLUGIN']!);
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toContain('is not a Hearth native plugin: it does not export hearth_plugin_get_api()');
  });

  it('refuses another ABI major, naming both versions', () => {
    const e = loadError(libs['OTHER_MAJOR']!);
    expect(e.code).toBe('E_PLUGIN_VERSION');
    expect(e.message).toContain('built against Hearth native ABI 2.3');
    expect(e.message).toContain(`this loader speaks ABI ${ABI_VERSION.major}.${ABI_VERSION.minor}`);
  });

  it('refuses a table whose struct_size is too small to hold ABI 1.0', () => {
    const e = loadError(libs['SMALL_STRUCT']!);
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toContain('struct_size is 16 bytes, smaller than the 136 bytes of ABI 1.0');
  });

  it('refuses NULL function pointers, naming each', () => {
    const e = loadError(libs['NULL_POINTER']!);
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toContain('NULL in copy_to_host, launch');
  });

  it('loads a plugin built against an older minor (1.0: no stats) and runs it', async () => {
    const lib = openNativeLibrary(libs['OLD_MINOR']!);
    expect(lib.identity.abi).toEqual({ major: 1, minor: 0 });
    expect(lib.fn.stats).toBeUndefined();
    const { h } = await open(loadNativePlugin(libs['OLD_MINOR']!));
    const sum = h.add(h.tensor([1, 2], { device: 'native:0' }), h.tensor([10, 20], { device: 'native:0' }));
    expect(Array.from(await sum.data())).toEqual([11, 22]);
    expect(h.backendStats('native:0')).toBeUndefined();
    await h.dispose();
  });

  it('loads a plugin built against a newer minor, ignoring the fields it does not know', async () => {
    expect(openNativeLibrary(libs['NEWER_MINOR']!).identity.abi).toEqual({ major: 1, minor: 9 });
    const { h } = await open(loadNativePlugin(libs['NEWER_MINOR']!));
    expect(Array.from(await h.neg(h.tensor([3], { device: 'native:0', dtype: 'int32' })).data())).toEqual([-3]);
    await h.dispose();
  });

  it('a register-time failure marks the plugin failed with the reason; the runtime still starts', async () => {
    const h = createHearth({ plugins: [loadNativePluginLazy(libs['NULL_POINTER']!), cpuPlugin] });
    const report = await h.ready();
    const rec = report.plugins.find((p) => p.name === 'lazy-null');
    expect(rec?.status).toBe('failed');
    expect(rec?.error?.code).toBe('E_PLUGIN');
    expect(report.defaultDevice).toBe('cpu:0');
    await h.dispose();
  });
});

describe('a package whose manifest names its library', () => {
  function writePackage(name: string, hearth: Record<string, unknown>): string {
    const dir = join(FIXTURE_DIR, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@acme/${name}`, version: '2.1.0', hearth }));
    return dir;
  }

  it('loads the library named by hearth.nativeLibrary, with the manifest from package.json', async () => {
    const dir = writePackage('npu-package', { nativeLibrary: '../libvariant-old-minor.so', vendor: 'Acme', deviceTypes: ['native'], coreApi: '^1.0.0' });
    const plugin = nativePluginFromPackage(dir);
    expect(plugin.manifest).toMatchObject({ name: '@acme/npu-package', version: '2.1.0', vendor: 'Acme', deviceTypes: ['native'] });
    const { h } = await open(plugin);
    expect(Array.from(await h.mul(h.tensor([3], { device: 'native:0' }), h.tensor([4], { device: 'native:0' })).data())).toEqual([12]);
    await h.dispose();
  });

  it('takes the opset the package declares (hearth.opset), and refuses one that is not an integer >= 1', () => {
    const v2 = writePackage('npu-v2-package', { nativeLibrary: '../libvariant-old-minor.so', vendor: 'Acme', deviceTypes: ['native'], opset: 2 });
    expect(nativePluginFromPackage(v2).manifest.opset).toBe(2);
    const v1 = writePackage('npu-v1-package', { nativeLibrary: '../libvariant-old-minor.so', vendor: 'Acme', deviceTypes: ['native'] });
    expect(nativePluginFromPackage(v1).manifest.opset).toBeUndefined();
    const bad = writePackage('npu-bad-opset', { nativeLibrary: '../libvariant-old-minor.so', vendor: 'Acme', deviceTypes: ['native'], opset: '2' });
    expect(() => nativePluginFromPackage(bad)).toThrowError(/hearth.opset must be an integer >= 1, got "2"/);
  });

  it('refuses a package without hearth.nativeLibrary, naming the field', () => {
    const dir = writePackage('js-only-package', { vendor: 'Acme', deviceTypes: ['npu'] });
    expect(() => nativePluginFromPackage(dir)).toThrowError(/does not describe a native plugin: hearth.nativeLibrary must be a non-empty string/);
  });
});

function loadNativePluginLazy(library: string): HearthPlugin {
  return { ...referencePlugin, manifest: { ...referencePlugin.manifest, name: 'lazy-null' }, register: (host) => loadNativePlugin(library).register(host) };
}

describe('running native kernels', () => {
  it('a device that fails to start is unavailable with the library\'s message; others run', async () => {
    const { h, report } = await open(loadNativePlugin(libs['NO_DEVICE']!));
    const f = report.failed.find((x) => x.backend === 'native');
    expect(f?.error.code).toBe('E_BACKEND_INIT');
    expect(f?.error.message).toContain('no test device: the stand-in accelerator is switched off');
    expect(report.defaultDevice).toBe('cpu:0');
    await h.dispose();
  });

  it('a kernel error status is a coded HearthError with the library\'s message, and the run goes on', async () => {
    const { h } = await open(loadNativePlugin(libs['KERNEL_ERROR']!));
    const a = h.tensor([1, 2], { device: 'native:0' });
    const b = h.tensor([3, 4], { device: 'native:0' });
    let err: unknown;
    try {
      h.add(a, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).code).toBe('E_KERNEL');
    expect((err as HearthError).message).toContain('add(float32) failed (UNSUPPORTED): add: this device cannot add today');
    expect(Array.from(await h.sub(a, b).data())).toEqual([-2, -2]);
    expect(h.leaks()).toHaveLength(3); // a, b and the difference: the failed sum's output was released
    await h.dispose();
  });

  it('gather out of range is E_INDEX_OUT_OF_RANGE from the library, with the index and the range', async () => {
    const { h } = await open(referencePlugin);
    const x = h.tensor([1, 2, 3], { device: 'native:0' });
    expect(() => h.gather(x, h.tensor([3], { dtype: 'int32', device: 'native:0' }))).toThrowError(/index 3 .* out of range .*size 3; use indices in \[-3, 2\]/);
    await h.dispose();
  });
});
