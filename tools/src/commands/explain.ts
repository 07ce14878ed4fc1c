import { Command } from 'commander';
import { HearthError, isDType, type DType, type Explanation } from '@hearth/core';
import { openRuntime } from '../runtime.js';
import { probeInChild } from '../probe/probe.js';
import { timeoutOption } from '../probe/options.js';

/** Parses `2x3,3,scalar` into shapes. */
export function parseShapes(text: string): number[][] {
  return text.split(',').map((s) => {
    const t = s.trim();
    if (t === 'scalar' || t === '') return [];
    const dims = t.split('x').map(Number);
    if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new HearthError('E_ARG', `--shapes: "${t}" is not a shape; write shapes like 2x3,3 (or "scalar").`);
    }
    return dims;
  });
}

/**
 * Explains which kernel would run for an op on inputs of the given shapes and dtypes. It works from the
 * operator's `meta` (shapes and dtypes only): nothing is allocated and no kernel runs, so a 20000x20000
 * input costs nothing and a plugin without `full` can be explained.
 */
export async function explainCall(op: string, options: { shapes?: string; dtypes?: string; attrs?: string; device?: string; plugins?: string[] }): Promise<Explanation> {
  const shapes = options.shapes ? parseShapes(options.shapes) : [];
  const dtypes = (options.dtypes ?? '').split(',').filter(Boolean);
  for (const d of dtypes) if (!isDType(d)) throw new HearthError('E_DTYPE', `--dtypes: "${d}" is not a dtype; use float32, int32, bool, float16 or float64.`);
  let attrs: Record<string, unknown> | undefined;
  try {
    attrs = options.attrs ? (JSON.parse(options.attrs) as Record<string, unknown>) : undefined;
  } catch {
    throw new HearthError('E_ARG', `--attrs must be JSON, e.g. '{"axes":[1]}'; got ${options.attrs}.`);
  }
  const { hearth, error } = await openRuntime({ plugins: options.plugins, backends: options.device ? [options.device.split(':')[0]!] : undefined });
  if (error) throw error;
  try {
    // Shapes and dtypes only: explain works from the operator's meta, so a plugin without `full` (a partial
    // one) can be explained and a 20000x20000 input allocates nothing.
    const inputs = shapes.map((shape, i) => ({ shape, dtype: (dtypes[i] ?? dtypes[0] ?? 'float32') as DType }));
    return hearth.explain(op, inputs, attrs, { device: options.device });
  } finally {
    await hearth.dispose().catch(() => undefined);
  }
}

/** `hearth explain <op> --shapes 2x3,3 --dtypes float32,int32`: which kernel would run, or why none. */
export function explainCommand(): Command {
  return new Command('explain')
    .description('Explain which kernel would run for an operator call, or why none would')
    .argument('<op>', 'operator name, e.g. add')
    .option('--shapes <shapes>', 'input shapes, e.g. 2x3,3 (use "scalar" for rank 0)')
    .option('--dtypes <dtypes>', 'input dtypes, e.g. float32,int32 (default float32)')
    .option('--attrs <json>', 'attributes as JSON, e.g. \'{"axes":[1]}\'')
    .option('--device <device>', 'device, e.g. cpu or webgpu:0 (default: the default device)')
    .option('--plugin <spec...>', 'plugin packages or paths to load instead of the installed ones')
    .option('--json', 'print JSON for machines')
    .addOption(timeoutOption())
    .action(async (op: string, opts: { shapes?: string; dtypes?: string; attrs?: string; device?: string; plugin?: string[]; json?: boolean; timeout: number }) => {
      const { plugin, json: _json, timeout, ...rest } = opts;
      const e = await probeInChild<Explanation>({ kind: 'explain', op, plugins: plugin ?? [], ...rest }, timeout);
      if (opts.json) {
        console.log(JSON.stringify(e, null, 2));
        return;
      }
      console.log(`${e.op}: computes in ${e.dtype}, gives ${e.outDtype}[${e.shape.join(', ')}] on ${e.device}`);
      if (e.casts.length) console.log(`casts first: ${e.casts.join(', ')}`);
      console.log(e.kernel ? `kernel: ${e.kernel.plugin}@${e.kernel.version}` : `no kernel: ${e.reason}`);
      if (!e.kernel) process.exitCode = 1;
    });
}
