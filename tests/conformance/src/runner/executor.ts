import type { HearthPlugin } from '@hearth/core';
import type { SuiteCase } from '../cases/types.js';
import type { CaseResult } from '../results.js';
import { Session, type InitReport } from '../exec/session.js';
import { executeCase } from '../exec/execute.js';
import type { ModelRunner } from '../models/run-model.js';

/** Where cases run: in this process (tests, plugin objects) or in an isolated child process. */
export interface Executor {
  /** Opens the plugin's device; throws E_PLUGIN when the plugin can't even be imported. */
  init(): Promise<InitReport>;
  /** Runs cases in order, reporting each result as it comes. */
  run(cases: readonly SuiteCase[], onResult: (r: CaseResult) => void): Promise<void>;
  /** Releases the device (and the child). */
  close(): Promise<void>;
}

/** Runs a plugin object in this process: no crash isolation, for the suite's own tests and embedders. */
export class InProcessExecutor implements Executor {
  #session: Session | undefined;

  constructor(
    private readonly plugin: HearthPlugin,
    private readonly device?: string,
    private readonly backendOptions?: Readonly<Record<string, unknown>>,
    private readonly isolate?: boolean,
    private readonly models?: ModelRunner,
  ) {}

  async init(): Promise<InitReport> {
    this.#session = await Session.open(this.plugin, this.device, this.backendOptions, this.isolate);
    return this.#session.report;
  }

  async run(cases: readonly SuiteCase[], onResult: (r: CaseResult) => void): Promise<void> {
    for (const c of cases) onResult(await executeCase(this.#session!, c, this.models));
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }
}
