import { Command } from 'commander';
import { openRuntime } from '../runtime.js';
import { formatTable } from '../table.js';
import { DEFAULT_NODE_TEST_DIR, findNodeTests } from '../onnx-node-tests/data.js';
import { classifyNodeTests, runOnBackend, unmappedOpsByFrequency, type BackendResult, type NodeTestReport } from '../onnx-node-tests/suite.js';

/** Options of `hearth onnx-node-tests`. */
export interface NodeTestsCliOptions {
  data: string;
  backend?: string[];
  plugin?: string[];
  json?: boolean;
}

/** The device types of the installed (or named) plugins that start here, in priority order. */
async function availableBackends(plugins: readonly string[] | undefined): Promise<string[]> {
  const { hearth } = await openRuntime({ plugins, allBackends: true });
  const types = [...new Set(hearth.devices().map((d) => d.name.split(':')[0]!))];
  await hearth.dispose().catch(() => undefined);
  return types;
}

/** Runs ONNX's backend node tests that map to Hearth on each backend (one runtime each, CPU fallback allowed). */
export async function nodeTestsReport(o: NodeTestsCliOptions): Promise<NodeTestReport> {
  const tests = findNodeTests(o.data);
  const { mapped, unmapped } = await classifyNodeTests(tests);
  const backends: BackendResult[] = [];
  for (const type of o.backend ?? (await availableBackends(o.plugin))) {
    const { hearth, error } = await openRuntime({ plugins: o.plugin, backends: [type, 'cpu'], fallback: 'allow' });
    try {
      if (error) throw error;
      process.stderr.write(`${type}: ${mapped.length} mapped tests...\n`);
      backends.push(await runOnBackend(mapped, { name: type, hearth, device: `${type}:0` }));
    } finally {
      await hearth.dispose().catch(() => undefined);
    }
  }
  return { total: tests.length, mapped: mapped.map((t) => t.name), unmapped, backends };
}

const percent = (n: number, of: number) => `${((100 * n) / Math.max(of, 1)).toFixed(1)}%`;

function printReport(r: NodeTestReport): void {
  const m = r.mapped.length;
  console.log(`ONNX backend node tests: ${r.total}; mapped to Hearth: ${m} (${percent(m, r.total)})\n`);
  console.log(
    formatTable(
      ['backend', 'passed', 'of mapped', 'dtype not stored', 'failed: allow-listed', 'known', 'new', 'passed with fallback'],
      r.backends.map((b) => {
        const count = (f: (x: BackendResult['failed'][number]) => unknown) => String(b.failed.filter(f).length);
        return [b.backend, String(b.passed), percent(b.passed, m), String(b.unstored.length), count((f) => f.allowed), count((f) => f.known), count((f) => !f.allowed && !f.known), String(b.withFallback.length)];
      }),
    ),
  );
  const reasons = new Map<string, number>();
  for (const u of r.unmapped) reasons.set(u.reason, (reasons.get(u.reason) ?? 0) + 1);
  console.log(`\nNot mapped, by reason: ${[...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const ops = unmappedOpsByFrequency(r);
  console.log(`\nONNX ops with no Hearth mapping (${ops.length}), by the number of tests using them:`);
  console.log(ops.map(([op, n]) => `${op} ${n}`).join(', '));
  for (const b of r.backends) {
    if (!b.failed.length) continue;
    console.log(`\nFailures on ${b.backend}:`);
    for (const f of b.failed) console.log(`  ${f.name}: ${f.allowed ? `allowed: ${f.allowed}` : f.known ? `known: ${f.detail}` : f.detail}`);
  }
}

/** `hearth onnx-node-tests`: ONNX's backend node tests run through @hearth/onnx, with pass counts per backend. */
export function nodeTestsCommand(): Command {
  return new Command('onnx-node-tests')
    .description("Run ONNX's backend node tests that map to Hearth on each backend: total, mapped and passed counts, failures, and the ONNX ops Hearth does not map")
    .option('--data <dir>', "ONNX's data/node folder (scripts/setup generates it)", DEFAULT_NODE_TEST_DIR)
    .option('--backend <type...>', 'the device types to run on (every installed one that starts, when left out)')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print the report as JSON (progress stays on stderr)')
    .action(async (opts: NodeTestsCliOptions) => {
      const r = await nodeTestsReport(opts);
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else printReport(r);
      process.exitCode = r.backends.some((b) => b.failed.some((f) => !f.allowed && !f.known)) ? 1 : 0;
    });
}
