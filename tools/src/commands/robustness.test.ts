/**
 * The CLI against plugins that misbehave and against the way it is used in scripts: every abnormal end is
 * a non-zero exit with a message, and output is never lost. Runs the built binary.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../bin/hearth.js', import.meta.url).pathname;
const CPU = JSON.stringify(import.meta.resolve('@hearth/plugin-cpu'));

async function hearth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, HEARTH_BACKENDS: '', HEARTH_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A plugin module with the CPU plugin's kernels and a register that first runs `body`. */
function pluginFile(body: string, kernels = 'CPU_KERNELS'): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-robust-'));
  const file = join(dir, 'plugin.mjs');
  writeFileSync(
    file,
    `import { createCpuPlugin, CPU_KERNELS } from ${CPU};
     const inner = createCpuPlugin({ name: 'acme', kernels: ${kernels} });
     export default { manifest: inner.manifest, register(host) { ${body}; return inner.register(host); } };\n`,
  );
  return file;
}

describe('foreign plugins are probed in a child process', () => {
  it('a plugin calling process.exit(0) is a non-zero exit with a message, for backends and explain', async () => {
    const file = pluginFile('process.exit(0)');
    for (const args of [['backends'], ['explain', 'add', '--shapes', '2,2']]) {
      const r = await hearth(...args, '--plugin', file);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ended the process \(exit code 0\) before it could answer/);
    }
  });

  it('a plugin stuck in a busy loop is stopped after --timeout, with a message', async () => {
    const r = await hearth('backends', '--plugin', pluginFile('for (;;) {}'), '--timeout', '1500');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did not finish within 1500 ms/);
  });
});

describe('hearth explain', () => {
  it('works from meta: no kernel runs and nothing is allocated (a plugin whose allocate throws, a 20000x20000 input)', async () => {
    const file = pluginFile(
      `const reg = host.registerBackend; host = { ...host, registerBackend: (f) => reg({ type: f.type, create: async (o) => { const b = await f.create(o); b.allocate = () => { throw new Error('allocated'); }; return b; } }) }`,
      "CPU_KERNELS.filter((k) => k.op === 'matmul')",
    );
    const r = await hearth('explain', 'matmul', '--shapes', '20000x20000,20000x20000', '--plugin', file, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ op: 'matmul', shape: [20000, 20000], kernel: { plugin: 'acme' } });
  });
});

describe('the binary', () => {
  it('prints its version', async () => {
    const r = await hearth('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^@hearth\/cli \d+\.\d+\.\d+ \(core API \d+\.\d+\.\d+, opset \d+\)/);
  });

  it('never loses output piped into a slow reader (more than 64 KiB)', async () => {
    // A real pipe to another process that starts reading late: the pipe fills and the writer must wait.
    const cmd = `"${process.execPath}" "${BIN}" conformance --plugin @hearth/plugin-cpu --list | (sleep 1.5; cat)`;
    const slow = await run('bash', ['-c', cmd], { maxBuffer: 1 << 24 });
    const fast = await hearth('conformance', '--plugin', '@hearth/plugin-cpu', '--list');
    expect(fast.stdout.length).toBeGreaterThan(65536);
    expect(slow.stdout).toBe(fast.stdout);
  });
});

describe('set-up and output channels', () => {
  it('the bin npm links is a committed, executable file (it exists before `npm run build`)', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    const pkgUrl = new URL('../../package.json', import.meta.url);
    const bin = (JSON.parse(readFileSync(pkgUrl, 'utf8')) as { bin: Record<string, string> }).bin['hearth']!;
    expect(bin).not.toMatch(/^\.?\/?dist\//);
    const mode = statSync(new URL(bin, pkgUrl)).mode;
    expect(mode & 0o111).not.toBe(0);
  });

  it("keeps Dawn's start-up warnings behind HEARTH_DEBUG", async () => {
    const quiet = await hearth('backends');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/Warning:/);
    if (!quiet.stdout.match(/^webgpu\s.*ready/m)) return; // no WebGPU device here: nothing to show
    const { stderr } = await run(process.execPath, [BIN, 'backends'], { env: { ...process.env, HEARTH_BACKENDS: '', HEARTH_DEBUG: '1' } });
    expect(stderr).toMatch(/Warning:/);
  });

  it('lists the kernel overrides in force and why the default device is the default', async () => {
    const file = pluginFile('', "CPU_KERNELS.filter((k) => k.op === 'add').map((k) => ({ ...k, override: true }))");
    const twin = file.replace('plugin.mjs', 'twin.mjs');
    // A plugin that only adds an overriding add kernel to the CPU device type (no backend of its own).
    writeFileSync(twin, `import p from ${JSON.stringify(file)};
      export default { manifest: { ...p.manifest, name: 'acme-fast-add' }, register(host) { return p.register({ ...host, registerBackend() {} }); } };\n`);
    const r = await hearth('backends', '--plugin', '@hearth/plugin-cpu', twin, '--allow-override', 'acme-fast-add');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/override: add\(float32\) on cpu is acme-fast-add@1\.0\.0's, replacing @hearth\/plugin-cpu@1\.0\.0's/);
    expect(r.stdout).toMatch(/default: cpu:0: first ready device/);
    const refused = await hearth('backends', '--plugin', '@hearth/plugin-cpu', twin, '--json');
    expect(JSON.parse(refused.stdout)).toContainEqual(expect.objectContaining({ plugin: 'acme-fast-add', status: 'failed', code: 'E_DUPLICATE_KERNEL' }));
  });
});
