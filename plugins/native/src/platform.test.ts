import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isHearthError } from '@hearth/core';
import { nativePlatform, platformLibrary } from './platform.js';

// Real folders laid out as npm installs a plugin and its platform packages.
const root = mkdtempSync(join(tmpdir(), 'hearth-platform-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const host = nativePlatform();
const from = pathToFileURL(join(root, 'node_modules/@acme/npu/dist/index.js'));

function installPlatformPackage(name: string, withLibrary: boolean): string {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.1.0' }));
  if (withLibrary) writeFileSync(join(dir, 'libnpu.so'), 'not really a library');
  return join(dir, 'libnpu.so');
}

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isHearthError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('no error');
}

describe('nativePlatform', () => {
  it('names the OS, the CPU and, on Linux, the C library this process runs on', () => {
    const report = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
    const libc = report.header.glibcVersionRuntime ? 'gnu' : 'musl';
    expect(host).toBe(process.platform === 'linux' ? `linux-${process.arch}-${libc}` : `${process.platform}-${process.arch}`);
  });
});

describe('platformLibrary', () => {
  const options = { plugin: '@acme/npu', version: '0.1.0', platforms: [host, 'plan9-mips'], file: 'libnpu.so', from };

  it('says which package to install, for which platform, when the platform package is missing', () => {
    const e = errorOf(() => platformLibrary(options));
    expect(e.code).toBe('E_NOT_INSTALLED');
    expect(e.message).toContain(`@acme/npu needs its native library for ${host} from the package @acme/npu-${host}`);
    expect(e.message).toContain(`Install it: npm i @acme/npu-${host}@0.1.0`);
  });

  it('refuses a platform the plugin is not published for, naming those it is', () => {
    const e = errorOf(() => platformLibrary({ ...options, platforms: ['plan9-mips', 'haiku-x64'] }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toContain(`@acme/npu has no native library for this platform, ${host}: it is published for plan9-mips, haiku-x64.`);
  });

  it('reports a platform package installed without its library', () => {
    installPlatformPackage(`@acme/npu-${host}`, false);
    const e = errorOf(() => platformLibrary(options));
    expect(e.code).toBe('E_PLUGIN');
    expect(e.message).toContain(`@acme/npu-${host} is installed but has no libnpu.so`);
  });

  it("resolves the installed platform package's library", () => {
    const library = installPlatformPackage(`@acme/npu-${host}`, true);
    expect(platformLibrary(options)).toBe(library);
  });

  it("prefers the plugin's own checkout, platforms/<platform>/, once its build has put the library there", () => {
    const checkout = join(root, 'checkout/platforms');
    expect(platformLibrary({ ...options, checkout })).toBe(join(root, 'node_modules', `@acme/npu-${host}`, 'libnpu.so'));
    mkdirSync(join(checkout, host), { recursive: true });
    writeFileSync(join(checkout, host, 'libnpu.so'), 'built here');
    expect(platformLibrary({ ...options, checkout: pathToFileURL(`${checkout}/`) })).toBe(join(checkout, host, 'libnpu.so'));
  });
});
