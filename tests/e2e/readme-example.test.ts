import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';

describe('the README example', () => {
  it('gives what its comments say', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('[[8, 11], [16, 23]]');
    const hearth = createHearth({ plugins: [cpuPlugin] });
    await hearth.ready();
    const x = hearth.tensor([[1, 2], [3, 4]]);
    const y = hearth.scope(() => x.matmul(x).add(1).relu());
    expect(y.device).toBe('cpu:0');
    expect(await y.array()).toEqual([[8, 11], [16, 23]]);
    expect(hearth.explain('add', [x, x]).kernel).toEqual({ plugin: '@hearth/plugin-cpu', version: '1.0.0' });
    expect(hearth.leaks()).toHaveLength(2);
  });
});
