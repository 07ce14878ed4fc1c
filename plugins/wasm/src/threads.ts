import { CONTROL_BLOCK } from './heap.js';
import { KERNEL_NAMES, type KernelName, type LoadedKernels } from './module.js';

// The control block, 256 bytes of the WebAssembly memory (Int32 slots, then Float64 arguments at byte 64):
const SEQ = 0; // bumped once per job; idle workers wait on it
const STATE = 1; // OPEN while the job takes helpers, plus the number of workers inside it
const FN = 2; // index into KERNEL_NAMES, or -1 to stop
const READY = 3; // workers that finished starting
const AWAKE = 5; // workers not asleep: polling for the next job, they join one within a microsecond
const JOINS = 6; // workers that joined the current job
const ARGS_BYTE = 64;
const MAX_ARGS = 14;
/**
 * The kernels' shared chunk counter (see assembly/split.ts), at byte 192: a cache line of its own, so the
 * claims of a kernel do not contend with a worker polling slot SEQ for the next job.
 */
const WORK = 48;
const OPEN = 1 << 30;
/**
 * How long, in ms, a worker that finished a job polls for the next before it sleeps, and how long the
 * calling thread polls for the workers still inside a job before it sleeps. Waking a sleeping worker costs
 * the calling thread about 10 µs (Atomics.notify is a system call), and the worker joins some 30 µs later
 * (measured on a 2-core VM), while a polling worker joins within a microsecond: the kernels of one model
 * run come a few µs to a few hundred µs apart (MobileNetV3's depthwise convolutions), so a worker that
 * polls a little stays ready for the next. Measured on the four benchmark models, 0.3 ms woke workers less
 * often than 0.1 and was as fast as 1.
 */
const WORKER_SPIN_MS = 0.3;
const CALLER_SPIN_MS = 0.05;
/**
 * A join that takes longer than LATE_MS means a worker was descheduled inside the job, a wake-up that
 * takes as long means the woken worker took the calling thread's core (the machine has more runnable
 * threads than cores; on a busy 2-core VM, Atomics.notify was measured to block the caller 50 to 200 µs),
 * and a polling worker that joins no job of MISS_MS was not on a core either (there, measured, two
 * threads shared one core and each model ran up to 1.8 times slower than on one thread; at 20 µs instead
 * of 100, brief preemptions on a lightly loaded machine turned threading off most of the time).
 * Jobs then run on the calling thread alone for SOLO_MIN_MS, twice as long after each late job that comes
 * within one stretch's length of the last stretch, up to SOLO_MAX_MS: a busy machine costs little more
 * than one thread would, while preemptions now and then on a quiet machine turn threading off briefly.
 */
const LATE_MS = 0.2;
const MISS_MS = 0.1;
/**
 * Jobs that could be split coming less than BURST_MS apart are a burst (a model run), worth waking the
 * workers for even at SHARE: one wake-up (about 10 µs of the calling thread's time) serves the rest.
 */
const BURST_MS = 1;
const SOLO_MIN_MS = 50;
const SOLO_MAX_MS = 1000;

/**
 * How a kernel call uses the worker threads: not at all (SOLO); only workers already polling for a job
 * (SHARE: for kernels of a few µs, which a polling worker shortens but waking one would lengthen); or
 * every worker, woken if asleep (WAKE: for kernels long enough to pay for the wake-up).
 */
export type Split = typeof SOLO | typeof SHARE | typeof WAKE;
export const SOLO = 0;
export const SHARE = 1;
export const WAKE = 2;

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
  const c = new Int32Array(memory.buffer, control, 64);
  const args = new Float64Array(memory.buffer, control + 64, 14);
  const open = 1 << 30;
  let seen = Atomics.load(c, 0);
  Atomics.add(c, 3, 1);
  Atomics.notify(c, 3);
  Atomics.add(c, 5, 1);
  for (;;) {
    // Poll a while for the next job (the next kernel of the same model run), then sleep until one comes.
    // Counted as awake all along but in the wait (so a job that follows this one closely is offered to it);
    // a job posted without a wake-up as it stops polling is still seen: the wait returns at once.
    const until = performance.now() + spinMs;
    while (Atomics.load(c, 0) === seen && performance.now() < until);
    if (Atomics.load(c, 0) === seen) {
      Atomics.sub(c, 5, 1);
      Atomics.wait(c, 0, seen);
      Atomics.add(c, 5, 1);
    }
    seen = Atomics.load(c, 0);
    if (c[2]! < 0) return;
    let s = Atomics.load(c, 1);
    while (s & open) {
      const was = Atomics.compareExchange(c, 1, s, s + 1);
      if (was === s) break;
      s = was;
    }
    if (!(s & open)) continue; // the caller finished without us
    Atomics.add(c, 6, 1);
    try {
      fns[c[2]!]!(tid, control + 192, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!, args[11]!, args[12]!, args[13]!);
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
 * it opens the job, wakes the workers if it must (see Split), works through the chunks itself, closes the
 * job and waits (polling briefly, then in Atomics.wait) only for workers that joined, so a kernel stays
 * synchronous as Hearth's contract requires and a worker the OS has not scheduled costs nothing. Workers
 * poll briefly for the next job before they sleep. Late jobs turn threading off for a while (see LATE_MS).
 * Workers start on first use; one thread runs inline.
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
  /** Until when (performance.now()) jobs run on the calling thread alone, after a late job; and for how long. */
  #soloUntil = -Infinity;
  #soloMs = 0;
  /** When (performance.now()) the last job that could be split came, and whether the current one wakes workers. */
  #lastOffer = -Infinity;
  #wake = false;
  /**
   * The kernels (by index) the workers have run: a worker's first call of a kernel is slow (its thread
   * compiles the call path; first joins measured 1 to 4 ms late), and says nothing about
   * how busy the machine is.
   */
  readonly #warm = new Uint8Array(KERNEL_NAMES.length);

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

  /**
   * Runs kernel `name` with `args`, on the workers too as `split` says (true: WAKE, false: SOLO) when
   * there are any.
   */
  run(name: KernelName, args: readonly number[], split: Split | boolean): void {
    const fn = this.#fns[name];
    // An unshared memory that grew detached the views (a shared one never detaches them).
    if (this.#ctl.length === 0) [this.#ctl, this.#args] = this.#views();
    const ctl = this.#ctl;
    ctl[WORK] = 0;
    // Arguments spelled out (a kernel ignores those past its own): no array is spread on this hot path.
    const a = args;
    const level = split === true ? WAKE : split === false ? SOLO : split;
    if (level === SOLO || this.threads <= 1 || !this.#offer(level)) {
      fn(0, WORK_COUNTER, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);
      return;
    }
    this.#args.set(args);
    this.#args.fill(0, args.length); // a kernel's unused trailing arguments: never a previous job's
    const index = this.#index[name];
    ctl[FN] = index;
    ctl[JOINS] = 0;
    Atomics.store(ctl, STATE, OPEN);
    Atomics.add(ctl, SEQ, 1);
    const opened = performance.now();
    let wakeMs = 0;
    if (this.#wake) {
      Atomics.notify(ctl, SEQ);
      wakeMs = performance.now() - opened;
    }
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
      // A polling worker that did not join a job of MISS_MS was not on a core: as late as a late join.
      const missed = !this.#wake && closed - opened > MISS_MS && Atomics.load(ctl, JOINS) === 0;
      this.#settle(joined, joined - closed > LATE_MS || wakeMs > LATE_MS || missed, index);
    }
  }

  /**
   * Whether a job at `level` goes to the workers (setting #wake when they must be woken): not while the
   * calling thread runs alone after a late job; at SHARE, when a worker is awake, or when the previous job
   * that could be split came less than BURST_MS ago (a model run: waking the workers once pays for the
   * kernels that follow, while kernels called now and then never pay for a wake-up).
   */
  #offer(level: Split): boolean {
    const now = performance.now();
    const burst = now - this.#lastOffer < BURST_MS;
    this.#lastOffer = now;
    if (now < this.#soloUntil) return false;
    this.#wake = level === WAKE;
    if (level === SHARE && Atomics.load(this.#ctl, AWAKE) === 0) {
      if (!burst) return false;
      this.#wake = true;
    }
    return this.#start();
  }

  /**
   * After a job of kernel `index`: a late one starts a stretch on the calling thread alone, twice as long
   * as the last when that one ended less than its own length ago (the machine stays busy).
   */
  #settle(now: number, late: boolean, index: number): void {
    if (late && this.#warm[index] === 1) {
      this.#soloMs = now - this.#soloUntil < this.#soloMs ? Math.min(SOLO_MAX_MS, 2 * this.#soloMs) : SOLO_MIN_MS;
      this.#soloUntil = now + this.#soloMs;
    }
    this.#warm[index] = 1;
  }

  #views(): [Int32Array, Float64Array] {
    const buffer = this.#kernels.memory.buffer;
    return [new Int32Array(buffer, CONTROL_BLOCK, 64), new Float64Array(buffer, CONTROL_BLOCK + ARGS_BYTE, MAX_ARGS)];
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
