import koffi from 'koffi';

/** The C ABI version this loader speaks (`HEARTH_ABI_MAJOR`.`HEARTH_ABI_MINOR` of include/hearth_plugin.h). */
export const ABI_VERSION = { major: 1, minor: 3 } as const;

/** The function table of include/hearth_plugin.h, field for field (LP64). Only ever grows at the end. */
export const PluginApi = koffi.struct('hearth_plugin_api', {
  struct_size: 'size_t',
  abi_major: 'uint32_t',
  abi_minor: 'uint32_t',
  name: 'void *',
  vendor: 'void *',
  version: 'void *',
  device_type: 'void *',
  last_error: 'void *',
  init: 'void *',
  device_info: 'void *',
  alloc: 'void *',
  free: 'void *',
  copy_to_device: 'void *',
  copy_to_host: 'void *',
  synchronize: 'void *',
  kernels: 'void *',
  launch: 'void *',
  shutdown: 'void *',
  stats: 'void *',
});

/** `hearth_device_info`. */
export const DeviceInfoStruct = koffi.struct('hearth_device_info', {
  struct_size: 'size_t',
  name: koffi.array('char', 128, 'String'),
  vendor: koffi.array('char', 64, 'String'),
  memory_bytes: 'uint64_t',
  software: 'int32_t',
  reserved: 'int32_t',
  flags: 'uint64_t',
});

/** `HEARTH_DEVICE_HOST_MEMORY` (ABI 1.3): device memory is host memory, copies are memcpy, launches finish before they return. */
export const DEVICE_HOST_MEMORY = 1;

/** The ABI minor that added `hearth_device_info.flags`: a library of an older minor has no capabilities. */
export const FLAGS_SINCE_MINOR = 3;

/** `hearth_stats` (ABI 1.1). */
export const StatsStruct = koffi.struct('hearth_stats', { live_allocations: 'int64_t', live_bytes: 'int64_t' });

/** The prototype of each function-pointer field. */
export const PROTOS = {
  last_error: koffi.proto('const char *hearth_last_error_fn(void)'),
  init: koffi.proto('int32_t hearth_init_fn(_Out_ int32_t *device_count)'),
  device_info: koffi.proto('int32_t hearth_device_info_fn(int32_t device, _Inout_ hearth_device_info *info)'),
  // `out` is the address of a native pointer-sized slot (void **): passing a raw address is far cheaper than an out-array.
  alloc: koffi.proto('int32_t hearth_alloc_fn(int32_t device, uint64_t bytes, void *out)'),
  free: koffi.proto('int32_t hearth_free_fn(int32_t device, void *ptr)'),
  copy_to_device: koffi.proto('int32_t hearth_copy_to_device_fn(int32_t device, void *dst, const void *src, uint64_t bytes)'),
  copy_to_host: koffi.proto('int32_t hearth_copy_to_host_fn(int32_t device, void *dst, void *src, uint64_t bytes)'),
  synchronize: koffi.proto('int32_t hearth_synchronize_fn(int32_t device)'),
  kernels: koffi.proto('int32_t hearth_kernels_fn(_Out_ void **list, _Out_ int32_t *count)'),
  launch: koffi.proto('int32_t hearth_launch_fn(int32_t device, int32_t kernel, void *inputs, int32_t num_inputs, void *output, void *attrs, int32_t num_attrs)'),
  shutdown: koffi.proto('void hearth_shutdown_fn(void)'),
  stats: koffi.proto('int32_t hearth_stats_fn(int32_t device, _Out_ hearth_stats *out)'),
} as const;

/** The function-pointer fields, with the ABI minor that added each and whether a plugin must set it. */
export const FUNCTION_FIELDS: readonly { name: keyof typeof PROTOS; since: number; required: boolean }[] = [
  { name: 'last_error', since: 0, required: true },
  { name: 'init', since: 0, required: true },
  { name: 'device_info', since: 0, required: true },
  { name: 'alloc', since: 0, required: true },
  { name: 'free', since: 0, required: true },
  { name: 'copy_to_device', since: 0, required: true },
  { name: 'copy_to_host', since: 0, required: true },
  { name: 'synchronize', since: 0, required: true },
  { name: 'kernels', since: 0, required: true },
  { name: 'launch', since: 0, required: true },
  { name: 'shutdown', since: 0, required: true },
  { name: 'stats', since: 1, required: false },
];

/** The identity string fields, all required. */
export const STRING_FIELDS = ['name', 'vendor', 'version', 'device_type'] as const;

/** The table's size at ABI 1.0: everything before `stats`. */
export const API_SIZE_1_0 = koffi.offsetof(PluginApi, 'stats');

/** Bytes of one `hearth_tensor` and one `hearth_named_value`. */
export const TENSOR_BYTES = 32;
export const NAMED_VALUE_BYTES = 24;

/** `hearth_value_kind`. */
export const ValueKind = { null: 0, int64: 1, float64: 2, bool: 3, int64Array: 4, string: 5, float64Array: 6 } as const;

/** `hearth_status` names, for messages. */
export const STATUS_NAMES = ['OK', 'INVALID_ARGUMENT', 'OUT_OF_MEMORY', 'NO_DEVICE', 'DEVICE', 'DEVICE_LOST', 'UNSUPPORTED', 'INDEX_OUT_OF_RANGE', 'INTERNAL'] as const;
