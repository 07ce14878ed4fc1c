import { Command } from 'commander';
import { DTYPES, OPSET, OPSET_VERSION, isFloat, kindOf, type DType, type OpSchema } from '@hearth/core';
import { openRuntime } from '../runtime.js';
import { probeInChild } from '../probe/probe.js';
import { timeoutOption } from '../probe/options.js';
import { formatTable } from '../table.js';
import { findOp, opDetail } from './op-detail.js';

/** Op × dtype coverage of one device type: for each op, the compute dtypes that have a kernel. */
export interface Coverage {
  /** The device type. */
  device: string;
  /** Op name → dtypes with a kernel. */
  ops: Record<string, string[]>;
}

/** Gathers kernel coverage per device type from the installed plugins. */
export async function coverage(options: { device?: string; plugins?: string[] } = {}): Promise<Coverage[]> {
  const { hearth } = await openRuntime({ plugins: options.plugins, allBackends: true });
  const kernels = hearth.kernels();
  await hearth.dispose().catch(() => undefined);
  const devices = [...new Set(kernels.map((k) => k.device))].filter((d) => !options.device || d === options.device.split(':')[0]);
  return devices.map((device) => {
    const ops: Record<string, string[]> = {};
    for (const op of OPSET) ops[op.name] = DTYPES.filter((dt) => kernels.some((k) => k.device === device && k.op === op.name && k.dtype === dt));
    return { device, ops };
  });
}

/** `hearth ops [op] [--device d]`: the op × dtype coverage of each backend, or one operator in detail. */
export function opsCommand(): Command {
  return new Command('ops')
    .description('Show which operators each backend implements, per dtype; with an op name, its doc, inputs, attributes and kernels')
    .argument('[op]', 'one operator to describe, e.g. sum')
    .option('--device <type>', 'only this device type (e.g. cpu, webgpu)')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print JSON for machines')
    .addOption(timeoutOption())
    .action(async (name: string | undefined, opts: { device?: string; plugin?: string[]; json?: boolean; timeout: number }) => {
      const op = name === undefined ? undefined : findOp(OPSET, name);
      const cov = await probeInChild<Coverage[]>({ kind: 'ops', plugins: opts.plugin ?? [], ...(opts.device ? { device: opts.device } : {}) }, opts.timeout);
      if (op) {
        if (opts.json) {
          const attrs = Object.fromEntries(Object.entries(op.attrs).map(([k, a]) => [k, { type: a.type, optional: a.optional, default: a.default }]));
          const kernels = Object.fromEntries(cov.map((c) => [c.device, c.ops[op.name] ?? []]));
          console.log(JSON.stringify({ name: op.name, kind: kindOf(op), since: op.since ?? 1, family: op.family, doc: op.doc, inputs: op.inputs, attrs, compute: op.compute, output: op.output, computeDtypes: op.computeDtypes, kernels }, null, 2));
        } else console.log(opDetail(op, cov));
        return;
      }
      if (opts.json) {
        console.log(JSON.stringify(cov, null, 2));
        return;
      }
      if (cov.length === 0) {
        console.log(opts.device ? `No installed plugin has kernels for "${opts.device}".` : 'No installed plugin has kernels.');
        process.exitCode = 2;
        return;
      }
      const primitives = OPSET.filter((op) => kindOf(op) === 'primitive');
      console.log(`opset ${OPSET_VERSION}: ${OPSET.length} operators, ${primitives.length} primitives and ${OPSET.length - primitives.length} composites.`);
      for (const c of cov) {
        console.log(`\n${c.device}`);
        const rows = OPSET.map((op) => [op.name, `v${op.since ?? 1}`, kindOf(op), ...DTYPES.map((dt) => cell(op, dt, c.ops[op.name]!.includes(dt)))]);
        console.log(formatTable(['op', 'opset', 'kind', ...DTYPES], rows));
        const total = primitives.filter((op) => c.ops[op.name]!.length > 0).length;
        console.log(`${total}/${primitives.length} primitives have at least one kernel on ${c.device}; "dec": a composite without a fused kernel, run as its decomposition.`);
      }
    });
}

/** Whether an op's schema admits a compute dtype. */
function admits(op: OpSchema, dt: DType): boolean {
  const cls = op.computeDtypes;
  return cls === 'any' || (cls === 'numeric' && dt !== 'bool') || (cls === 'float' && isFloat(dt)) || cls === dt;
}

/** A coverage cell: a kernel (`yes`, `fused` for a composite), a decomposed composite (`dec`), or nothing. */
function cell(op: OpSchema, dt: DType, kernel: boolean): string {
  if (kindOf(op) === 'primitive') return kernel ? 'yes' : '-';
  return kernel ? 'fused' : admits(op, dt) ? 'dec' : '-';
}
