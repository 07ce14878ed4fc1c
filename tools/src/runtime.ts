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
 * With `allBackends`, every device type of every loaded plugin is started, lazy ones too (for `hearth backends`);
 * `allowOverrides` names the plugins allowed to replace other plugins' kernels; `fallback` is the runtime's
 * fallback policy (`error` when left out).
 */
export async function openRuntime(
  options: { plugins?: readonly string[]; backends?: readonly string[]; allBackends?: boolean; allowOverrides?: readonly string[]; fallback?: FallbackPolicy } = {},
): Promise<OpenedRuntime> {
  const { plugins, failures, isolate } = options.plugins?.length
    ? { plugins: await Promise.all(options.plugins.map(importPlugin)), failures: [], isolate: undefined }
    : await importInstalledPlugins();
  const backends = options.backends;
  const hearth = createHearth({
    plugins,
    backends,
    ...(options.allowOverrides?.length ? { allowOverrides: options.allowOverrides } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(isolate !== undefined ? { isolate } : {}),
  });
  try {
    const report = await hearth.ready();
    if (!options.allBackends) return { hearth, report, error: undefined, importFailures: failures };
    // Listing starts every backend, lazy ones included: a failure shows in the report's `failed`.
    for (const { backend } of report.notStarted) await hearth.start(backend).catch(() => undefined);
    return { hearth, report: hearth.report!, error: undefined, importFailures: failures };
  } catch (e) {
    if (!(e instanceof HearthError)) throw e;
    return { hearth, report: undefined, error: e, importFailures: failures };
  }
}

