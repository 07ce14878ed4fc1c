import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HearthError, CORE_API_VERSION, OPSET_VERSION, type ErrorCode } from '@hearth/core';
import type { SuiteCase } from '../cases/types.js';
import { notRun, type CaseResult } from '../results.js';
import type { InitReport } from '../exec/session.js';
import type { Executor } from './executor.js';
import type { FromChild, ToChild } from './protocol.js';

/** Options of the child-process executor. */
export interface ChildOptions {
  /** The plugin: a package name or a module path. */
  readonly plugin: string;
  /** The device type. */
  readonly device?: string;
  /** Options for the backend factory. */
  readonly backendOptions?: Readonly<Record<string, unknown>>;
  /** Per-case timeout in ms (properties get five times as long). */
  readonly timeoutMs: number;
  /** How long the device may take to start, in ms. */
  readonly initTimeoutMs: number;
  /** Cases per message: many per message keeps the run fast. */
  readonly batchSize: number;
}

/** The compiled child entry: beside this file in dist/, or dist/ when running from source. */
function childPath(): string {
  const here = fileURLToPath(import.meta.url);
  const path = here.endsWith('.ts') ? join(dirname(here), '../../dist/runner/child.js') : join(dirname(here), 'child.js');
  if (!existsSync(path)) throw new HearthError('E_ARG', `The conformance runner's child process (${path}) is not built; run \`npx tsc -b tests/conformance\` first.`);
  return path;
}

const TAIL = 4000;

/**
 * Runs cases in a child process: a plugin that crashes or hangs costs the case it was on (reported as
 * `crash` or `timeout` with its ID and the child's last stderr), then a fresh child carries on.
 */
export class ChildExecutor implements Executor {
  #child: ChildProcess | undefined;
  #stderr = '';

  constructor(private readonly options: ChildOptions) {}

  #fork(): ChildProcess {
    const child = fork(childPath(), [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.#stderr = '';
    child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-TAIL)));
    child.stdout!.on('data', () => undefined);
    return child;
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
        child.kill('SIGKILL');
        this.#child = undefined;
        resolve(failed(`the device did not initialise within ${o.initTimeoutMs} ms`));
      }, o.initTimeoutMs);
      const onMessage = (m: FromChild) => {
        if (m.type === 'ready') (done(), resolve(m.init));
        else if (m.type === 'fatal') {
          done();
          child.kill('SIGKILL');
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
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type: 'init', plugin: o.plugin, ...(o.device ? { device: o.device } : {}), ...(o.backendOptions ? { backendOptions: o.backendOptions } : {}) } satisfies ToChild);
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
      const limit = (c: SuiteCase) => this.options.timeoutMs * (c.kind === 'property' ? 5 : 1);
      const arm = () => {
        clearTimeout(timer);
        started = performance.now();
        if (i < batch.length) timer = setTimeout(onTimeout, limit(batch[i]!));
      };
      const finish = (left: SuiteCase[]) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
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
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.#child = undefined;
        onResult({ ...notRun(c, `no result within ${limit(c)} ms: the case hung, so its process was killed`), status: 'timeout', timeMs: limit(c) });
        finish(batch.slice(i + 1));
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type: 'run', ids: batch.map((c) => c.id) } satisfies ToChild);
      arm();
    });
  }

  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => (child.kill('SIGKILL'), resolve()), 2000);
      child.once('exit', () => (clearTimeout(t), resolve()));
      child.send({ type: 'close' } satisfies ToChild);
    });
  }
}
