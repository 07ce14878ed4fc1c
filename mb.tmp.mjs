import { createHearth } from '@hearth/core';
import { wasmPlugin } from '@hearth/plugin-wasm';
const threads = Number(process.argv[2] ?? 2);
const h = createHearth({ plugins: [wasmPlugin], backends: ['wasm'], backendOptions: { wasm: { threads } } });
await h.ready();
function time(name, f, n) { f(); const ts=[]; for (let r=0;r<5;r++){ const t0=performance.now(); for(let i=0;i<n;i++) f(); ts.push((performance.now()-t0)/n);} ts.sort((a,b)=>a-b); console.log(threads, name, (ts[2]*1000).toFixed(2), 'us'); }
const x = h.tensor(Float32Array.from({length:1<<20},(_, i)=>Math.sin(i)), {shape:[1024,1024]});
const y = h.tensor(Float32Array.from({length:1<<20},(_, i)=>Math.cos(i)), {shape:[1024,1024]});
const a1 = h.tensor([1.5]), b1 = h.tensor([2]);
time('add1', () => h.add(a1,b1).dispose(), 100000);
time('softmax', () => h.softmax(x, -1).dispose(), 20);
time('add', () => h.add(x, y).dispose(), 50);
time('sum', () => h.sum(x).dispose(), 50);
time('matmul', () => h.matmul(x, y).dispose(), 3);
await h.dispose();
