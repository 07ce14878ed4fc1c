import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HearthError, CORE_API_VERSION, OPSET_VERSION, type ErrorCode } from '@hearth/core';
import type { SuiteCase } from '../cases/types.js';
import { notRun, type CaseResult } from '../results.js';
import type { InitReport } from '../exec/session.js';
import type { Executor } from './executor.js';
import { caseTimeoutMs } from './timeouts.js';
import type { FromChild, ToChild } from './protocol.js';
import { Channel } from './channel.js';

/** Options of the child-process executor. */
export interface ChildOptions {
  /** The plugin: a package name or a module path. */
  readonly plugin: string;
  /** The device type. */
  readonly device?: string;
  /** Options for the backend factory. */
  readonly backendOptions?: Readonly<Record<string, unknown>>;
  /** The timeout of a small case in ms; larger cases and properties get more ({@link caseTimeoutMs}). */
  readonly timeoutMs: number;
  /** How long the device may take to start, in ms. */
  readonly initTimeoutMs: number;
  /** Cases per message: many per message keeps the run fast. */
  readonly batchSize: number;
  /** The seed of the fresh property draws, when the run adds them. */
  readonly freshSeed?: number;
  /** A reproduction file whose calls are the cases, instead of the suite's. */
  readonly repro?: string;
}

/** The compiled child entry: beside this file in dist/, or dist/ when running from source. */
function childPath(): string {
  const here = fileURLToPath(import.meta.url);
  const path = here.endsWith('.ts') ? join(dirname(here), '../../dist/runner/child.js') : join(dirname(here), 'child.js');
  if (!existsSync(path)) throw new HearthError('E_ARG', `The conformance runner's child process (${path}) is not built; run \`npx tsc -b tests/conformance\` first.`);
  return path;
}

const TAIL = 4000;

type Link = { readonly process: ChildProcess; readonly channel: Channel<FromChild, ToChild> };

/**
 * Runs cases in a child process: a plugin that crashes or hangs costs the case it was on (reported as
 * `crash` or `timeout` with its ID and the child's last stderr), then a fresh child carries on.
 *
 * Nothing in the child says "under test": it is started like any program, `node <dir>/main.mjs`, from a
 * launcher in a fresh temporary folder, with the parent's environment unchanged, and it speaks over a
 * plain pipe on file descriptor 3, not Node's IPC channel (which would leave `process.send` and
 * `NODE_CHANNEL_FD` for a plugin to find). What a process cannot hide (its stack, its parent) is left to
 * the field checks of `createHearth({ verify })`, which see the plugin in the user's own program.
 */
export class ChildExecutor implements Executor {
  #child: Link | undefined;
  #stderr = '';
  #launcherDir: string | undefined;

  constructor(private readonly options: ChildOptions) {}

  /** A one-line launcher importing the child entry: the child's argv names it, not the suite. */
  #launcher(): string {
    this.#launcherDir ??= mkdtempSync(join(tmpdir(), 'app-'));
    const file = join(this.#launcherDir, 'main.mjs');
    if (!existsSync(file)) writeFileSync(file, `import ${JSON.stringify(pathToFileURL(childPath()).href)};\n`);
    return file;
  }

  #fork(): Link {
    const child = spawn(process.execPath, [this.#launcher()], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    this.#stderr = '';
    child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-TAIL)));
    child.stdout!.on('data', () => undefined);
    return { process: child, channel: new Channel<FromChild, ToChild>(child.stdio[3] as Duplex) };
  }

  #start(): Promise<InitReport> {
    const child = (this.#child = this.#fork());
    const o = this.options;
    return new Promise<InitReport>((resolve, reject) => {
      const failed = (reason: string): InitReport => ({
        ok: false,
        reason,
        plugin: { name: o.plugin, version: 'unknown', vendor: 'unknown', coreApi: 'unknown', opset: 1 },
        deviceType: o.device ?? 'unknown',
        stores: [],
        declared: [],
        coreApi: CORE_API_VERSION,
        opset: OPSET_VERSION,
      });
      const timer = setTimeout(() => {
        done();
        child.process.kill('SIGKILL');
        this.#child = undefined;
        resolve(failed(`the device did not initialise within ${o.initTimeoutMs} ms`));
      }, o.initTimeoutMs);
      const onMessage = (m: FromChild) => {
        if (m.type === 'ready') (done(), resolve(m.init));
        else if (m.type === 'fatal') {
          done();
          child.process.kill('SIGKILL');
          this.#child = undefined;
          reject(new HearthError(m.code as ErrorCode, m.message, { plugin: o.plugin }));
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        this.#child = undefined;
        resolve(failed(`the plugin's process exited (${signal ?? `code ${code}`}) while initialising${this.#stderr ? `: ${this.#stderr.trim()}` : ''}`));
      };
      const done = () => {
        clearTimeout(timer);
        child.channel.off('message', onMessage);
        child.process.off('exit', onExit);
      };
      child.channel.on('message', onMessage);
      child.process.on('exit', onExit);
      void child.channel.send({
        type: 'init',
        plugin: o.plugin,
        ...(o.device ? { device: o.device } : {}),
        ...(o.backendOptions ? { backendOptions: o.backendOptions } : {}),
        ...(o.freshSeed !== undefined ? { freshSeed: o.freshSeed } : {}),
        ...(o.repro !== undefined ? { repro: o.repro } : {}),
      });
    });
  }

  init(): Promise<InitReport> {
    return this.#start();
  }

  async run(cases: readonly SuiteCase[], onResult: (r: CaseResult) => void): Promise<void> {
    let rest = cases.slice();
    while (rest.length > 0) {
      if (!this.#child) {
        const init = await this.#start();
        if (!init.ok) {
          for (const c of rest) onResult(notRun(c, `not run: the device failed to restart after a crash (${init.reason})`));
          return;
        }
      }
      const batch = rest.slice(0, this.options.batchSize);
      const left = await this.#runBatch(batch, onResult);
      rest = [...left, ...rest.slice(batch.length)];
    }
  }

  /** Runs one batch; resolves with the cases not reached when the child crashed or hung. */
  #runBatch(batch: readonly SuiteCase[], onResult: (r: CaseResult) => void): Promise<SuiteCase[]> {
    const child = this.#child!;
    return new Promise((resolve) => {
      let i = 0;
      let started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const limit = (c: SuiteCase) => caseTimeoutMs(c, this.options.timeoutMs);
      const arm = () => {
        clearTimeout(timer);
        started = performance.now();
        if (i < batch.length) timer = setTimeout(onTimeout, limit(batch[i]!));
      };
      const finish = (left: SuiteCase[]) => {
        clearTimeout(timer);
        child.channel.off('message', onMessage);
        child.process.off('exit', onExit);
        resolve(left);
      };
      const onMessage = (m: FromChild) => {
        if (m.type === 'result') {
          onResult(m.result);
          i++;
          arm();
        } else if (m.type === 'done') finish([]);
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.#child = undefined;
        if (i >= batch.length) return finish([]);
        const c = batch[i]!;
        const why = `the plugin's process died on this case (${signal ?? `exit code ${code}`})${this.#stderr ? `; its last stderr: ${this.#stderr.trim().slice(-1000)}` : ''}`;
        onResult({ ...notRun(c, why), status: 'crash', timeMs: Math.round(performance.now() - started) });
        finish(batch.slice(i + 1));
      };
      const onTimeout = () => {
        const c = batch[i]!;
        child.process.off('exit', onExit);
        child.process.kill('SIGKILL');
        this.#child = undefined;
        onResult({ ...notRun(c, `no result within ${limit(c)} ms: the case hung, so its process was killed`), status: 'timeout', timeMs: limit(c) });
        finish(batch.slice(i + 1));
      };
      child.channel.on('message', onMessage);
      child.process.on('exit', onExit);
      void child.channel.send({ type: 'run', ids: batch.map((c) => c.id) });
      arm();
    });
  }

  async close(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (child.process.kill('SIGKILL'), resolve()), 2000);
        child.process.once('exit', () => (clearTimeout(t), resolve()));
        void child.channel.send({ type: 'close' });
      });
    }
    if (this.#launcherDir) rmSync(this.#launcherDir, { recursive: true, force: true });
    this.#launcherDir = undefined;
  }
}
