import { createHearth, HearthError, type FallbackPolicy, type Hearth, type ReadyReport } from '@hearth/core';
import { importInstalledPlugins, importPlugin, type PluginLoadFailure } from './plugins.js';

/** A runtime opened by a command, with what could not be imported. */
export interface OpenedRuntime {
  /** The runtime (ready, or with `report` undefined when no backend started). */
  readonly hearth: Hearth;
  /** The ready report, or undefined when no backend started. */
  readonly report: ReadyReport | undefined;
  /** The reason nothing started, when nothing did. */
  readonly error: HearthError | undefined;
  /** Plugin modules that could not be imported. */
  readonly importFailures: readonly PluginLoadFailure[];
}

/**
 * Opens a runtime over the named plugins (package names or paths), or the installed plugins discovery finds.
 * With `allBackends`, every device type of every loaded plugin is started (for `hearth backends`);
 * `allowOverrides` names the plugins allowed to replace other plugins' kernels; `fallback` is the runtime's
 * fallback policy (`error` when left out).
 */
export async function openRuntime(
  options: { plugins?: readonly string[]; backends?: readonly string[]; allBackends?: boolean; allowOverrides?: readonly string[]; fallback?: FallbackPolicy } = {},
): Promise<OpenedRuntime> {
  const { plugins, failures, isolate } = options.plugins?.length
    ? { plugins: await Promise.all(options.plugins.map(importPlugin)), failures: [], isolate: undefined }
    : await importInstalledPlugins();
  const backends = options.backends ?? (options.allBackends ? allTypesByPriority(plugins) : undefined);
  const hearth = createHearth({
    plugins,
    backends,
    ...(options.allowOverrides?.length ? { allowOverrides: options.allowOverrides } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(isolate !== undefined ? { isolate } : {}),
  });
  try {
    return { hearth, report: await hearth.ready(), error: undefined, importFailures: failures };
  } catch (e) {
    if (!(e instanceof HearthError)) throw e;
    return { hearth, report: undefined, error: e, importFailures: failures };
  }
}

function allTypesByPriority(plugins: readonly { manifest: { deviceTypes: readonly string[]; priority?: number } }[]): string[] {
  const sorted = [...plugins].sort((a, b) => (b.manifest.priority ?? 0) - (a.manifest.priority ?? 0));
  return [...new Set(sorted.flatMap((p) => (Array.isArray(p.manifest?.deviceTypes) ? p.manifest.deviceTypes : [])))];
}
