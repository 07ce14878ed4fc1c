import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import { HearthError, isDType, DTYPES, MAX_PLUGIN_MESSAGE, MAX_PLUGIN_STRING, OPSET, type DType, type ErrorCode } from '@hearth/core';
import { ABI_VERSION, API_SIZE_1_0, FUNCTION_FIELDS, PluginApi, PROTOS, STATUS_NAMES, STRING_FIELDS } from './abi.js';

/** What a native library says about itself (the identity fields of its table). */
export interface NativeIdentity {
  /** The library's name, e.g. `"hearth-reference"`. */
  readonly name: string;
  /** Who made it. */
  readonly vendor: string;
  /** Its own version. */
  readonly version: string;
  /** The device type its kernels register under. */
  readonly deviceType: string;
  /** The ABI version it was built against. */
  readonly abi: { readonly major: number; readonly minor: number };
}

/** One (op, compute dtype) kernel a library provides, with its index for `launch`. */
export interface NativeKernel {
  /** The operator name. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: DType;
  /** The index to pass to `launch`. */
  readonly index: number;
}

type Fn = ((...args: unknown[]) => unknown) & { async: (...args: unknown[]) => void };

/** The library's functions, decoded from its table; `stats` is undefined where the library predates it. */
export type NativeFunctions = { [K in keyof typeof PROTOS]: K extends 'stats' ? Fn | undefined : Fn };

/** A checked native plugin library: its identity, its functions and its kernels. */
export interface NativeLibrary {
  /** The path it was loaded from. */
  readonly path: string;
  /** What it says about itself. */
  readonly identity: NativeIdentity;
  /** Its functions. */
  readonly fn: NativeFunctions;
  /** Its kernels. */
  readonly kernels: readonly NativeKernel[];
  /**
   * Throws the HearthError for a status other than 0, carrying the library's `last_error()` message.
   * `what` says what was being done ("alloc of 64 bytes").
   */
  check(status: number, what: string, fallbackCode?: ErrorCode): void;
  /** koffi's handle: held so the library is never unloaded (dlclose) while its functions are in use. */
  readonly handle: LibraryHandle;
}

// Statuses with a code of their own; the others take the caller's (E_KERNEL for a launch, E_BACKEND for memory).
const STATUS_CODES: Record<number, ErrorCode> = { 2: 'E_OUT_OF_MEMORY', 3: 'E_BACKEND_INIT', 5: 'E_DEVICE_LOST', 7: 'E_INDEX_OUT_OF_RANGE' };

function pluginError(path: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): HearthError {
  return new HearthError('E_PLUGIN', `${message} (native plugin ${path})`, { library: path, ...details }, cause === undefined ? undefined : { cause });
}

/**
 * Opens a native plugin library and checks it before trusting anything in it: that the file exists and is
 * a shared library exporting `hearth_plugin_get_api`, that the table's ABI major is this loader's, that its
 * `struct_size` covers ABI 1.0, and that every required pointer is set. Every failure is a HearthError
 * (`E_PLUGIN`, or `E_PLUGIN_VERSION` for another ABI major, naming both versions).
 */
export function openNativeLibrary(file: string): NativeLibrary {
  const path = resolve(file);
  if (!existsSync(path)) throw pluginError(path, `The native plugin library ${path} does not exist; build it or pass the path of the built .so`);
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch (e) {
    throw pluginError(path, `${path} could not be loaded as a shared library: ${(e as Error).message}`, {}, e);
  }
  let getApi: () => unknown;
  try {
    getApi = lib.func('void *hearth_plugin_get_api(void)') as () => unknown;
  } catch (e) {
    throw pluginError(path, `${path} is not a Hearth native plugin: it does not export hearth_plugin_get_api() (see include/hearth_plugin.h)`, {}, e);
  }
  const api = getApi() as bigint | null;
  if (!api) throw pluginError(path, `hearth_plugin_get_api() of ${path} returned NULL`);
  const structSize = Number(koffi.decode(api, 'size_t'));
  const versionEnd = koffi.offsetof(PluginApi, 'abi_minor') + 4;
  if (structSize < versionEnd) {
    throw pluginError(path, `The plugin's hearth_plugin_api.struct_size is ${structSize} bytes, too small to hold even its ABI version (${versionEnd} bytes); set struct_size = sizeof(hearth_plugin_api)`, { structSize });
  }
  const major = koffi.decode(api, koffi.offsetof(PluginApi, 'abi_major'), 'uint32_t') as number;
  const minor = koffi.decode(api, koffi.offsetof(PluginApi, 'abi_minor'), 'uint32_t') as number;
  if (major !== ABI_VERSION.major) {
    throw new HearthError(
      'E_PLUGIN_VERSION',
      `${path} was built against Hearth native ABI ${major}.${minor}, but this loader speaks ABI ${ABI_VERSION.major}.${ABI_VERSION.minor}; a different major version is incompatible. Rebuild the plugin against include/hearth_plugin.h of this Hearth version.`,
      { library: path, pluginAbi: `${major}.${minor}`, loaderAbi: `${ABI_VERSION.major}.${ABI_VERSION.minor}` },
    );
  }
  if (structSize < API_SIZE_1_0) {
    throw pluginError(path, `The plugin's hearth_plugin_api.struct_size is ${structSize} bytes, smaller than the ${API_SIZE_1_0} bytes of ABI ${major}.0; set struct_size = sizeof(hearth_plugin_api)`, { structSize });
  }
  const field = (name: string): bigint | null => {
    const at = koffi.offsetof(PluginApi, name);
    return at + 8 <= structSize ? (koffi.decode(api, at, 'void *') as bigint | null) : null;
  };
  const missing = [
    ...STRING_FIELDS.filter((f) => !field(f)),
    ...FUNCTION_FIELDS.filter((f) => f.required && !field(f.name)).map((f) => f.name),
  ];
  if (missing.length) throw pluginError(path, `The plugin's function table has NULL in ${missing.join(', ')}; every one of them is required`, { missing });
  const str = (f: string) => boundedString(path, f, koffi.decode(field(f), 'char', -1) as string);
  const fn = Object.fromEntries(
    FUNCTION_FIELDS.map((f) => {
      const p = f.since <= minor ? field(f.name) : null;
      return [f.name, p ? koffi.decode(p, PROTOS[f.name]) : undefined];
    }),
  ) as unknown as NativeFunctions;
  const identity: NativeIdentity = { name: str('name'), vendor: str('vendor'), version: str('version'), deviceType: str('device_type'), abi: { major, minor } };
  const check = (status: number, what: string, fallbackCode: ErrorCode = 'E_KERNEL') => {
    if (status === 0) return;
    const detail = ((fn.last_error() as string | null) || 'no message').slice(0, MAX_PLUGIN_MESSAGE);
    const name = STATUS_NAMES[status] ?? `status ${status}`;
    throw new HearthError(STATUS_CODES[status] ?? fallbackCode, `${identity.name}: ${what} failed (${name}): ${detail}`, { library: path, status, statusName: name });
  };
  return { path, identity, fn, kernels: readKernels(path, fn, check), check, handle: lib };
}

/** A string the library gave, refused past the length any honest name needs. */
function boundedString(path: string, field: string, s: string): string {
  if (s.length > MAX_PLUGIN_STRING) throw pluginError(path, `The plugin's ${field} is ${s.length} characters long, more than the ${MAX_PLUGIN_STRING} allowed`, { field });
  return s;
}

function readKernels(path: string, fn: NativeFunctions, check: NativeLibrary['check']): NativeKernel[] {
  const list: unknown[] = [null];
  const count: number[] = [0];
  check(fn.kernels(list, count) as number, 'kernels()', 'E_PLUGIN');
  const base = list[0] as bigint | null;
  if (!base && count[0]! > 0) throw pluginError(path, 'kernels() returned a NULL list');
  const most = OPSET.length * DTYPES.length; // one per (op, dtype): more can't be real
  if (count[0]! > most || count[0]! < 0) throw pluginError(path, `kernels() claims ${count[0]} kernels, more than the opset's ${most} (op, dtype) pairs`);
  const out: NativeKernel[] = [];
  for (let i = 0; i < count[0]!; i++) {
    const opPtr = koffi.decode(base, i * 16, 'void *') as bigint | null;
    const code = koffi.decode(base, i * 16 + 8, 'int32_t') as number;
    const dtype = DTYPES[code];
    if (!opPtr || !isDType(dtype)) throw pluginError(path, `kernels()[${i}] has ${opPtr ? `an unknown dtype code ${code}` : 'a NULL op name'}`);
    out.push({ op: boundedString(path, `kernels()[${i}].op`, koffi.decode(opPtr, 'char', -1) as string), dtype, index: i });
  }
  return out;
}
