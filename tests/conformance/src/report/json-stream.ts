import { closeSync, openSync, writeSync } from 'node:fs';
import { specialNumbers } from './format.js';

/** Numbers of one array joined into one piece: the pieces stay small whatever the array's length. */
const NUMBERS_PER_PIECE = 8192;

const scalar = (v: unknown): string | undefined => JSON.stringify(specialNumbers('', v));

/**
 * The JSON text of `value` in pieces, as `JSON.stringify(value, specialNumbers, 1)` writes it (NaN, ±Infinity
 * and -0 spelled as strings, one space of indent per level), but never as one string: a report of any size
 * can be written without reaching the engine's longest string (about 2^29 characters).
 */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  const v = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (v === null || typeof v !== 'object') {
    yield scalar(v) ?? 'null';
    return;
  }
  const inner = `${indent} `;
  if (Array.isArray(v)) {
    const items: readonly unknown[] = v;
    if (items.length === 0) return void (yield '[]');
    yield '[';
    for (let i = 0; i < items.length; ) {
      const item = items[i];
      if (typeof item === 'number') {
        // A run of numbers: one piece per block, not one per element.
        let piece = '';
        const end = Math.min(items.length, i + NUMBERS_PER_PIECE);
        for (; i < end && typeof items[i] === 'number'; i++) piece += `${i ? ',' : ''}\n${inner}${scalar(items[i])}`;
        yield piece;
        continue;
      }
      yield `${i ? ',' : ''}\n${inner}`;
      if (item === undefined || typeof item === 'function') yield 'null';
      else yield* jsonPieces(item, inner);
      i++;
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
  if (entries.length === 0) return void (yield '{}');
  yield '{';
  for (const [k, [key, x]] of entries.entries()) {
    yield `${k ? ',' : ''}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonPieces(x, inner);
  }
  yield `\n${indent}}`;
}

/** Writes `pieces` to `path`, a buffer of about 1 MB at a time. */
export function writePieces(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    let buffer = '';
    for (const piece of pieces) {
      buffer += piece;
      if (buffer.length >= 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer) writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}

/** Writes `value` as JSON to `path` (see {@link jsonPieces}), streamed: its size has no limit. */
export function writeJsonFile(path: string, value: unknown): void {
  writePieces(path, jsonPieces(value));
}
