import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCases, caseTimeoutMs, jsonPieces, specialNumbers, writeJsonFile, type SuiteCase } from '../src/index.js';

describe('reports stream', () => {
  it('writes the same JSON text as JSON.stringify, special numbers, nesting, empty and undefined fields included', () => {
    const value = { a: 1, b: [1, -0, NaN, Infinity, -Infinity, 0.1], c: { d: [], e: {}, f: undefined, g: 'x"y', h: [{ i: null }, [2, 3]], j: true }, k: new Float64Array([1.5, -0]) };
    expect([...jsonPieces(value)].join('')).toBe(JSON.stringify(value, specialNumbers, 1));
  });

  it('never holds a long array in one piece, so a report of any size is written without one huge string', () => {
    const data = new Array<number>(300_000).fill(0.123456789);
    const longest = Math.max(...[...jsonPieces({ inputs: [{ data }] })].map((p) => p.length));
    expect(longest).toBeLessThan(200_000);
    const file = join(mkdtempSync(join(tmpdir(), 'hearth-json-')), 'big.json');
    writeJsonFile(file, { inputs: [{ data }] });
    expect(JSON.parse(readFileSync(file, 'utf8')).inputs[0].data).toHaveLength(300_000);
  });
});

describe('timeouts scale with a case', () => {
  const cases = new Map(allCases().map((c) => [c.id, c]));
  const byName = (id: string) => cases.get(id) as SuiteCase;

  it('gives a small case the base timeout, a property five times it, and larger cases in proportion to their work', () => {
    expect(caseTimeoutMs(byName('hearth:op,add:dtype=float32;case=basic'), 10_000)).toBe(10_000);
    expect(caseTimeoutMs(byName('hearth:op,add:dtype=float32;case=property'), 10_000)).toBe(50_000);
    expect(caseTimeoutMs(byName('hearth:op,softmax:dtype=float32;case=large-row'), 10_000)).toBeGreaterThanOrEqual(220_000);
    expect(caseTimeoutMs(byName('hearth:op,sum:dtype=int32;case=large-all-axes'), 1_000)).toBeGreaterThan(64_000);
    // Multiply-adds count: 8 outputs of a 70,011-long window take far longer than their 233,000 inputs' size says.
    expect(caseTimeoutMs(byName('hearth:op,conv2d:dtype=float32;case=large-window'), 1_000)).toBeGreaterThan(5_000);
    // A sequence counts every call: two matmuls of 68 × 257 × 65.
    const seq = byName('hearth:op,matmul:dtype=float32;case=sequence-threads-68x257x65');
    expect(caseTimeoutMs(seq, 1_000)).toBe(Math.ceil((2 * (68 * 257 + 257 * 65 + 68 * 257 * 65) / 2 ** 18) * 1_000));
  });
});
