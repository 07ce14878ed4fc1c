import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryIndex } from '../index-file.js';
import { listPage } from './list.js';
import { pluginPage } from './plugin-page.js';
import { pluginSlug } from './status.js';

/**
 * Builds the registry's static web site from an index into `outDir`: index.html (every plugin with
 * status, device types, certified profiles and expiry, and a filter box) and plugins/<name>.html (the
 * op × dtype matrix, the ULP chart and the history). Plain files, no server; returns index.html's path.
 */
export function buildSite(index: RegistryIndex, outDir: string, now: Date = new Date()): string {
  mkdirSync(join(outDir, 'plugins'), { recursive: true });
  for (const entry of index.entries) writeFileSync(join(outDir, 'plugins', `${pluginSlug(entry.name)}.html`), pluginPage(entry, now, index.signers));
  const file = join(outDir, 'index.html');
  writeFileSync(file, listPage(index, now));
  return file;
}
