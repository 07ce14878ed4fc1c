/**
 * Native libraries that break the ABI's promises in ways the loader can see, each built from a small C
 * file against hearth_plugin.h: the loader refuses what it can't trust with a coded error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { loadNativePlugin } from '../src/index.js';
import { buildFixture } from './fixtures.js';

let reusedPointer = '';

beforeAll(() => {
  reusedPointer = buildFixture('reused-pointer.c', 'reused-pointer');
}, 120_000);

describe('a native allocator that hands out a pointer still in use', () => {
  it('is refused with E_BACKEND, and the tensor holding that memory keeps its values', async () => {
    const plugin = loadNativePlugin(reusedPointer);
    const h = createHearth({ plugins: [plugin, cpuPlugin], backends: [plugin.manifest.deviceTypes[0]!, 'cpu'] });
    await h.ready();
    const device = `${plugin.manifest.deviceTypes[0]!}:0`;
    const a = h.tensor([1, 2, 3, 4], { device });
    let error: unknown;
    try {
      h.tensor([10, 20, 30, 40], { device });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HearthError);
    expect(error).toMatchObject({ code: 'E_BACKEND', message: expect.stringContaining('still in use') });
    expect(Array.from(await a.data())).toEqual([1, 2, 3, 4]);
    a.dispose();
    // Once freed, the library may hand the same block out again.
    const b = h.tensor([5, 6, 7, 8], { device });
    expect(Array.from(await b.data())).toEqual([5, 6, 7, 8]);
    await h.dispose();
  });
});
