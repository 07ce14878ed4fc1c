import { HearthError, type KernelSpec, type OpSchema } from '@hearth/core';
import type { AttrSlot } from './arena.js';
import type { NativeBackend } from './backend.js';
import type { NativeLibrary } from './library.js';

/**
 * One core `KernelSpec` per (op, dtype) the library advertises. Each run writes the launch descriptors into
 * the backend's arena and makes one FFI call; a status other than OK becomes a HearthError carrying the
 * library's last_error (the core disposes the output, and the runtime carries on).
 */
export function nativeKernelSpecs(lib: NativeLibrary, ops: readonly OpSchema[]): KernelSpec<NativeBackend>[] {
  const byName = new Map(ops.map((o) => [o.name, o] as const));
  const launch = lib.fn.launch;
  return lib.kernels.map(({ op, dtype, index }) => {
    const schema = byName.get(op);
    if (!schema) {
      throw new HearthError('E_PLUGIN', `${lib.identity.name} advertises a kernel for "${op}", which is not an operator of this opset; remove it from the plugin's kernels() list.`, { library: lib.path, op });
    }
    const slots: AttrSlot[] = Object.entries(schema.attrs).map(([name, spec]) => ({ name, float: /^number\b/.test(spec.type) }));
    // Built once: the launch itself builds no string unless it fails.
    const what = `${op}(${dtype})`;
    const launchOf = `launch of ${what}`;
    return {
      op,
      device: lib.identity.deviceType,
      dtypes: dtype,
      run(inputs, output, attrs, ctx) {
        const b = ctx.backend;
        b.assertOpen(launchOf);
        b.arena.encode(inputs, output, slots, attrs);
        const status = launch(b.device, index, b.arena.inputs, inputs.length, b.arena.output, b.arena.attrs, slots.length) as number;
        if (status !== 0) lib.check(status, what);
      },
    };
  });
}
