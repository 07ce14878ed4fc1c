import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OPSET } from '@hearth/core';
import { findOp } from './op-detail.js';

const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;
const hearth = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, HEARTH_BACKENDS: '' } });

describe('hearth ops <op>', () => {
  it("describes one operator: its doc line, inputs, attributes with defaults, and each backend's kernels", () => {
    const r = hearth('ops', 'avg_pool2d', '--plugin', '@hearth/plugin-cpu');
    expect(r.status).toBe(0);
    const schema = OPSET.find((o) => o.name === 'avg_pool2d')!;
    expect(r.stdout).toContain(schema.doc);
    for (const [name, a] of Object.entries(schema.attrs)) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+${a.type.replace(/[|[\]]/g, '\\$&')}`, 'm'));
    expect(r.stdout).toMatch(/^cpu\s+.*float32/m);
  });

  it('gives JSON with --json', () => {
    const r = hearth('ops', 'sum', '--plugin', '@hearth/plugin-cpu', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ name: 'sum', attrs: { keepdims: { type: 'bool', default: false } } });
    expect(j.kernels.cpu).toContain('float32');
  });

  it('refuses an unknown op with E_UNKNOWN_OP and a near match, exit 2', () => {
    const r = hearth('ops', 'summ');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Did you mean sum?');
    expect(() => findOp(OPSET, 'nope')).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_OP' }));
  });
});
