import { Command } from 'commander';
import { openRuntime } from '../runtime.js';
import { formatTable } from '../table.js';

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
  /** `ready` with its devices, or `unavailable`/`failed` with the reason. */
  status: 'ready' | 'unavailable' | 'failed';
  /** The ready devices and what they report. */
  devices: { name: string; info: Record<string, unknown> }[];
  /** Why not, when not ready. */
  reason?: string;
  /** The error code, when not ready. */
  code?: string;
}

/** Gathers what `hearth backends` shows: every installed plugin's backends, ready or not and why. */
export async function listBackends(plugins?: string[]): Promise<BackendRow[]> {
  const { hearth, report, error, importFailures } = await openRuntime({ plugins, allBackends: true });
  const rows: BackendRow[] = [];
  const devices = report?.devices ?? [];
  for (const p of hearth.plugins()) {
    const types = p.manifest?.deviceTypes ?? ['?'];
    for (const type of types) {
      const ready = devices.filter((d) => d.name.startsWith(`${type}:`));
      const failure = report?.failed.find((f) => f.backend === type) ?? (error?.details['failed'] as { backend: string; error: { code: string; message: string } }[] | undefined)?.find((f) => f.backend === type);
      const why = p.status === 'failed' ? p.error : failure?.error;
      rows.push({
        backend: type,
        plugin: p.name,
        version: p.version,
        priority: p.manifest?.priority ?? 0,
        status: ready.length ? 'ready' : p.status === 'failed' ? 'failed' : 'unavailable',
        devices: ready.map((d) => ({ name: d.name, info: { ...d.info } })),
        ...(why && !ready.length ? { reason: why.message, code: why.code } : {}),
      });
    }
  }
  for (const f of importFailures) {
    rows.push({ backend: '?', plugin: f.spec, version: '?', priority: 0, status: 'failed', devices: [], reason: f.error.message, code: f.error.code });
  }
  await hearth.dispose().catch(() => undefined);
  return rows;
}

/** `hearth backends`: installed backends, which are available, their priority, and why not. */
export function backendsCommand(): Command {
  return new Command('backends')
    .description('List installed backends: available or not (and why), priority, and device info')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print JSON for machines')
    .action(async (opts: { plugin?: string[]; json?: boolean }) => {
      const rows = await listBackends(opts.plugin);
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
          ['backend', 'plugin', 'version', 'priority', 'status', 'devices / reason'],
          rows.map((r) => [
            r.backend,
            r.plugin,
            r.version,
            String(r.priority),
            r.status,
            r.status === 'ready' ? r.devices.map((d) => `${d.name} (${describeInfo(d.info)})`).join('; ') : `${r.code}: ${r.reason}`,
          ]),
        ),
      );
    });
}

function describeInfo(info: Record<string, unknown>): string {
  const parts = [info['name'], info['vendor'], info['backend'], info['software'] ? 'software' : undefined].filter((x) => typeof x === 'string' && x !== '');
  return parts.join(', ');
}
