import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listBackends } from './backends.js';
import { coverage } from './ops.js';
import { explainCall, parseShapes } from './explain.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;

/** Runs the built `hearth` binary; resolves with its exit code and output. */
async function hearth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, HEARTH_BACKENDS: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Writes a plugin module whose register throws, as a vendor's broken build would. */
function brokenPluginFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
  const file = join(dir, 'broken-plugin.mjs');
  writeFileSync(
    file,
    `export default {
      manifest: { name: 'acme-npu', version: '0.1.0', vendor: 'ACME', deviceTypes: ['npu'], coreApi: '^1.0.0', priority: 50 },
      register() { throw new Error('libacme.so: cannot open shared object file'); },
    };\n`,
  );
  return file;
}

describe('hearth backends', () => {
  it('lists the CPU backend as ready with its device', async () => {
    const rows = await listBackends(['@hearth/plugin-cpu']);
    expect(rows).toEqual([expect.objectContaining({ backend: 'cpu', status: 'ready', devices: [expect.objectContaining({ name: 'cpu:0' })] })]);
  });

  it('shows why a plugin that throws in register is unavailable, and keeps the others', async () => {
    const rows = await listBackends(['@hearth/plugin-cpu', brokenPluginFile()]);
    const npu = rows.find((r) => r.plugin === 'acme-npu')!;
    expect(npu).toMatchObject({ backend: 'npu', status: 'failed', code: 'E_PLUGIN', priority: 50 });
    expect(npu.reason).toContain('libacme.so');
    expect(rows.find((r) => r.backend === 'cpu')?.status).toBe('ready');
  });

  it('prints the reason in the table and JSON from the binary', async () => {
    const file = brokenPluginFile();
    const table = await hearth('backends', '--plugin', '@hearth/plugin-cpu', file);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/npu\s+acme-npu\s+0\.1\.0\s+50\s+1\s+failed\s+E_PLUGIN: .*libacme\.so/);
    const json = await hearth('backends', '--json');
    expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ backend: 'cpu', status: 'ready' }));
  });

  it('exits 2 with the reason for a path that is not a plugin', async () => {
    const r = await hearth('backends', '--plugin', '/nonexistent/plugin.js');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_PLUGIN');
  });
});

describe('hearth ops', () => {
  it('reports CPU coverage per dtype, derived from the registered kernels', async () => {
    const [cpu] = await coverage({ device: 'cpu', plugins: ['@hearth/plugin-cpu'] });
    expect(cpu!.device).toBe('cpu');
    expect(cpu!.ops['add']).toEqual(['int32', 'float32', 'float64']);
    expect(cpu!.ops['exp']).not.toContain('int32');
    const out = await hearth('ops', '--device', 'cpu');
    expect(out.stdout).toMatch(/^add\s+v1\s+primitive\s+-\s+yes\s+-\s+yes\s+yes$/m);
    // Opset v2 lists each op's kind; a composite without a fused kernel runs decomposed where its dtype is admitted.
    expect(out.stdout).toMatch(/^opset 2: \d+ operators, \d+ primitives and \d+ composites\.$/m);
    expect(out.stdout).toMatch(/^erf\s+v2\s+primitive\s+-\s+-\s+-\s+yes\s+yes$/m);
    expect(out.stdout).toMatch(/^layer_norm\s+v2\s+composite\s+-\s+-\s+dec\s+dec\s+dec$/m);
  });
});

describe('hearth explain', () => {
  it('explains promotion and the kernel that runs', async () => {
    const e = await explainCall('add', { shapes: '2x3,3', dtypes: 'int32,float32', plugins: ['@hearth/plugin-cpu'] });
    expect(e).toMatchObject({ dtype: 'float32', shape: [2, 3], casts: ['int32 -> float32'], kernel: { plugin: '@hearth/plugin-cpu' } });
  });

  it('gives E_BROADCAST for shapes that do not fit, with exit code 2', async () => {
    const r = await hearth('explain', 'add', '--shapes', '2x3,4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_BROADCAST');
  });

  it('parses shapes and refuses garbage', () => {
    expect(parseShapes('2x3,scalar,0')).toEqual([[2, 3], [], [0]]);
    expect(() => parseShapes('2xz')).toThrow(expect.objectContaining({ code: 'E_ARG' }));
  });
});
