import { HearthError } from '../errors.js';
import type { HearthPlugin } from '../plugin.js';

/**
 * Which plugins run isolated: `createHearth({ isolate })` when given (`true`, or plugin names), else the
 * `HEARTH_ISOLATE` environment variable (`1`/`true`/`all` for every plugin, `0`/`false`/empty for none, or
 * comma-separated plugin names), else none. A plugin is matched by its manifest name.
 */
export function isolationChoice(option: boolean | readonly string[] | undefined): (p: HearthPlugin) => boolean {
  const choice = option ?? fromEnv();
  if (choice === true) return () => true;
  if (choice === false || choice.length === 0) return () => false;
  const names = new Set(choice);
  return (p) => {
    try {
      return names.has(p.manifest.name);
    } catch {
      return false; // a manifest that can't be read is refused by the loader
    }
  };
}

function fromEnv(): boolean | readonly string[] {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['HEARTH_ISOLATE']?.trim();
  if (!v || v === '0' || v.toLowerCase() === 'false') return false;
  if (v === '1' || ['true', 'all'].includes(v.toLowerCase())) return true;
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.some((n) => !/^(@[\w.-]+\/)?[\w.-]+$/.test(n))) {
    throw new HearthError('E_ARG', `HEARTH_ISOLATE="${v.slice(0, 200)}" is not understood: set it to 1 (isolate every plugin), 0 (none) or comma-separated plugin names such as @acme/npu,@acme/dsp.`);
  }
  return names;
}
