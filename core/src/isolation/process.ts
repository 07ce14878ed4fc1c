import { ERROR_CODES as KNOWN_CODES, HearthError } from '../errors.js';
import { MAX_PLUGIN_MESSAGE } from '../limits.js';
import { childMain } from './child.js';
import type { ChildMessage, ParentMessage, RemoteError } from './protocol.js';

/** Distributes `Omit` over a union: a message without the fields the process fills in. */
type Unsent<T> = T extends unknown ? Omit<T, 's' | 'r'> : never;

interface ChildProcess {
  readonly pid?: number;
  readonly exitCode: number | null;
  readonly signalCode: string | null;
  readonly connected: boolean;
  readonly stderr: { on(e: 'data', f: (b: Buffer | string) => void): void; unref?(): void; ref?(): void } | null;
  readonly channel?: { ref(): void; unref(): void } | null;
  send(m: readonly ParentMessage[], cb?: (e: Error | null) => void): boolean;
  on(e: 'message', f: (m: ChildMessage) => void): void;
  on(e: 'exit', f: (code: number | null, signal: string | null) => void): void;
  on(e: 'error', f: (e: Error) => void): void;
  kill(signal?: string): boolean;
  ref(): void;
  unref(): void;
}

interface NodeProcess {
  readonly execPath: string;
  readonly versions: { readonly node?: string };
  getBuiltinModule?(id: string): unknown;
  on(e: 'exit', f: () => void): void;
  off(e: 'exit', f: () => void): void;
}

/** Node's process object, or undefined where there is none (browsers): isolation then can't start. */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node && typeof p.getBuiltinModule === 'function' ? p : undefined;
}

/** One call waiting for the child to finish it, with its own time limit. */
interface Outstanding {
  readonly s: number;
  readonly ms: number;
  readonly what: string;
}

/**
 * One isolated plugin's process, as the runtime sees it: messages out in order, every one of them under a
 * time limit (the child acknowledges progress; no progress within the oldest call's limit is a hang), and
 * the end of the process, whatever its cause, turned into one `E_DEVICE_LOST` error with that cause. While
 * nothing is outstanding the process and its channel are unref'd: an idle isolated plugin never keeps the
 * program alive, and the program's exit takes the process with it.
 */
export class IsolatedProcess {
  #child: ChildProcess | undefined;
  #seq = 0;
  #req = 0;
  readonly #replies = new Map<number, { resolve(v: unknown): void; reject(e: HearthError): void }>();
  // Calls sent and not yet acknowledged, oldest first (a ring would do; batches are short).
  #outstanding: Outstanding[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #held = false;
  #batch: ParentMessage[] = [];
  #stderr = '';
  #lost: HearthError | undefined;
  #ended = false;
  readonly #onLost = new Set<(e: HearthError) => void>();
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  constructor(
    /** The plugin's name, for messages. */
    readonly plugin: string,
  ) {}

  /** Starts the process (its program is {@link childMain}, run from source text). */
  start(): void {
    const node = nodeProcess();
    if (!node) throw new HearthError('E_PLUGIN', `${this.plugin} can't be isolated here: isolation runs a plugin in a child process, which needs Node.js (22.3+, 20.16+). Load it in-process instead.`, { plugin: this.plugin });
    const cp = node.getBuiltinModule!('node:child_process') as { spawn(cmd: string, args: string[], o: object): ChildProcess };
    const child = cp.spawn(node.execPath, ['--input-type=module', '--eval', `(${childMain.toString()})()`], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.#child = child;
    this.#lost = undefined;
    this.#ended = false;
    this.#batch = [];
    this.#stderr = '';
    // Events of a process replaced by a restart are not this one's.
    const mine = () => this.#child === child;
    child.stderr?.on('data', (b) => {
      // Kept for the cause of a crash (the C library's or the allocator's last words), and passed on.
      const text = String(b);
      this.#stderr = (this.#stderr + text).slice(-2000);
      (globalThis as { process?: { stderr?: { write(t: string): void } } }).process?.stderr?.write(text);
    });
    child.on('message', (m) => mine() && this.#receive(m));
    child.on('exit', (code, signal) => mine() && this.#lose(signal ? `was killed by ${signal}${CRASH_HINT[signal] ?? ''}` : `exited with code ${code}`));
    child.on('error', (e) => mine() && this.#lose(`failed: ${e.message}`));
    node.on('exit', this.#killOnExit);
    this.#hold(false);
  }

  /** The error every call gets once the process has ended, else undefined. */
  get lost(): HearthError | undefined {
    return this.#lost;
  }

  /** Calls `f` when the process ends (a crash, a hang, an exit). Returns a function that stops calling it. */
  onLost(f: (e: HearthError) => void): () => void {
    this.#onLost.add(f);
    return () => this.#onLost.delete(f);
  }

  /** Sends a call that answers nothing; its failure or hang shows later (a lost device, a failed read). */
  post(m: Unsent<ParentMessage>, ms: number, what: string): void {
    if (this.#lost) throw this.#lost;
    const s = ++this.#seq;
    this.#outstanding.push({ s, ms, what });
    this.#arm();
    // Calls made in one synchronous stretch (a model's ops) go as one message: one clone, one write.
    if (this.#batch.push({ ...m, s } as ParentMessage) === 1) queueMicrotask(this.#flush);
  }

  readonly #flush = () => {
    const batch = this.#batch;
    this.#batch = [];
    if (this.#ended || batch.length === 0) return;
    this.#child!.send(batch, (e) => e && this.#lose(`stopped taking messages: ${e.message}`));
  };

  /** Sends a call and waits for its answer. A refusal is a `HearthError` with the child's code and message. */
  request<T>(m: Unsent<ParentMessage>, ms: number, what: string, fallbackCode: RemoteError['code']): Promise<T> {
    if (this.#lost) return Promise.reject(this.#lost);
    const r = ++this.#req;
    const answer = new Promise<T>((resolve, reject) => {
      this.#replies.set(r, {
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
    this.post({ ...m, r } as unknown as Unsent<ParentMessage>, ms, what);
    return answer.catch((e: unknown) => {
      throw e instanceof HearthError ? e : remoteError(e as RemoteError, fallbackCode, this.plugin);
    });
  }

  /** Ends the process: asks it to exit, and kills it if it has not within `ms`. */
  async close(ms: number): Promise<void> {
    const child = this.#child;
    if (!child || this.#lost) return;
    const exited = new Promise<void>((resolve) => this.onLost(() => resolve()));
    this.#lost = new HearthError('E_DISPOSED', `${this.plugin}'s isolated process was closed by hearth.dispose().`, { plugin: this.plugin });
    this.#rejectAll(this.#lost);
    try {
      child.send([{ k: 'exit', s: ++this.#seq }]);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  }

  #receive(m: ChildMessage): void {
    if (m.k === 'ack') {
      while (this.#head < this.#outstanding.length && this.#outstanding[this.#head]!.s <= m.s) this.#head++;
      if (this.#head === this.#outstanding.length) {
        this.#outstanding = [];
        this.#head = 0;
      }
      this.#arm(true);
      return;
    }
    const waiter = this.#replies.get(m.r);
    if (!waiter) return;
    this.#replies.delete(m.r);
    if (m.ok) waiter.resolve(m.value);
    else waiter.reject(m.error as unknown as HearthError);
  }

  /** Keeps one timer on the oldest unacknowledged call; progress restarts it; none outstanding clears it. */
  #arm(progress = false): void {
    const oldest = this.#outstanding[this.#head];
    if (!oldest) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#hold(this.#replies.size > 0);
      return;
    }
    if (this.#timer && !progress) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#hold(true);
    if (!Number.isFinite(oldest.ms)) return;
    this.#timer = setTimeout(() => {
      // Calls are acknowledged in batches: the hang is in the oldest one or one of those sent right after it.
      const waiting = this.#outstanding.slice(this.#head, this.#head + 4).map((o) => o.what);
      const more = this.#outstanding.length - this.#head > 4 ? ', ...' : '';
      this.#child?.kill('SIGKILL');
      this.#lose(`did not finish ${waiting.length > 1 ? `one of its calls (${waiting.join(', ')}${more})` : oldest.what} within ${oldest.ms} ms (it hangs, or needs a longer limit: createHearth({ timeouts: { call } })); it was stopped`);
    }, oldest.ms);
  }

  /** Refs the process while calls are outstanding, so the program waits for them; unrefs it when idle. */
  #hold(busy: boolean): void {
    if (busy === this.#held || !this.#child) return;
    this.#held = busy;
    const c = this.#child;
    for (const h of [c, c.channel, c.stderr]) {
      if (busy) (h as { ref?(): void } | null)?.ref?.();
      else (h as { unref?(): void } | null)?.unref?.();
    }
  }

  #lose(cause: string): void {
    if (this.#ended) return;
    this.#ended = true;
    nodeProcess()?.off('exit', this.#killOnExit);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outstanding = [];
    this.#head = 0;
    const last = this.#stderr.trim().split('\n').pop();
    const error =
      this.#lost ??
      new HearthError(
        'E_DEVICE_LOST',
        `${this.plugin}'s isolated process ${cause}${last ? ` (its last words: "${last.slice(0, 300)}")` : ''}. Its devices are lost and their tensors unusable; the rest of the runtime carries on. Report this to the plugin's vendor; \`await hearth.restartDevice(name)\` starts the device again.`,
        { plugin: this.plugin, cause },
      );
    this.#lost = error;
    this.#rejectAll(error);
    this.#hold(false);
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    for (const f of [...this.#onLost]) f(error);
  }

  #rejectAll(e: HearthError): void {
    const waiting = [...this.#replies.values()];
    this.#replies.clear();
    for (const w of waiting) w.reject(e);
  }
}

/** What a signal usually means, for the message. */
const CRASH_HINT: Record<string, string> = {
  SIGSEGV: ' (a crash in the plugin: it touched memory it does not own)',
  SIGABRT: ' (the plugin aborted, e.g. on memory corruption)',
  SIGBUS: ' (a crash in the plugin: a bad memory access)',
  SIGKILL: ' (killed from outside, or out of memory)',
};

/** The child's refusal as a coded error (a code the core does not know becomes `fallback`). */
function remoteError(e: RemoteError, fallback: RemoteError['code'], plugin: string): HearthError {
  const code = (KNOWN_CODES as readonly string[]).includes(e?.code) ? (e.code as HearthError['code']) : (fallback as HearthError['code']);
  return new HearthError(code, `${plugin} (isolated): ${String(e?.message ?? e).slice(0, MAX_PLUGIN_MESSAGE)}`, { plugin, isolated: true });
}
