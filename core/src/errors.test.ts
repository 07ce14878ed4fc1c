import { describe, expect, it } from 'vitest';
import { createHearth, HearthError, isHearthError, type HearthPlugin } from './index.js';

// A second copy of @hearth/core, as a plugin that resolved its own copy gets: the built module is a different
// module instance (its own HearthError class) from the source the tests run.
const otherCore = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('./index.js');

describe('HearthError across two copies of @hearth/core', () => {
  it('is the test really using a second class', () => {
    expect(otherCore.HearthError).not.toBe(HearthError);
  });

  it('recognises an error made by the other copy, by code', () => {
    const e = new otherCore.HearthError('E_INDEX_OUT_OF_RANGE', 'index 9 is out of range for size 3.');
    expect(e instanceof HearthError).toBe(true);
    expect(isHearthError(e, 'E_INDEX_OUT_OF_RANGE')).toBe(true);
    expect(new HearthError('E_ARG', 'x') instanceof otherCore.HearthError).toBe(true);
  });

  it('does not take look-alikes or hostile objects for HearthErrors', () => {
    expect({ name: 'HearthError', code: 'E_ARG', message: 'x' } instanceof HearthError).toBe(false);
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(hostile instanceof HearthError).toBe(false);
    expect(isHearthError(new Error('plain'))).toBe(false);
  });

  it("keeps a plugin's coded error when the plugin was built against another copy of core", async () => {
    const { cpuPlugin } = await import('@hearth/plugin-cpu');
    // A kernel of a plugin that resolved its own copy of core throws that copy's HearthError.
    const otherCopyPlugin: HearthPlugin = {
      manifest: { name: '@test/other-core-copy', version: '1.0.0', vendor: 'Test', deviceTypes: ['cpu'], coreApi: '^1.0.0' },
      register(host) {
        host.registerKernel({
          op: 'neg',
          device: 'cpu',
          dtypes: 'float32',
          override: true,
          run: () => {
            throw new otherCore.HearthError('E_INDEX_OUT_OF_RANGE', 'index 7 is out of range for an axis of size 3; pass indices in [-3, 3).');
          },
        });
      },
    };
    const h = createHearth({ plugins: [cpuPlugin, otherCopyPlugin], allowOverrides: ['@test/other-core-copy'] });
    await h.ready();
    const x = h.tensor([1, 2, 3]);
    expect(() => x.neg()).toThrow(expect.objectContaining({ code: 'E_INDEX_OUT_OF_RANGE' }));
    h.dispose();
  });
});
