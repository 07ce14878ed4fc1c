import { describe, expect, it, vi } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { CPU_KERNELS, cpuPlugin, createCpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { errorOf } from './helpers.js';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('messages a user reads', () => {
  it('say "a Promise" and where to await when a forgotten await hands one over', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const moved = h.tensor([1, 2]).to('cpu');
    const m = messageOf(() => h.add(moved as never, h.tensor([1, 2])));
    expect(m).toContain('a Promise');
    expect(m).toContain('await');
    await moved;
  });

  it('name the promoted dtype in words when the inputs compute in a dtype the op refuses', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const b = h.tensor([true, false]);
    const m = messageOf(() => h.add(b, b));
    expect(m).toContain('add: the inputs compute in bool');
    expect(m).not.toContain('inputs has dtype');
  });
});

describe('a dtype a device does not store', () => {
  async function cpuAndWasm(): Promise<Hearth> {
    const h = createHearth({ plugins: [cpuPlugin, wasmPlugin], backends: ['wasm', 'cpu'] });
    await h.ready();
    return h;
  }

  it('names the device of the same runtime that stores it, for every way a float64 tensor is made', async () => {
    const h = await cpuAndWasm();
    try {
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const x = h.tensor([1, 2]);
      const onCpu = h.tensor([1, 2], { dtype: 'float64', device: 'cpu' });
      for (const make of [
        () => h.tensor([1, 2], { dtype: 'float64' }),
        () => h.zeros([2], { dtype: 'float64' }),
        () => x.cast('float64'),
        () => onCpu.toSync('wasm'),
      ]) {
        const e = errorOf(make);
        expect(e.code).toBe('E_DTYPE');
        expect(e.message).toMatch(/^wasm:0 does not store float64 \(it stores [a-z0-9, ]+\); cpu:0 in this runtime stores float64: /);
        expect(e.message).not.toContain('..');
      }
      expect(errorOf(() => h.tensor([1, 2], { dtype: 'float64' })).message).toContain('{ device: "cpu:0" }');
      expect(errorOf(() => x.cast('float64')).message).toContain('await t.to("cpu:0")');
      // explain says what the call does.
      expect(h.explain('cast', [x], { dtype: 'float64' }).reason).toContain('E_DTYPE');
    } finally {
      vi.restoreAllMocks();
      await h.dispose();
    }
  });

  it('says so when no device of the runtime stores it', async () => {
    const h = createHearth({ plugins: [wasmPlugin] });
    await h.ready();
    expect(errorOf(() => h.tensor([1], { dtype: 'float64' })).message).toMatch(/no device of this runtime stores float64: give a dtype wasm:0 stores/);
    await h.dispose();
  });
});

describe('a plugin failure quoted in a message', () => {
  it('ends in one period, whatever punctuation the plugin put at the end of its own message', async () => {
    for (const thrown of [new Error('index 9 out of range.'), new Error('index 9 out of range. \n'), 'index 9 out of range...', { message: 'index 9 out of range.' }]) {
      const kernels = CPU_KERNELS.filter((k) => k.op !== 'neg').concat({
        op: 'neg',
        device: 'cpu',
        dtypes: ['float32'],
        run: () => {
          throw thrown;
        },
      });
      const h = createHearth({ plugins: [createCpuPlugin({ name: 'acme-throws', kernels })] });
      await h.ready();
      const e = errorOf(() => h.tensor([1, 2]).neg());
      expect(e.code).toBe('E_KERNEL');
      expect(e.message).toMatch(/: index 9 out of range\. This is a plugin bug; report it to its vendor\.$/);
      await h.dispose();
    }
  });

  it('names a message-less failure instead of leaving an empty clause', async () => {
    const kernels = CPU_KERNELS.filter((k) => k.op !== 'neg').concat({ op: 'neg', device: 'cpu', dtypes: ['float32'], run: () => { throw new Error(''); } });
    const h = createHearth({ plugins: [createCpuPlugin({ name: 'acme-silent', kernels })] });
    await h.ready();
    expect(errorOf(() => h.tensor([1]).neg()).message).toContain(': an error with no message. This is a plugin bug');
    await h.dispose();
  });
});

describe('a forgotten await', () => {
  it('is called a Promise wherever the data or a tensor was expected', async () => {
    const h = createHearth({ plugins: [cpuPlugin] });
    await h.ready();
    const x = h.tensor([1, 2]);
    const moved = x.to('cpu');
    for (const use of [() => h.tensor([moved as never]), () => h.concat([moved as never, x]), () => h.op('add', [moved as never, x]), () => x.mul(moved as never)]) {
      expect(errorOf(use).message).toMatch(/a Promise \(add `await` where it was made/);
    }
    await moved;
    await h.dispose();
  });
});
