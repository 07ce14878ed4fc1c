import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oncePerRun } from './once-per-run.js';

describe('a value shared by the test files of one run', () => {
  it('is computed once, and afresh after any input file changes or appears', async () => {
    const inputs = mkdtempSync(join(tmpdir(), 'hearth-inputs-'));
    writeFileSync(join(inputs, 'a.txt'), 'one');
    let computed = 0;
    const value = () => oncePerRun(`test-${inputs.replace(/\W/g, '_')}`, [inputs], async () => ({ n: ++computed, at: new Date(0) }));
    const [first, concurrent] = await Promise.all([value(), value()]);
    expect(computed).toBe(1);
    expect(concurrent).toEqual(first);
    expect(await value()).toEqual({ n: 1, at: new Date(0) }); // read back whole, a Date still a Date
    writeFileSync(join(inputs, 'a.txt'), 'two');
    expect(await value()).toMatchObject({ n: 2 });
    writeFileSync(join(inputs, 'b.txt'), '');
    expect(await value()).toMatchObject({ n: 3 });
    expect(computed).toBe(3);
  });
});
