/**
 * `createHearth({ isolate })`, `HEARTH_ISOLATE`: which plugins run in their own process, what the runtime
 * accepts from that process, and what a TypeScript plugin that fails there costs (only its own device).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createHearth, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
// @ts-expect-error: a plain JS fixture, imported as another process imports it
import { createPlugin } from './fixtures/plugin.mjs';

const probe = (mode = 'ok', name?: string) => createPlugin(mode, name) as HearthPlugin;

async function probePid(options: Parameters<typeof createHearth>[0]): Promise<number> {
  const h = createHearth({ backends: ['probe'], ...options });
  const report = await h.ready();
  const pid = report.devices[0]!.info['pid'] as number;
  const a = h.tensor([1, 2], { device: 'probe' });
  expect(Array.from(await a.add(a).data())).toEqual([2, 4]);
  await h.dispose();
  return pid;
}

afterEach(() => {
  delete process.env['HEARTH_ISOLATE'];
});

describe('choosing what runs isolated', () => {
  it('runs a plugin named in isolate in another process, the others in this one', async () => {
    expect(await probePid({ plugins: [probe()], isolate: ['probe-ok'] })).not.toBe(process.pid);
    expect(await probePid({ plugins: [probe()], isolate: ['some-other-plugin'] })).toBe(process.pid);
    expect(await probePid({ plugins: [probe()], isolate: true })).not.toBe(process.pid);
    expect(await probePid({ plugins: [probe()] })).toBe(process.pid);
  });

  it('takes HEARTH_ISOLATE (1, or plugin names) when the option is left out; the option wins', async () => {
    process.env['HEARTH_ISOLATE'] = 'probe-ok';
    expect(await probePid({ plugins: [probe()] })).not.toBe(process.pid);
    process.env['HEARTH_ISOLATE'] = '1';
    expect(await probePid({ plugins: [probe()] })).not.toBe(process.pid);
    expect(await probePid({ plugins: [probe()], isolate: false })).toBe(process.pid);
    process.env['HEARTH_ISOLATE'] = 'not a name!';
    expect(() => createHearth({ plugins: [probe()] })).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringContaining('HEARTH_ISOLATE') }));
  });

  it('refuses a bad isolate option with E_ARG', () => {
    expect(() => createHearth({ isolate: 'yes' as never })).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringContaining('isolate must be') }));
  });

  it('fails a plugin without an origin, saying why, and keeps the others', async () => {
    const { origin: _, ...noOrigin } = probe();
    const h = createHearth({ plugins: [noOrigin as HearthPlugin, cpuPlugin], isolate: ['probe-ok'] });
    const report = await h.ready();
    const rec = report.plugins.find((p) => p.name === 'probe-ok')!;
    expect(rec.error).toMatchObject({ code: 'E_PLUGIN', message: expect.stringContaining("can't be isolated") });
    expect(report.devices.map((d) => d.name)).toEqual(['cpu:0']);
    await h.dispose();
  });

  it('refuses an origin that gives another plugin than the one named', async () => {
    const impostor = { ...probe(), manifest: { ...probe().manifest, name: 'probe-impostor' } };
    const h = createHearth({ plugins: [impostor, cpuPlugin], isolate: true });
    const rec = (await h.ready()).plugins.find((p) => p.name === 'probe-impostor')!;
    expect(rec.error).toMatchObject({ code: 'E_PLUGIN', message: expect.stringContaining('its origin gave probe-ok@1.0.0, not probe-impostor@1.0.0') });
    await h.dispose();
  });
});

describe('a TypeScript plugin failing in its process', () => {
  it('process.exit(3) in create costs its backend only', async () => {
    const h = createHearth({ plugins: [probe('exit-in-create'), cpuPlugin], backends: ['probe', 'cpu'], isolate: ['probe-exit-in-create'] });
    const report = await h.ready();
    expect(report.failed[0]!.error).toMatchObject({ code: 'E_DEVICE_LOST', message: expect.stringContaining('exited with code 3') });
    expect(report.defaultDevice).toBe('cpu:0');
    await h.dispose();
  });

  it('a register() that never returns (a busy loop) fails at the register time limit', async () => {
    const h = createHearth({ plugins: [probe('hang-in-register'), cpuPlugin], isolate: ['probe-hang-in-register'], timeouts: { register: 1000 } });
    const rec = (await h.ready()).plugins.find((p) => p.name === 'probe-hang-in-register')!;
    expect(rec.status).toBe('failed');
    expect(rec.error?.message).toMatch(/register\(\).* within 1000 ms/);
    await h.dispose();
  });

  it('a kernel that throws fails the read of its result with E_KERNEL; the device carries on', async () => {
    const h = createHearth({ plugins: [probe('throw-in-kernel')], isolate: true });
    await h.ready();
    const a = h.tensor([1, 2]);
    const sum = a.add(a);
    await expect(sum.data()).rejects.toMatchObject({ code: 'E_KERNEL', message: expect.stringContaining('probe-throw-in-kernel (isolated): its add kernel failed: the probe kernel failed') });
    await expect(sum.add(a).data()).rejects.toMatchObject({ code: 'E_KERNEL' }); // computed from the failed result
    expect(Array.from(await a.data())).toEqual([1, 2]);
    await h.dispose();
  });

  it('a device name beyond the string limit is refused', async () => {
    const h = createHearth({ plugins: [probe('long-name'), cpuPlugin], backends: ['probe', 'cpu'], isolate: true });
    const report = await h.ready();
    expect(report.failed[0]!.error).toMatchObject({ code: 'E_BACKEND_INIT', message: expect.stringContaining('info.name is longer than 256 characters') });
    await h.dispose();
  });
});

describe('an isolated plugin whose backend starts on first use', () => {
  it('is not started by ready(), and starts in its process on first use', async () => {
    const h = createHearth({ plugins: [cpuPlugin, probe('lazy')], isolate: ['probe-lazy'] });
    const report = await h.ready();
    expect(report.notStarted).toEqual([{ backend: 'probe', plugin: 'probe-lazy' }]);
    expect(h.devices().map((d) => [d.name, d.started])).toEqual([['cpu:0', true], ['probe:0', false]]);
    const a = h.tensor([1, 2], { device: 'probe' }); // pending until the process has made the device
    expect(Array.from(await a.add(a).data())).toEqual([2, 4]);
    const started = h.devices().find((d) => d.name === 'probe:0')!;
    expect(started.started).toBe(true);
    expect(started.info['pid']).not.toBe(process.pid);
    await h.dispose();
  });
});

describe('restartDevice', () => {
  it('is E_DEVICE for a device that runs in this process', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    await expect(h.restartDevice('cpu:0')).rejects.toMatchObject({ code: 'E_DEVICE' });
    await h.dispose();
  });
});

describe('an idle isolated plugin', () => {
  it('does not keep the program alive: a program that never disposes its runtime still exits', () => {
    const script = fileURLToPath(new URL('./fixtures/no-dispose.mjs', import.meta.url));
    writeFileSync(
      script,
      `import { createHearth } from '@hearth/core';\nimport { createPlugin } from './plugin.mjs';\nconst h = createHearth({ plugins: [createPlugin()], isolate: true });\nawait h.ready();\nconst a = h.tensor([1, 2]);\nconsole.log(Array.from(await a.add(a).data()).join(','));\n`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: run.status, signal: run.signal, out: run.stdout.trim() }).toEqual({ status: 0, signal: null, out: '2,4' });
  });
});

