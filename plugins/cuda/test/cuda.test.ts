import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUDA_LIBRARY } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../../../tools/dist/bin.js');
const built = existsSync(CUDA_LIBRARY);
const hasDriver = (() => {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libcuda.so.1');
  } catch {
    return false;
  }
})();

interface Row {
  backend: string;
  status: string;
  code?: string;
  reason?: string;
}

function cudaRow(env: NodeJS.ProcessEnv = process.env): Row {
  const out = execFileSync(process.execPath, [cli, 'backends', '--json', '--plugin', '@hearth/plugin-cuda', '--plugin', '@hearth/plugin-cpu'], { encoding: 'utf8', env, cwd: join(here, '../../..') });
  return (JSON.parse(out) as Row[]).find((r) => r.backend === 'cuda')!;
}

describe.skipIf(!built)('the CUDA plugin (built with nvcc; skipped where nvcc was missing at build time, issue 11)', () => {
  let driverDir: string;
  beforeAll(() => {
    driverDir = join(here, '../build/test/stand-in-driver');
    mkdirSync(driverDir, { recursive: true });
    execFileSync(process.env['CC'] ?? 'cc', ['-shared', '-fPIC', '-o', join(driverDir, 'libcuda.so.1'), join(here, 'fixtures/stand-in-driver.c')]);
  }, 60_000);

  it('exports only hearth_plugin_get_api (cudart is static and hidden)', () => {
    const symbols = execFileSync('nm', ['-D', '--defined-only', CUDA_LIBRARY], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' ').pop());
    expect(symbols).toEqual(['hearth_plugin_get_api']);
  });

  it.skipIf(hasDriver)('with no NVIDIA driver, `hearth backends` lists cuda as unavailable with the plain reason (skipped on a machine with a driver)', () => {
    const row = cudaRow();
    expect(row.status).toBe('unavailable');
    expect(row.code).toBe('E_BACKEND_INIT');
    expect(row.reason).toContain('no CUDA device: the NVIDIA driver is not installed (libcuda.so.1 could not be opened');
  });

  it('with a driver that finds no GPU (a stand-in libcuda.so.1), cuda is unavailable: "no CUDA device", not "driver too old"', () => {
    const row = cudaRow({ ...process.env, LD_LIBRARY_PATH: driverDir });
    expect(row.status).toBe('unavailable');
    expect(row.code).toBe('E_BACKEND_INIT');
    expect(row.reason).toContain('no CUDA device: the NVIDIA driver found no GPU (cuInit: CUDA_ERROR_NO_DEVICE)');
    expect(row.reason).not.toMatch(/too old|insufficient/i);
  });
});
