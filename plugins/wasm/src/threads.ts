import { CONTROL_BLOCK } from './heap.js';
import { KERNEL_NAMES, type KernelName, type LoadedKernels } from './module.js';

// The control block, in the WebAssembly memory (Int32 slots, then Float64 arguments at byte 64):
const SEQ = 0; // bumped once per job; idle workers wait on it
const STATE = 1; // OPEN while the job takes helpers, plus the number of workers inside it
const FN = 2; // index into KERNEL_NAMES, or -1 to stop
const READY = 3; // workers that finished starting
const WORK = 4; // the kernels' shared chunk counter (see assembly/split.ts)
const ARGS_BYTE = 64;
const MAX_ARGS = 14;
const OPEN = 1 << 30;
/**
 * How long, in ms, a worker that finished a job polls for the next before it sleeps, and how long the
 * calling thread polls for the workers still inside a job before it sleeps. Waking a sleeping thread
 * (Atomics.notify, then the OS schedules it) takes about 10 µs, as long as a small kernel runs: the kernels
 * of one model run come a few µs apart, so a worker that polls a little stays ready for the next.
 */
const WORKER_SPIN_MS = 0.1;
const CALLER_SPIN_MS = 0.05;
/**
 * A join that takes longer than LATE_MS means a worker was descheduled inside the job (the machine has
 * more runnable threads than cores): jobs then run on the calling thread alone for SOLO_MS, so a busy
 * machine costs no more than one thread would.
 */
const LATE_MS = 0.2;
const SOLO_MS = 1000;

/** The address of the chunk counter every kernel call takes its work from. */
export const WORK_COUNTER = CONTROL_BLOCK + WORK * 4;

/**
 * The worker's whole program, run from its source text (so it needs no file of its own and works the same
 * from the sources, the build and a bundle). It instantiates the kernels on the shared memory, then for
 * each job: joins it if it is still open, runs the kernel (which claims chunks of work until none are
 * left), and leaves. Slot numbers are literals here: this function sees nothing outside itself.
 */
function workerMain(data: unknown): void {
  const { module, memory, control, tid, names, spinMs } = data as { module: WebAssembly.Module; memory: WebAssembly.Memory; control: number; tid: number; names: string[]; spinMs: number };
  const instance = new WebAssembly.Instance(module, { env: { memory, log: Math.log, abort: () => undefined } });
  const fns = names.map((n) => instance.exports[n] as (...a: number[]) => void);
  const c = new Int32Array(memory.buffer, control, 16);
  const args = new Float64Array(memory.buffer, control + 64, 14);
  const open = 1 << 30;
  let seen = Atomics.load(c, 0);
  Atomics.add(c, 3, 1);
  Atomics.notify(c, 3);
  for (;;) {
    // Poll a while for the next job (the next kernel of the same model run), then sleep until one comes.
    const until = performance.now() + spinMs;
    while (Atomics.load(c, 0) === seen && performance.now() < until);
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    if (c[2]! < 0) return;
    let s = Atomics.load(c, 1);
    while (s & open) {
      const was = Atomics.compareExchange(c, 1, s, s + 1);
      if (was === s) break;
      s = was;
    }
    if (!(s & open)) continue; // the caller finished without us
    try {
      fns[c[2]!]!(tid, control + 16, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!, args[11]!, args[12]!, args[13]!);
    } finally {
      if (Atomics.sub(c, 1, 1) === 1) Atomics.notify(c, 1);
    }
  }
}

/**
 * The worker program's source text: `workerMain` given its data, which Node hands over as `workerData` and
 * a browser as the first message. getBuiltinModule rather than require or import: no bundler rewrites it
 * inside this source text.
 */
const WORKER_SOURCE = `const main = ${workerMain.toString()};
if (typeof process !== 'undefined' && process.getBuiltinModule) main(process.getBuiltinModule('node:worker_threads').workerData);
else self.onmessage = (e) => { main(e.data); self.close(); };`;

/** A started worker, as the platform's worker API gives it (Node's worker_threads or a Web Worker). */
export interface PoolWorker {
  unref(): void;
  terminate(): Promise<number> | void;
}

/** Starts a worker running `source`, handing it `data` (Node: `workerData`; a browser: the first message). */
export type SpawnWorker = (source: string, data: unknown) => PoolWorker;

/**
 * Runs kernels on several threads over the shared WebAssembly memory, fork-join on the calling thread:
 * it opens the job, wakes the workers, works through the chunks itself, closes the job and waits (polling
 * briefly, then in Atomics.wait) only for workers that joined, so a kernel stays synchronous as Hearth's
 * contract requires and a worker the OS has not scheduled costs nothing. Workers poll briefly for the next
 * job before they sleep. Workers start on first use; one thread runs inline.
 */
export class ThreadPool {
  readonly #kernels: LoadedKernels;
  readonly #threads: number;
  #workers: PoolWorker[] | undefined;
  #ctl: Int32Array;
  #args: Float64Array;
  /** The kernels by name, and their places in KERNEL_NAMES (looked up once, not per call). */
  readonly #fns = {} as Record<KernelName, (...a: number[]) => void>;
  readonly #index = {} as Record<KernelName, number>;
  #failed = false;
  #disposed = false;
  /** Until when (performance.now()) jobs run on the calling thread alone, after a late join. */
  #soloUntil = 0;

  constructor(
    kernels: LoadedKernels,
    threads: number,
    /** How to start a worker from source text, where the platform allows it. */
    readonly spawn?: SpawnWorker,
  ) {
    this.#kernels = kernels;
    KERNEL_NAMES.forEach((name, i) => {
      this.#fns[name] = kernels.exports[name] as (...a: number[]) => void;
      this.#index[name] = i;
    });
    this.#threads = spawn ? Math.max(1, Math.floor(threads)) : 1;
    [this.#ctl, this.#args] = this.#views();
  }

  /** The threads a big job is split over. */
  get threads(): number {
    return this.#failed ? 1 : this.#threads;
  }

  /** Runs kernel `name` with `args`, on the workers too when `parallel` and there are any. */
  run(name: KernelName, args: readonly number[], parallel: boolean): void {
    const fn = this.#fns[name];
    // An unshared memory that grew detached the views (a shared one never detaches them).
    if (this.#ctl.length === 0) [this.#ctl, this.#args] = this.#views();
    const ctl = this.#ctl;
    ctl[WORK] = 0;
    // Arguments spelled out (a kernel ignores those past its own): no array is spread on this hot path.
    const a = args;
    if (!parallel || this.threads <= 1 || (this.#soloUntil !== 0 && performance.now() < this.#soloUntil) || !this.#start()) {
      fn(0, WORK_COUNTER, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);
      return;
    }
    this.#args.set(args);
    this.#args.fill(0, args.length); // a kernel's unused trailing arguments: never a previous job's
    ctl[FN] = this.#index[name];
    Atomics.store(ctl, STATE, OPEN);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    try {
      fn(0, WORK_COUNTER, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);
    } finally {
      // Close the job, then wait for the workers inside it (their chunks are claimed already): polling first,
      // as their last chunks are short, then asleep.
      Atomics.and(ctl, STATE, ~OPEN);
      const closed = performance.now();
      const until = closed + CALLER_SPIN_MS;
      for (let s = Atomics.load(ctl, STATE); s !== 0; s = Atomics.load(ctl, STATE)) if (performance.now() > until) Atomics.wait(ctl, STATE, s);
      const joined = performance.now();
      this.#soloUntil = joined - closed > LATE_MS ? joined + SOLO_MS : 0;
    }
  }

  #views(): [Int32Array, Float64Array] {
    const buffer = this.#kernels.memory.buffer;
    return [new Int32Array(buffer, CONTROL_BLOCK, 16), new Float64Array(buffer, CONTROL_BLOCK + ARGS_BYTE, MAX_ARGS)];
  }

  /** Starts the workers once; false (and single-threaded from then on) if they can't start. */
  #start(): boolean {
    if (this.#workers) return true;
    if (this.#failed || this.#disposed) return false; // never start workers after dispose()
    const ctl = this.#ctl;
    const workers: PoolWorker[] = [];
    try {
      this.#spawnAll(workers);
      // In Node, worker start-up does not need this thread's event loop, so blocking here is safe; give up after 10 s.
      const deadline = Date.now() + 10_000;
      for (let r = Atomics.load(ctl, READY); r < workers.length; r = Atomics.load(ctl, READY)) {
        if (Date.now() > deadline) throw new Error('worker threads did not start');
        Atomics.wait(ctl, READY, r, 500);
      }
    } catch {
      return this.#fail(workers);
    }
    this.#workers = workers;
    return true;
  }

  /**
   * Starts the workers now, waiting without blocking: a browser starts a Web Worker only once the thread
   * that made it returns to its event loop, so there the workers must be up before the first job. Resolves
   * false (and single-threaded from then on) if they can't start within 10 s.
   */
  async prestart(): Promise<boolean> {
    if (this.#workers) return true;
    if (this.threads <= 1 || this.#disposed) return false;
    const workers: PoolWorker[] = [];
    try {
      this.#spawnAll(workers);
      const deadline = Date.now() + 10_000;
      while (Atomics.load(this.#ctl, READY) < workers.length) {
        if (Date.now() > deadline) throw new Error('worker threads did not start');
        await new Promise((r) => setTimeout(r, 5));
      }
    } catch {
      return this.#fail(workers);
    }
    this.#workers = workers;
    return true;
  }

  #spawnAll(workers: PoolWorker[]): void {
    const { module, memory } = this.#kernels;
    for (let tid = 1; tid < this.#threads; tid++) {
      const w = this.spawn!(WORKER_SOURCE, { module, memory, control: CONTROL_BLOCK, tid, names: KERNEL_NAMES, spinMs: WORKER_SPIN_MS });
      w.unref();
      workers.push(w);
    }
  }

  #fail(workers: readonly PoolWorker[]): false {
    for (const w of workers) void w.terminate();
    this.#failed = true;
    return false;
  }

  /** Stops the workers. */
  dispose(): void {
    this.#disposed = true;
    if (!this.#workers) return;
    this.#ctl[FN] = -1;
    Atomics.add(this.#ctl, SEQ, 1);
    Atomics.notify(this.#ctl, SEQ);
    this.#workers = undefined;
  }
}
