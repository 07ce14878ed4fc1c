import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { runConformance, type RunResult } from '@hearth/conformance';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { addBundle, buildSite, generateSignerKey, initIndex, readIndex, readPluginPackage, revokeVersion, writeBundle, type PluginPackage } from '@hearth/registry';

// The registry's static page, opened from files (no server) in Debian's headless Chromium: the list with
// each plugin's status, the filter box, and a plugin's op × dtype matrix and ULP chart. A screenshot of
// each page is kept under reports/test-artifacts/ (git-ignored) for a human to look at.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(root, 'reports', 'test-artifacts');
let browser: Browser;
let site: string;

/** The CPU run relabelled as another vendor's plugin version on another device type. */
function vendorRun(run: RunResult, name: string, vendor: string, device: string): RunResult {
  return { ...run, plugin: { ...run.plugin, name, vendor, version: '0.9.0' }, device: { ...run.device, type: device, name: `${device}:0` } };
}

beforeAll(async () => {
  const lab = generateSignerKey('Test Lab');
  const index = mkdtempSync(join(tmpdir(), 'hearth-site-index-'));
  initIndex(index, [{ ...lab, packages: ['*'], deviceTypes: ['*'] }]);
  const run = await runConformance({ plugin: cpuPlugin, certify: true });
  const cpu = readPluginPackage(join(root, 'plugins/cpu'));
  const add = (r: RunResult, pkg: PluginPackage, signedAt?: Date) => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-site-bundle-'));
    writeBundle({ run: r, package: pkg, integrity: 'sha512-AAAA', key: lab, dir, ...(signedAt ? { now: signedAt } : {}) });
    addBundle(index, dir, signedAt ? { now: signedAt } : {});
  };
  const pkgOf = (name: string, vendor: string, device: string): PluginPackage => ({ name, version: '0.9.0', hearth: { ...cpu.hearth, vendor, deviceTypes: [device] } });
  add(run, cpu);
  add(vendorRun(run, '@acme/hearth-npu', 'Acme', 'npu'), pkgOf('@acme/hearth-npu', 'Acme', 'npu'), new Date('2025-01-10T00:00:00Z'));
  add(vendorRun(run, 'toy-dsp', 'Toy Labs', 'dsp'), pkgOf('toy-dsp', 'Toy Labs', 'dsp'));
  revokeVersion(index, 'toy-dsp', '0.9.0', 'results could not be reproduced');
  site = mkdtempSync(join(tmpdir(), 'hearth-site-'));
  buildSite(readIndex(index), site);
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

it('lists every plugin with its status, and the filter box narrows the list', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  const rows = () => page.$$eval('#plugins tbody tr', (trs) => trs.filter((t) => !(t as HTMLElement).hidden).map((t) => [...t.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  const all = await rows();
  expect(all.map((r) => [r[0], r[3], r[4], r[5]])).toEqual([
    ['@acme/hearth-npu', 'expired', 'npu', '—'],
    ['@hearth/plugin-cpu', 'certified', 'cpu', 'core'],
    ['toy-dsp', 'revoked', 'dsp', '—'],
  ]);
  expect(await page.textContent('#count')).toBe('3 of 3 plugins');
  await page.fill('#filter', 'npu');
  expect((await rows()).map((r) => r[0])).toEqual(['@acme/hearth-npu']);
  await page.fill('#filter', 'CERTIFIED core');
  expect((await rows()).map((r) => r[0])).toEqual(['@hearth/plugin-cpu']);
  expect(await page.textContent('#count')).toBe('1 of 3 plugins');
  await page.fill('#filter', 'no such plugin');
  expect(await rows()).toEqual([]);
  await page.fill('#filter', '');
  expect(await rows()).toHaveLength(3);
  await page.screenshot({ path: join(artifacts, 'registry-site.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

it("shows a plugin's op × dtype matrix in colour, its ULP chart and its history", async () => {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  await page.click('text=@hearth/plugin-cpu');
  await page.waitForSelector('table.matrix');
  const cell = await page.$eval('table.matrix tr:has(th:text-is("add")) td.cell.pass', (td) => getComputedStyle(td).backgroundColor);
  expect(cell).toBe('rgb(46, 125, 50)');
  expect(await page.$$eval('table.matrix td.cell.fail', (x) => x.length)).toBe(0);
  expect(await page.$$eval('svg.ulp-chart rect', (x) => x.length)).toBeGreaterThan(10);
  expect(await page.$$eval('table.history tbody tr', (x) => x.length)).toBe(1);
  await page.screenshot({ path: join(artifacts, 'registry-plugin-page.png'), fullPage: true });
  await page.close();
});
