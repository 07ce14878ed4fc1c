import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPSET, type HearthPlugin, type PluginHost } from '@hearth/core';

/**
 * Another build of @hearth/core to time this one against: `HEARTH_BENCH_BASELINE=<its dist/index.js>`, e.g.
 * an old commit's core built in a folder of its own (`git worktree add /tmp/old <commit>`, then
 * `npx tsc -p core` there). Undefined when the variable is not set.
 */
export function baselinePath(): string | undefined {
  const path = process.env['HEARTH_BENCH_BASELINE'];
  return path ? resolve(path) : undefined;
}

/**
 * This core's build copied into a temporary folder of its own, beside a link to the node_modules it
 * resolves its dependencies from: the copy's dist/index.js, and how to remove the folder. Loaded from there,
 * this core stands apart from the @hearth/core the plugins import, exactly as a baseline build does.
 */
export function separateCoreCopy(): { index: string; remove: () => void } {
  const index = fileURLToPath(import.meta.resolve('@hearth/core'));
  const dist = dirname(index);
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-core-'));
  cpSync(dist, join(dir, 'core', 'dist'), { recursive: true });
  cpSync(join(dirname(dist), 'package.json'), join(dir, 'core', 'package.json'));
  const dep = createRequire(index).resolve('tsyringe');
  symlinkSync(dep.slice(0, dep.lastIndexOf(`${sep}node_modules${sep}`) + `${sep}node_modules`.length), join(dir, 'node_modules'), 'dir');
  return { index: join(dir, 'core', 'dist', 'index.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
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
