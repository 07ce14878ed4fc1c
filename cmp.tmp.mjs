import { hearthEngine, tfjsEngine } from './tools/dist/bench/cpu-engines.js';
import { cpuWork } from './tools/dist/bench/cpu-work.js';
import { wasmPlugin } from '@hearth/plugin-wasm';
const only = process.argv.slice(2);
const engines = [await hearthEngine('wasm2', wasmPlugin, 'wasm', { threads: 2 }), await hearthEngine('wasm1', wasmPlugin, 'wasm', { threads: 1 }), await tfjsEngine('tfjs-wasm', 'wasm')];
for (const w of cpuWork().filter((w) => only.length === 0 || only.some((o) => w.name.startsWith(o)))) {
  const line = [w.name];
  for (const e of engines) {
    const p = await e.prepare(w); await p.result();
    let n = 1; const b = async (n) => { const t0 = performance.now(); for (let i = 0; i < n; i++) { const r = p.run(); if (r) await r; } return performance.now() - t0; };
    while (await b(n) < 20) n *= 2;
    const ts = []; for (let r = 0; r < 7; r++) ts.push(await b(n) / n); ts.sort((a, b) => a - b);
    line.push(`${e.name} ${(ts[3]).toFixed(3)}ms`); p.dispose();
  }
  console.log(line.join('  '));
}
process.exit(0);
