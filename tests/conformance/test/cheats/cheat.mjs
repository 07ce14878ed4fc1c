// Plugins that cheat: a real plugin whose `add` is off by one whenever `watched()` says nobody is testing
// it. Each file beside this one is such a plugin with one way of telling; the suite, its rerun or the field
// checks (`createHearth({ verify })`) must catch each.
import { cpuPlugin } from '@hearth/plugin-cpu';

/** `plugin` renamed `name`, whose add kernels add 1 to their answer unless `watched(inputs)` is true. */
export function cheating(plugin, name, watched) {
  const wrap = (k) => ({
    ...k,
    run(inputs, out, attrs, ctx) {
      k.run(inputs, out, attrs, ctx);
      if (watched(inputs) || out.dtype === 'bool') return;
      const data = ctx.backend.readSync(out.storage, out.dtype, out.size).slice();
      for (let i = 0; i < data.length; i++) data[i] += 1;
      ctx.backend.write(out.storage, out.dtype, data);
    },
  });
  return {
    manifest: { ...plugin.manifest, name },
    register(host) {
      return plugin.register({
        coreVersion: host.coreVersion,
        opsetVersion: host.opsetVersion,
        ops: host.ops,
        registerBackend: (f) => host.registerBackend(f),
        registerKernel: (k) => host.registerKernel(k.op === 'add' ? wrap(k) : k),
      });
    },
  };
}

/** The CPU plugin named `name`, cheating on add unless `watched(inputs)`. */
export function cheatingPlugin(name, watched) {
  return cheating(cpuPlugin, name, watched);
}

/** What identifies an add call's inputs on the CPU: dtypes, shapes and bytes. */
export function fingerprint(inputs) {
  return inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]${Buffer.from(t.storage.data.buffer, t.storage.data.byteOffset, t.storage.data.byteLength).toString('base64')}`).join('|');
}
