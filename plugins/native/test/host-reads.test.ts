/**
 * Reads from a device that declares HEARTH_DEVICE_HOST_MEMORY (ABI 1.3): small ones are one synchronous
 * copy on the calling thread, large ones still go to a worker thread, and libraries that don't declare it
 * (an older minor, or a 1.3 device such as a GPU's) keep asynchronous reads. Whether a read went to a
 * worker is observed without timing: a worker's result can only arrive on a later event-loop turn, so a
 * read that settles within a few microtask turns was made on the calling thread.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError, type HearthPlugin, type Tensor } from '@hearth/core';
import { loadNativePlugin, NativeBackend, openNativeLibrary, plugin as referencePlugin, REFERENCE_LIBRARY, SYNC_READ_MAX_BYTES } from '../src/index.js';
import { buildFixture, errorOf } from './fixtures.js';

const libs: Record<string, string> = {};

beforeAll(() => {
  for (const v of ['OLD_MINOR', 'MINOR_1_2', 'NO_HOST_MEMORY']) libs[v] = buildFixture('variant.c', `host-reads-${v.toLowerCase().replace(/_/g, '-')}`, [v]);
}, 120_000);

async function open(plugin: HearthPlugin) {
  const h = createHearth({ plugins: [plugin], backends: ['native'] });
  await h.ready();
  return h;
}

/** The values and whether they arrived within microtasks (no event-loop turn, so no worker thread). */
async function readOf(t: Tensor): Promise<{ values: number[]; sameTurn: boolean }> {
  let done = false;
  const read = t.data().then((d) => ((done = true), d));
  for (let i = 0; i < 20 && !done; i++) await Promise.resolve();
  const sameTurn = done;
  return { values: Array.from(await read), sameTurn };
}

describe('a device that declares HEARTH_DEVICE_HOST_MEMORY (the reference library)', () => {
  it('reads synchronously: dataSync() works and an awaited read settles without a worker thread', async () => {
    const h = await open(referencePlugin);
    expect(h.devices().find((d) => d.name === 'native:0')!.syncRead).toBe(true);
    const t = h.tensor([5, 6, 7], { device: 'native:0' });
    expect(Array.from(t.dataSync())).toEqual([5, 6, 7]);
    expect(await readOf(t)).toEqual({ values: [5, 6, 7], sameTurn: true });
    expect(Array.from(await h.tensor([1, 0, 1], { dtype: 'bool', device: 'native:0' }).data())).toEqual([1, 0, 1]);
    expect(Array.from(h.tensor([-2, 2 ** 31 - 1], { dtype: 'int32', device: 'native:0' }).dataSync())).toEqual([-2, 2 ** 31 - 1]);
    await h.dispose();
  });

  it('reads what the last kernel wrote, in blocks freed by earlier results and reused', async () => {
    const h = await open(referencePlugin);
    const n = 1000;
    const base = Float32Array.from({ length: n }, (_, i) => i - 500);
    let x = h.tensor(base, { device: 'native:0' });
    const expected = Array.from(base);
    // Each step frees the previous result: its block goes to the pool and the next kernel writes into it.
    for (let step = 0; step < 6; step++) {
      const next = step % 2 === 0 ? h.neg(x) : h.add(x, x);
      x.dispose();
      x = next;
      for (let i = 0; i < n; i++) expected[i] = step % 2 === 0 ? -expected[i]! : 2 * expected[i]!;
      expect(Array.from(x.dataSync())).toEqual(expected);
    }
    expect((await readOf(x)).values).toEqual(expected);
    // A relu on a reused block, then an add that reads it: both reads see the newest values.
    const r = h.relu(x);
    expect(Array.from(await r.data())).toEqual(expected.map((v) => Math.max(v, 0)));
    expect(Array.from(h.add(r, x).dataSync())).toEqual(expected.map((v) => Math.max(v, 0) + v));
    await h.dispose();
  });

  it('writes and reads each dtype exactly at every size around the 64 bytes that small copies stage natively', async () => {
    const h = await open(referencePlugin);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const n of [1, 15, 16, 17, 63, 64, 65, 300]) {
        const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? (i * 7) % 3 === 0 ? 1 : 0 : dtype === 'int32' ? i * 1_000_003 - 2 ** 30 : i / 8 - 3));
        // Through a kernel, so the values are written by the library, not by the loader's own write.
        const x = h.tensor(values, { dtype, device: 'native:0' });
        const t = dtype === 'bool' ? h.cast(h.cast(x, 'int32'), 'bool') : h.neg(h.neg(x));
        expect(Array.from(t.dataSync()), `${dtype}[${n}] dataSync`).toEqual(values);
        expect(Array.from(await t.data()), `${dtype}[${n}] data`).toEqual(values);
      }
    }
    await h.dispose();
  });

  it('reads a zero-size tensor as an empty array, both ways', async () => {
    const h = await open(referencePlugin);
    const t = h.tensor(new Float32Array(0), { shape: [0, 3], device: 'native:0' });
    expect(t.dataSync()).toEqual(new Float32Array(0));
    expect(await readOf(t)).toEqual({ values: [], sameTurn: true });
    await h.dispose();
  });

  it(`reads a result over ${SYNC_READ_MAX_BYTES / 1024} KiB on a worker thread (the event loop stays free), and dataSync() still reads it`, async () => {
    const h = await open(referencePlugin);
    const n = SYNC_READ_MAX_BYTES / 4 + 1;
    const data = Float32Array.from({ length: n }, (_, i) => i % 977);
    const t = h.neg(h.tensor(data, { device: 'native:0' }));
    const expected = Array.from(data, (v) => -v);
    const { values, sameTurn } = await readOf(t);
    expect(sameTurn).toBe(false);
    expect(values).toEqual(expected);
    expect(Array.from(t.dataSync())).toEqual(expected);
    // Just under the bound: one synchronous copy.
    expect((await readOf(h.tensor(new Float32Array(SYNC_READ_MAX_BYTES / 4).fill(3), { device: 'native:0' }))).sameTurn).toBe(true);
    await h.dispose();
  });

  it('a tensor disposed while its large read is on the worker still reads its values, and its memory is freed after', async () => {
    const h = await open(referencePlugin);
    const t = h.tensor(new Float32Array(SYNC_READ_MAX_BYTES / 2).fill(2.5), { device: 'native:0' });
    const before = h.backendStats('native:0')!.liveAllocations;
    const read = t.data();
    t.dispose();
    const values = await read;
    expect(values.every((v) => v === 2.5)).toBe(true);
    expect(h.backendStats('native:0')!.liveAllocations).toBe(before - 1);
    await h.dispose();
  });
});

describe('libraries that do not declare it keep asynchronous reads', () => {
  for (const [variant, why] of [
    ['OLD_MINOR', 'built against ABI 1.0'],
    ['MINOR_1_2', 'built against ABI 1.2, whose device_info had no flags (what it writes there is ignored)'],
    ['NO_HOST_MEMORY', 'an ABI 1.3 device without the flag, as a GPU library is'],
  ] as const) {
    it(`${variant}: ${why}`, async () => {
      const h = await open(loadNativePlugin(libs[variant]!));
      expect(h.devices().find((d) => d.name === 'native:0')!.syncRead).toBe(false);
      const t = h.add(h.tensor([1, 2], { device: 'native:0' }), h.tensor([10, 20], { device: 'native:0' }));
      expect(await readOf(t)).toEqual({ values: [11, 22], sameTurn: false });
      expect(errorOf(() => t.dataSync()).code).toBe('E_SYNC_READ');
      await h.dispose();
    });
  }
});

describe('the backend refuses copies that could reach memory outside the storage', () => {
  function backend(): { b: NativeBackend; close: () => void } {
    const lib = openNativeLibrary(REFERENCE_LIBRARY);
    lib.check(lib.fn.init([0]) as number, 'init');
    const b = new NativeBackend(lib, 0, () => lib.fn.shutdown());
    return { b, close: () => void b.dispose() };
  }

  it('a look-alike storage object, a size past the storage, and a freed storage are HearthErrors, with no copy made', () => {
    const { b, close } = backend();
    const s = b.allocate('float32', 4);
    b.write(s, 'float32', Float32Array.of(1, 2, 3, 4));
    expect(Array.from(b.readSync(s, 'float32', 4))).toEqual([1, 2, 3, 4]);
    // A plain object carrying some address: never handed to the library.
    const fake = { ptr: (s as unknown as { ptr: bigint }).ptr, byteLength: 1 << 20, device: 0 };
    expect(errorOf(() => b.readSync(fake, 'float32', 1 << 18)).code).toBe('E_BACKEND');
    expect(errorOf(() => b.write(fake, 'float32', new Float32Array(1 << 18))).code).toBe('E_BACKEND');
    // More elements than the storage holds, either way.
    expect(errorOf(() => b.readSync(s, 'float32', 1024)).code).toBe('E_BACKEND');
    expect(errorOf(() => b.write(s, 'float32', new Float32Array(1024))).code).toBe('E_BACKEND');
    expect(errorOf(() => b.write(s, 'float32', new Float32Array(2))).code).toBe('E_BACKEND');
    // Freed, then its block reused by the next allocation: the old storage can't read the new tensor's data.
    b.free(s);
    const again = b.allocate('float32', 4);
    b.write(again, 'float32', Float32Array.of(9, 8, 7, 6));
    expect(errorOf(() => b.readSync(s, 'float32', 4)).message).toMatch(/freed/);
    b.free(s); // a second free of the same storage hands nothing back twice
    const third = b.allocate('float32', 4);
    b.write(third, 'float32', Float32Array.of(5, 5, 5, 5));
    expect(Array.from(b.readSync(again, 'float32', 4))).toEqual([9, 8, 7, 6]);
    // Another backend's storage (another runtime's device 0 of the same library) is not this one's to copy.
    const other = backend();
    const theirs = other.b.allocate('float32', 4);
    expect(errorOf(() => b.readSync(theirs, 'float32', 4)).message).toMatch(/did not allocate/);
    other.close();
    close();
  });

  it('an awaited read is refused the same way, as a rejected promise', async () => {
    const { b, close } = backend();
    const s = b.allocate('int32', 2);
    await expect(b.read(s, 'int32', 1 << 20)).rejects.toMatchObject({ code: 'E_BACKEND' });
    await expect(b.read({ byteLength: 8 }, 'int32', 2)).rejects.toMatchObject({ code: 'E_BACKEND' });
    close();
  });
});
