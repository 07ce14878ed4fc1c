import { openRuntime } from '@hearth/cli';
import { mlpForward } from './mlp.js';

// Runs the MLP example on every available backend and prints the class probabilities of each.
const { hearth, report, error } = await openRuntime({ allBackends: true });
if (!report) {
  console.error(`No backend is ready: ${error?.message}`);
  process.exit(2);
}
for (const d of report.devices) {
  const p = await mlpForward(hearth, d.name);
  const rows = Array.from({ length: 4 }, (_, i) => Array.from(p.subarray(i * 3, i * 3 + 3), (v) => v.toFixed(4)).join(' '));
  console.log(`${d.name} (${d.info.name}):\n  ${rows.join('\n  ')}`);
}
for (const f of report.failed) console.log(`${f.backend}: unavailable (${f.error.message})`);
console.log(`leaks after the example: ${hearth.leaks().length}`);
await hearth.dispose();
process.exit(0);
