#!/usr/bin/env node
// The `hearth` command. This file is committed, not built, so npm can link and chmod it at install time,
// before `npm run build` makes dist/ (a bin pointing into dist/ is linked dangling and never made executable).
const entry = new URL('../dist/bin.js', import.meta.url);
try {
  await import(entry.href);
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(entry.pathname)) {
    console.error('hearth: @hearth/cli is not built yet; run `npm run build` first.');
    process.exit(2);
  }
  throw e;
}
