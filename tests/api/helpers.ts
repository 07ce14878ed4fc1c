import { expect } from 'vitest';
import { createHearth, HearthError, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';

/** A ready runtime on the reference CPU plugin alone. */
export async function cpu(): Promise<Hearth> {
  const h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  await h.ready();
  return h;
}

/** The HearthError `fn` throws; fails the test when it throws something else or nothing. */
export function errorOf(fn: () => unknown): HearthError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error('no error thrown');
}
