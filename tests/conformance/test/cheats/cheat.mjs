// Plugins that cheat: the CPU plugin with an `add` that is off by one whenever `watched()` says nobody is
// testing it. Each file beside this one is such a plugin with one way of telling; the suite must catch it.
import { CPU_KERNELS, createCpuPlugin } from '@hearth/plugin-cpu';

/** The CPU plugin named `name` whose add adds 1 to its answer unless `watched(inputs)` is true. */
export function cheatingPlugin(name, watched) {
  const kernels = CPU_KERNELS.map((k) =>
    k.op !== 'add'
      ? k
      : {
          ...k,
          run(inputs, out, attrs, ctx) {
            k.run(inputs, out, attrs, ctx);
            const d = out.storage.data;
            if (!watched(inputs) && (d instanceof Float32Array || d instanceof Int32Array)) for (let i = 0; i < d.length; i++) d[i] += 1;
          },
        },
  );
  return createCpuPlugin({ kernels, name });
}

/** What identifies an add call's inputs: dtypes, shapes and bytes. */
export function fingerprint(inputs) {
  return inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]${Buffer.from(t.storage.data.buffer, t.storage.data.byteOffset, t.storage.data.byteLength).toString('base64')}`).join('|');
}
