import type { CaseResult } from '../results.js';
import type { InitReport } from '../exec/session.js';

/** Messages the runner sends its child process. */
export type ToChild =
  | { readonly type: 'init'; readonly plugin: string; readonly device?: string; readonly backendOptions?: Readonly<Record<string, unknown>>; readonly freshSeed?: number; readonly repro?: string }
  | { readonly type: 'run'; readonly ids: readonly string[] }
  | { readonly type: 'close' };

/** Messages the child process sends back: one result per case, as each finishes, so a crash names its case. */
export type FromChild =
  | { readonly type: 'fatal'; readonly code: string; readonly message: string }
  | { readonly type: 'ready'; readonly init: InitReport }
  | { readonly type: 'result'; readonly result: CaseResult }
  | { readonly type: 'done' };
