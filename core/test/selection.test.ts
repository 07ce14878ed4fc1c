import { afterEach, describe, expect, it } from 'vitest';
import { createHearth } from '../src/index.js';
import { toyPlugin } from './toy-plugin.js';

const plugins = () => [toyPlugin({ device: 'cpu', priority: 0 }), toyPlugin({ device: 'webgpu', priority: 10, software: true })];

describe('default backend selection', () => {
  afterEach(() => {
    delete process.env['HEARTH_BACKENDS'];
  });

  it('never picks a software-emulated device by default over the CPU, and says why', async () => {
    const r = await createHearth({ plugins: plugins() }).ready();
    expect(r.defaultDevice).toBe('cpu:0');
    expect(r.selection).toContain('webgpu:0 is software-emulated');
  });

  it('still uses a software device chosen explicitly or through HEARTH_BACKENDS', async () => {
    expect((await createHearth({ plugins: plugins(), backends: ['webgpu', 'cpu'] }).ready()).defaultDevice).toBe('webgpu:0');
    process.env['HEARTH_BACKENDS'] = 'webgpu';
    expect((await createHearth({ plugins: plugins() }).ready()).defaultDevice).toBe('webgpu:0');
  });

  it('trims HEARTH_BACKENDS and ignores its case', async () => {
    process.env['HEARTH_BACKENDS'] = '  WebGPU , CPU ';
    const h = createHearth({ plugins: plugins() });
    expect(h.backendOrder()).toEqual({ names: ['webgpu', 'cpu'], source: 'env' });
    expect((await h.ready()).defaultDevice).toBe('webgpu:0');
  });
});
