import { CONTROL_BLOCK } from './heap.js';
import { KERNEL_NAMES, type KernelExports, type KernelName, type LoadedKernels } from './module.js';

// The control block, in the shared memory (Int32 slots, then Float64 arguments at byte 64):
const SEQ = 0; // bumped once per job; workers wait on it
const PENDING = 1; // workers still running the current job; the caller waits on it
const FN = 2; // index into KERNEL_NAMES, or -1 to stop
const THREADS = 3; // how many threads share the job
const READY = 4; // workers that finished starting
const ARGS = 8; // Float64 slot of the first argument
const MAX_ARGS = 16;

/**
 * The worker's whole program, run from its source text (so it needs no file of its own and works the same
 * from the sources, the build and a bundle). It instantiates the kernels on the shared memory, then waits
 * for jobs on the control block: each job runs kernel FN as thread `tid` of THREADS.
 */
function workerMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { module, memory, control, tid, names } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; control: number; tid: number; names: string[] };
  const instance = new WebAssembly.Instance(module, { env: { memory, log: Math.log, abort: () => undefined } });
  const fns = names.map((n) => instance.exports[n] as (...a: number[]) => void);
  const c = new Int32Array(memory.buffer, control, 8);
  const args = new Float64Array(memory.buffer, control + 64, 16);
  let seen = Atomics.load(c, 0);
  Atomics.add(c, 4, 1);
  Atomics.notify(c, 4);
  for (;;) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    const fn = c[2]!;
    if (fn < 0) return;
    try {
      if (tid < c[3]!) fns[fn]!(tid, c[3]!, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!, args[11]!);
    } finally {
      if (Atomics.sub(c, 1, 1) === 1) Atomics.notify(c, 1);
    }
  }
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}

/**
 * Runs kernels on several threads over the shared WebAssembly memory. The calling thread takes share 0
 * and then blocks (Atomics.wait) until the workers finish, so a kernel stays synchronous as Hearth's
 * contract requires. Workers start on first use; a pool of one thread runs everything inline.
 */
export class ThreadPool {
  readonly #kernels: LoadedKernels;
  readonly #threads: number;
  #workers: NodeWorker[] | undefined;
  #ctl: Int32Array | undefined;
  #args: Float64Array | undefined;
  #failed = false;

  constructor(
    kernels: LoadedKernels,
    threads: number,
    /** How to start a worker from source text, where the platform allows it (Node's worker_threads). */
    readonly spawn?: (source: string, data: unknown) => NodeWorker,
  ) {
    this.#kernels = kernels;
    this.#threads = spawn ? Math.max(1, Math.floor(threads)) : 1;
  }

  /** The threads a big job is split over. */
  get threads(): number {
    return this.#failed ? 1 : this.#threads;
  }

  /** Runs kernel `name` with `args` on `threads` threads (at most the pool's), waiting for all of them. */
  run(name: KernelName, args: readonly number[], threads = this.threads): void {
    const fn = this.#kernels.exports[name] as (...a: number[]) => void;
    const t = Math.min(threads, this.threads);
    if (t <= 1 || !this.#start()) {
      fn(0, 1, ...args);
      return;
    }
    const ctl = this.#ctl!;
    this.#args!.set(args);
    ctl[FN] = KERNEL_NAMES.indexOf(name);
    ctl[THREADS] = t;
    Atomics.store(ctl, PENDING, this.#workers!.length);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    try {
      fn(0, t, ...args);
    } finally {
      for (let p = Atomics.load(ctl, PENDING); p !== 0; p = Atomics.load(ctl, PENDING)) Atomics.wait(ctl, PENDING, p);
    }
  }

  /** Starts the workers once; false (and single-threaded from then on) if they can't start. */
  #start(): boolean {
    if (this.#workers) return true;
    const { module, memory } = this.#kernels;
    const ctl = new Int32Array(memory.buffer, CONTROL_BLOCK, 8);
    this.#ctl = ctl;
    this.#args = new Float64Array(memory.buffer, CONTROL_BLOCK + ARGS * 8, MAX_ARGS);
    const workers: NodeWorker[] = [];
    try {
      for (let tid = 1; tid < this.#threads; tid++) {
        const w = this.spawn!(`(${workerMain.toString()})()`, { module, memory, control: CONTROL_BLOCK, tid, names: KERNEL_NAMES });
        w.unref();
        workers.push(w);
      }
      // Worker start-up does not need this thread's event loop, so waiting here is safe; give up after 10 s.
      const deadline = Date.now() + 10_000;
      for (let r = Atomics.load(ctl, READY); r < workers.length; r = Atomics.load(ctl, READY)) {
        if (Date.now() > deadline || Atomics.wait(ctl, READY, r, 1000) === 'timed-out' && Date.now() > deadline) throw new Error('worker threads did not start');
      }
    } catch {
      for (const w of workers) void w.terminate();
      this.#failed = true;
      return false;
    }
    this.#workers = workers;
    return true;
  }

  /** Stops the workers. */
  dispose(): void {
    if (!this.#workers || !this.#ctl) return;
    this.#ctl[FN] = -1;
    Atomics.add(this.#ctl, SEQ, 1);
    Atomics.notify(this.#ctl, SEQ);
    this.#workers = undefined;
  }
}

/** The exports of the calling thread, for kernels too small to split. */
export type { KernelExports };
