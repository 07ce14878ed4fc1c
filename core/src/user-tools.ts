import { HearthError } from './errors.js';
import { checkOptions } from './arguments.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { Hearth } from './runtime.js';
import type { Tensor } from './tensor.js';

/** Options of the creation helpers: the dtype (default float32) and the device (default: the default device). */
export interface HelperCreateOptions<D extends DType = DType> {
  /** The dtype. */
  readonly dtype?: D;
  /** The device, e.g. `"cpu:0"`. */
  readonly device?: string;
}

/** One kernel call as {@link Hearth.profile} saw it. */
export interface ProfiledOp {
  /** The operator. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: string;
  /** The device it ran on. */
  readonly device: string;
  /** The plugin whose kernel ran. */
  readonly plugin: string;
  /** The inputs' shapes. */
  readonly inputShapes: readonly Shape[];
  /** The output's shape. */
  readonly outputShape: Shape;
  /** Milliseconds from the profile's start to the kernel call. */
  readonly startMs: number;
  /**
   * Milliseconds the kernel call took on the JavaScript thread. For a device that queues work (a GPU), this
   * is the time to submit it; the device's own time shows in the next read.
   */
  readonly durationMs: number;
}

/** What {@link Hearth.profile} returns. */
export interface Profile<R> {
  /** What the function returned. */
  readonly result: R;
  /** Every kernel call, in order. */
  readonly ops: readonly ProfiledOp[];
  /** Bytes moved between devices (fallbacks and transfers) while the function ran. */
  readonly bytesMoved: number;
  /** Wall time of the whole function, milliseconds. */
  readonly totalMs: number;
  /** The per-(op, device) totals as a text table, slowest first. */
  table(): string;
  /** The calls in the Chrome trace event format (open in chrome://tracing or ui.perfetto.dev). */
  chromeTrace(): { traceEvents: object[] };
}

declare module './runtime.js' {
  interface Hearth {
    /** An n × m identity matrix (m = n by default). */
    eye<D extends DType = 'float32'>(n: number, m?: number, options?: HelperCreateOptions<D>): Tensor<D, 2>;
    /** `num` values evenly spaced from `start` to `stop` inclusive, computed in float64 then converted. */
    linspace<D extends DType = 'float32'>(start: number, stop: number, num: number, options?: HelperCreateOptions<D>): Tensor<D, 1>;
    /**
     * Runs `fn` and records every kernel call it makes: op, dtype, device, plugin, shapes and time, and the
     * bytes moved between devices. Costs nothing when not profiling.
     */
    profile<R>(fn: () => R | Promise<R>): Promise<Profile<Awaited<R>>>;
  }
}

const count = (name: string, what: string, v: unknown): number => {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new HearthError('E_ARG', `${name}: ${what} must be an integer >= 0, got ${JSON.stringify(v)}.`, { [what]: v });
  return v as number;
};

const H = Hearth.prototype;
// The implementations return a plain Tensor; the declarations above give the dtype and rank they make.
const creation = H as unknown as Record<'eye' | 'linspace', unknown>;

creation.eye = function (this: Hearth, n: number, m?: number, o?: HelperCreateOptions): Tensor {
  const rows = count('eye', 'n', n);
  const cols = m === undefined ? rows : count('eye', 'm', m);
  const opts = checkOptions('eye', o, ['dtype', 'device']);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return this.tensor(Array.from(data), { shape: [rows, cols], dtype: opts.dtype ?? 'float32', ...(opts.device ? { device: opts.device } : {}) });
};

creation.linspace = function (this: Hearth, start: number, stop: number, num: number, o?: HelperCreateOptions): Tensor {
  if (typeof start !== 'number' || typeof stop !== 'number' || !Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new HearthError('E_ARG', `linspace: start and stop must be finite numbers, got ${String(start)} and ${String(stop)}.`);
  }
  const n = count('linspace', 'num', num);
  const opts = checkOptions('linspace', o, ['dtype', 'device']);
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  const values = Array.from({ length: n }, (_, i) => (i === n - 1 && n > 1 ? stop : start + i * step));
  return this.tensor(values, { shape: [n], dtype: opts.dtype ?? 'float32', ...(opts.device ? { device: opts.device } : {}) });
};

H.profile = async function <R>(this: Hearth, fn: () => R | Promise<R>): Promise<Profile<Awaited<R>>> {
  if (typeof fn !== 'function') throw new HearthError('E_ARG', 'profile() takes a function to run, e.g. hearth.profile(() => model.run(feeds)).');
  const ops: ProfiledOp[] = [];
  let bytesMoved = 0;
  const t0 = performance.now();
  let started = 0;
  const stopBefore = this.hook('before', () => void (started = performance.now()));
  const stopAfter = this.hook('after', (e) => {
    ops.push({ op: e.op, dtype: e.dtype, device: e.device, plugin: e.plugin, inputShapes: e.inputShapes ?? [], outputShape: e.outputShape ?? [], startMs: started - t0, durationMs: performance.now() - started });
  });
  const stopTransfers = this.on('transfer', (e) => void (bytesMoved += e.bytes));
  let result: Awaited<R>;
  try {
    result = await fn();
  } finally {
    stopBefore();
    stopAfter();
    stopTransfers();
  }
  const totalMs = performance.now() - t0;
  return {
    result,
    ops,
    bytesMoved,
    totalMs,
    table: () => profileTable(ops),
    chromeTrace: () => ({
      traceEvents: ops.map((o) => ({ name: o.op, cat: o.plugin, ph: 'X', ts: o.startMs * 1000, dur: o.durationMs * 1000, pid: 1, tid: o.device, args: { dtype: o.dtype, inputShapes: o.inputShapes, outputShape: o.outputShape } })),
    }),
  };
};

/** Totals per (op, device, plugin), slowest first, as aligned text. */
function profileTable(ops: readonly ProfiledOp[]): string {
  const rows = new Map<string, { op: string; device: string; plugin: string; calls: number; ms: number }>();
  for (const o of ops) {
    const key = `${o.op}\u0000${o.device}\u0000${o.plugin}`;
    const r = rows.get(key) ?? rows.set(key, { op: o.op, device: o.device, plugin: o.plugin, calls: 0, ms: 0 }).get(key)!;
    r.calls++;
    r.ms += o.durationMs;
  }
  const sorted = [...rows.values()].sort((a, b) => b.ms - a.ms);
  const lines = [['op', 'device', 'plugin', 'calls', 'total ms'], ...sorted.map((r) => [r.op, r.device, r.plugin, String(r.calls), r.ms.toFixed(3)])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
