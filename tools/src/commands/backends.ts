import { Command } from 'commander';
import { OPSET_VERSION, pluginOpset, type KernelOverride, type ReadyReport } from '@hearth/core';
import { openRuntime } from '../runtime.js';
import { probeInChild } from '../probe/probe.js';
import { timeoutOption } from '../probe/options.js';
import { formatTable } from '../table.js';
import { resolve } from 'node:path';
import { readIndex, standingOf, trustSettings, type Standing } from '@hearth/registry';

/** One row of `hearth backends`. */
export interface BackendRow {
  /** The device type. */
  backend: string;
  /** The plugin providing it. */
  plugin: string;
  /** Its version. */
  version: string;
  /** Its priority. */
  priority: number;
  /** The opset the plugin declares it implements (older than the core's: later ops decompose or fall back). */
  opset: number;
  /** `ready` with its devices, or `unavailable`/`failed` with the reason. */
  status: 'ready' | 'unavailable' | 'failed';
  /** The ready devices and what they report. */
  devices: { name: string; info: Record<string, unknown> }[];
  /** Why not, when not ready. */
  reason?: string;
  /** The error code, when not ready. */
  code?: string;
  /** True for the backend whose first device a runtime uses by default here. */
  default?: boolean;
  /** On the default backend's row: why it is the default (the order's source, software devices passed over). */
  selection?: string;
  /** Kernels of this plugin replacing another plugin's (only with `allowOverrides`). */
  overrides?: KernelOverride[];
  /** Its certification in the registry index given with `--index` (or hearth.config.json's `index`). */
  certification?: Standing;
}

/** Gathers what `hearth backends` shows: every installed plugin's backends, ready or not and why. */
export async function listBackends(plugins?: string[], allowOverrides?: readonly string[]): Promise<BackendRow[]> {
  const { hearth, report, error, importFailures } = await openRuntime({ plugins, allBackends: true, allowOverrides });
  const rows: BackendRow[] = [];
  const devices = report?.devices ?? [];
  for (const p of hearth.plugins()) {
    const types = p.manifest?.deviceTypes ?? ['?'];
    for (const type of types) {
      // A failed plugin is failed even when another plugin's device of its type is ready (an impostor of
      // the CPU plugin must not read "ready"); a plugin's row lists the devices it provides.
      const ready = p.status === 'failed' ? [] : devices.filter((d) => d.name.startsWith(`${type}:`) && d.plugin === p.name);
      const served = p.status === 'loaded' && ready.length === 0 ? devices.find((d) => d.name.startsWith(`${type}:`)) : undefined;
      const failure = report?.failed.find((f) => f.backend === type) ?? (error?.details['failed'] as { backend: string; error: { code: string; message: string } }[] | undefined)?.find((f) => f.backend === type);
      const why = p.status === 'failed' ? p.error : failure?.error;
      rows.push({
        backend: type,
        plugin: p.name,
        version: p.version,
        priority: p.manifest?.priority ?? 0,
        opset: p.manifest ? pluginOpset(p.manifest) : 1,
        status: ready.length || served ? 'ready' : p.status === 'failed' ? 'failed' : 'unavailable',
        devices: ready.map((d) => ({ name: d.name, info: { ...d.info } })),
        ...(served ? { reason: `adds kernels to ${served.name}, which ${served.plugin} provides` } : why && !ready.length ? { reason: why.message, code: why.code } : {}),
      });
    }
  }
  for (const o of report?.overrides ?? []) {
    const row = rows.find((r) => r.plugin === o.by.plugin);
    if (row) (row.overrides ??= []).push(o);
  }
  markDefault(rows, report);
  for (const f of importFailures) {
    for (const backend of f.package?.deviceTypes ?? ['?']) {
      rows.push({ backend, plugin: f.spec, version: f.package?.version ?? '?', priority: 0, opset: 1, status: 'failed', devices: [], reason: f.error.message, code: f.error.code });
    }
  }
  await hearth.dispose().catch(() => undefined);
  return rows;
}

/** Marks the backend the runtime chose as its default here, with the runtime's own reason (`HEARTH_BACKENDS` or plugin priorities). */
function markDefault(rows: BackendRow[], report: ReadyReport | undefined): void {
  const row = report?.defaultDevice === undefined ? undefined : rows.find((r) => r.status === 'ready' && r.devices.some((d) => d.name === report.defaultDevice));
  if (row) Object.assign(row, { default: true, selection: report!.selection });
}

/** `hearth backends`: installed backends, which are available, their priority, and why not. */
export function backendsCommand(): Command {
  return new Command('backends')
    .description('List installed backends: available or not (and why), priority, and device info')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print JSON for machines')
    .option('--allow-override <plugin...>', 'let these plugins replace other plugins\' kernels (as createHearth({ allowOverrides }))')
    .option('--index <dir>', "a registry index: show each plugin's certification (default: hearth.config.json's index)")
    .addOption(timeoutOption())
    .action(async (opts: { plugin?: string[]; json?: boolean; timeout: number; allowOverride?: string[]; index?: string }) => {
      // Plugins are foreign code: they run in a child process with a time limit.
      const rows = await probeInChild<BackendRow[]>({ kind: 'backends', plugins: opts.plugin ?? [], allowOverrides: opts.allowOverride ?? [] }, opts.timeout);
      const indexDir = opts.index ?? trustSettings().index;
      if (indexDir) {
        const index = readIndex(resolve(indexDir));
        for (const r of rows) r.certification = standingOf(index, r.plugin, r.version, r.backend);
      }
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('No plugin is loaded: none is installed, or autoload is off (HEARTH_AUTOLOAD=0, hearth.config.json). Install one, or name one with --plugin.');
        return;
      }
      console.log(
        formatTable(
          ['backend', 'plugin', 'version', 'priority', 'opset', 'status', ...(indexDir ? ['certification'] : []), 'devices / reason'],
          rows.map((r) => [
            r.backend,
            r.plugin,
            r.version,
            String(r.priority),
            String(r.opset),
            r.status,
            ...(indexDir ? [r.certification!.summary] : []),
            r.status === 'ready' ? r.devices.map((d) => `${d.name} (${describeInfo(d.info)})`).join('; ') || (r.reason ?? '') : `${r.code}: ${r.reason}`,
          ]),
        ),
      );
      for (const r of rows.filter((x) => x.status === 'ready' && x.opset < OPSET_VERSION)) {
        console.log(`\n${r.plugin} implements opset ${r.opset} of this core's ${OPSET_VERSION}: on ${r.backend}, later opsets' composites run as their decompositions and their primitives fall back to another device (refused under fallback policy "error").`);
      }
      const chosen = rows.find((r) => r.default);
      console.log(`\ndefault: ${chosen?.selection ?? 'no device is ready'}`);
      for (const o of rows.flatMap((r) => r.overrides ?? [])) {
        console.log(`override: ${o.op}(${o.dtype}) on ${o.device} is ${o.by.plugin}@${o.by.version}'s, replacing ${o.replaced.plugin}@${o.replaced.version}'s`);
      }
    });
}

function describeInfo(info: Record<string, unknown>): string {
  const parts = [info['name'], info['vendor'], info['backend'], info['software'] ? 'software' : undefined].filter((x) => typeof x === 'string' && x !== '');
  return parts.join(', ');
}
