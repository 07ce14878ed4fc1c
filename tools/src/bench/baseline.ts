import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { OPSET, type HearthPlugin, type PluginHost, type createHearth as CreateHearth } from '@hearth/core';

/**
 * Another build of @hearth/core to time this one against: `HEARTH_BENCH_BASELINE=<its dist/index.js>`, e.g.
 * an old commit's core built in a worktree of its own (`git worktree add /tmp/old <commit>`, then
 * `npx tsc -p core` there). Undefined when the variable is not set.
 */
export async function baselineCore(): Promise<{ path: string; createHearth: typeof CreateHearth } | undefined> {
  const path = process.env['HEARTH_BENCH_BASELINE'];
  if (!path) return undefined;
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { createHearth?: typeof CreateHearth };
  if (typeof mod.createHearth !== 'function') throw new Error(`HEARTH_BENCH_BASELINE=${path} does not export createHearth; point it at a core build's dist/index.js`);
  return { path, createHearth: mod.createHearth };
}

/**
 * `plugin` as an older core can take it: its kernels for operators that core's opset lacks are left out
 * (today's plugins register opset v2 kernels, which a core from before v2 refuses), and it derives its
 * kernel list from this core's opset. The kernels themselves are the same functions, so both cores time
 * the same plugin code.
 */
export function forOlderCore(plugin: HearthPlugin): HearthPlugin {
  return {
    manifest: plugin.manifest,
    register(host: PluginHost) {
      const known = new Set(host.ops.map((o) => o.name));
      plugin.register({
        coreVersion: host.coreVersion,
        opsetVersion: host.opsetVersion,
        ops: OPSET,
        registerBackend: (factory) => host.registerBackend(factory),
        registerKernel: (spec) => {
          if (known.has(spec.op)) host.registerKernel(spec);
        },
      });
    },
  };
}
