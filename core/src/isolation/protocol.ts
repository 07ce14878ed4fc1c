/**
 * The messages between the runtime and an isolated plugin's process, over Node's IPC channel with the
 * `advanced` serialization (typed arrays travel as themselves). Every parent message carries a sequence
 * number `s`; the child acknowledges progress with the last one it finished, which is how every call,
 * answered or not, is held to a time limit. Calls that answer carry a request number `r`.
 */

/** How another process re-creates a plugin (see `HearthPlugin.origin`). */
export interface Origin {
  readonly module: string;
  readonly export?: string;
  readonly args?: readonly unknown[];
}

/** A tensor of a launch, by storage id. */
export interface RemoteTensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly size: number;
}

/** An error as it crosses the process boundary. */
export interface RemoteError {
  readonly code: string;
  readonly message: string;
}

/** What the runtime sends. */
export type ParentMessage =
  | { k: 'load'; s: number; r: number; origin: Origin; coreVersion: string; opsetVersion: number; ops: readonly unknown[] }
  | { k: 'create'; s: number; r: number; type: string; options: unknown; maxDevices: number }
  | { k: 'alloc'; s: number; dev: number; id: number; dtype: string; size: number }
  | { k: 'write'; s: number; dev: number; id: number; dtype: string; data: ArrayBufferView }
  | { k: 'free'; s: number; dev: number; id: number }
  | { k: 'launch'; s: number; dev: number; kernel: number; inputs: RemoteTensor[]; output: RemoteTensor; attrs: Readonly<Record<string, unknown>> }
  | { k: 'read'; s: number; r: number; dev: number; id: number; dtype: string; size: number }
  | { k: 'dispose'; s: number; r: number; dev: number }
  | { k: 'exit'; s: number };

/** What the isolated process sends. */
export type ChildMessage =
  | { k: 'ack'; s: number }
  | { k: 'reply'; r: number; ok: true; value: unknown }
  | { k: 'reply'; r: number; ok: false; error: RemoteError };

/** What `load` answers: the plugin's own manifest facts and what its register() contributed. */
export interface LoadReply {
  readonly manifest: { readonly name: string; readonly version: string; readonly deviceTypes: readonly string[] };
  readonly backends: readonly string[];
  /** The backends whose factory is `lazy` (they start on first use, in that process too). */
  readonly lazy: readonly string[];
  readonly kernels: readonly { readonly op: string; readonly device: string; readonly dtypes: readonly string[]; readonly override: boolean }[];
}

/** What `create` answers, per device. */
export interface RemoteDevice {
  readonly dev: number;
  readonly info: Readonly<Record<string, unknown>>;
  readonly dtypes: readonly string[];
  readonly maxAllocationBytes?: number;
}
