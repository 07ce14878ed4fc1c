import type { ScaffoldPlan } from './options.js';
import { manifestTs } from './typescript.js';

/** The shared library's file name for a device type: `libnpu.so`. */
export function libraryName(p: ScaffoldPlan): string {
  return `lib${p.device.replace(/-/g, '_')}.so`;
}

/** `native/plugin.c`: the C ABI table on host memory, with no kernels yet. */
export function pluginC(p: ScaffoldPlan): string {
  return `/*
 * ${p.name}: a Hearth native plugin for ${p.device} devices, on the C ABI (hearth_plugin.h).
 * It keeps tensors in host memory so that it runs end to end: replace alloc/free/copies with your
 * driver's calls, list your kernels in kernel_list, and run them in launch().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hearth_plugin.h"

static _Thread_local char last_error_buf[512];
static long long live_allocations, live_bytes;

/* One entry per (op, compute dtype) you implement, e.g. { "add", HEARTH_FLOAT32, 0 }. None yet: the first
 * conformance run lists every pair still missing. */
static const hearth_kernel kernel_list[] = { { NULL, 0, 0 } };
static const int32_t kernel_count = 0;

static hearth_status fail(hearth_status s, const char *msg) {
  snprintf(last_error_buf, sizeof last_error_buf, "%s", msg);
  return s;
}

static const char *plugin_last_error(void) { return last_error_buf; }

static hearth_status plugin_init(int32_t *device_count) {
  if (!device_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "init: device_count is NULL");
  *device_count = 1; /* ask your driver; return HEARTH_ERROR_NO_DEVICE with a reason when there is none */
  return HEARTH_OK;
}

static hearth_status plugin_device_info(int32_t device, hearth_device_info *info) {
  if (device != 0 || !info) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "device_info: no such device");
  snprintf(info->name, sizeof info->name, "${p.device} (skeleton on host memory)");
  snprintf(info->vendor, sizeof info->vendor, "%s", ${JSON.stringify(p.vendor)});
  info->memory_bytes = 0;
  info->software = 1;
  /* A CPU library, whose device memory IS host memory, with memcpy copies and launches finished when they
   * return, may declare it so that small reads skip the worker thread (see HEARTH_DEVICE_HOST_MEMORY):
   * if (HEARTH_DEVICE_INFO_HAS(info, flags)) info->flags = HEARTH_DEVICE_HOST_MEMORY;
   * A device with memory of its own (a GPU, an NPU) must not. */
  return HEARTH_OK;
}

/* Each allocation carries its size in front, so that free keeps the statistics right. */
static hearth_status plugin_alloc(int32_t device, uint64_t bytes, void **out) {
  (void)device;
  uint64_t *p = malloc(sizeof(uint64_t) * 2 + (bytes ? bytes : 1));
  if (!p) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "alloc: out of memory");
  p[0] = bytes;
  live_allocations++;
  live_bytes += (long long)bytes;
  *out = p + 2;
  return HEARTH_OK;
}

static hearth_status plugin_free(int32_t device, void *ptr) {
  (void)device;
  if (!ptr) return HEARTH_OK;
  uint64_t *p = (uint64_t *)ptr - 2;
  live_allocations--;
  live_bytes -= (long long)p[0];
  free(p);
  return HEARTH_OK;
}

static hearth_status plugin_copy(int32_t device, void *dst, const void *src, uint64_t bytes) {
  (void)device;
  if (bytes && (!dst || !src)) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "copy: a NULL pointer");
  if (bytes) memcpy(dst, src, bytes);
  return HEARTH_OK;
}

static hearth_status plugin_synchronize(int32_t device) {
  (void)device;
  return HEARTH_OK;
}

static hearth_status plugin_kernels(const hearth_kernel **list, int32_t *count) {
  *list = kernel_list;
  *count = kernel_count;
  return HEARTH_OK;
}

static hearth_status plugin_launch(int32_t device, int32_t kernel, const hearth_tensor *inputs, int32_t num_inputs,
                                   const hearth_tensor *output, const hearth_named_value *attrs, int32_t num_attrs) {
  (void)device; (void)inputs; (void)num_inputs; (void)output; (void)attrs; (void)num_attrs;
  if (kernel < 0 || kernel >= kernel_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "launch: no such kernel");
  return fail(HEARTH_ERROR_UNSUPPORTED, "launch: not implemented yet");
}

static void plugin_shutdown(void) {}

static hearth_status plugin_stats(int32_t device, hearth_stats *out) {
  (void)device;
  out->live_allocations = live_allocations;
  out->live_bytes = live_bytes;
  return HEARTH_OK;
}

static const hearth_plugin_api api = {
  .struct_size = sizeof(hearth_plugin_api),
  .abi_major = HEARTH_ABI_MAJOR,
  .abi_minor = HEARTH_ABI_MINOR,
  .name = ${JSON.stringify(p.name)},
  .vendor = ${JSON.stringify(p.vendor)},
  .version = "0.1.0",
  .device_type = ${JSON.stringify(p.device)},
  .last_error = plugin_last_error,
  .init = plugin_init,
  .device_info = plugin_device_info,
  .alloc = plugin_alloc,
  .free = plugin_free,
  .copy_to_device = plugin_copy,
  .copy_to_host = plugin_copy,
  .synchronize = plugin_synchronize,
  .kernels = plugin_kernels,
  .launch = plugin_launch,
  .shutdown = plugin_shutdown,
  .stats = plugin_stats,
};

HEARTH_EXPORT const hearth_plugin_api *hearth_plugin_get_api(void) { return &api; }
`;
}

/** `native/Makefile`: builds the shared library against the installed hearth_plugin.h. */
export function makefile(p: ScaffoldPlan): string {
  return `# Builds $(OUT)/${libraryName(p)}, only hearth_plugin_get_api exported. \`npm run build\` sets OUT to this
# machine's platform package (../platforms/<platform>).
CC ?= cc
OUT ?= ../build
HEARTH_INCLUDE ?= ../node_modules/@hearth/plugin-native/include
CFLAGS ?= -O2
CFLAGS += -std=c11 -fPIC -fvisibility=hidden -Wall -Wextra -I$(HEARTH_INCLUDE)

$(OUT)/${libraryName(p)}: plugin.c $(HEARTH_INCLUDE)/hearth_plugin.h
\t@mkdir -p $(OUT)
\t$(CC) $(CFLAGS) -shared -o $@ plugin.c -lm

clean:
\trm -f ../platforms/*/${libraryName(p)}

.PHONY: clean
`;
}

/** `src/index.ts` of a native plugin: the manifest, and the library loaded through @hearth/plugin-native. */
export function nativeIndexTs(p: ScaffoldPlan): string {
  return `/**
 * ${p.name}: a Hearth native plugin for ${p.device} devices (C, on hearth_plugin.h).
 *
 * @packageDocumentation
 */
import type { HearthPlugin, PluginManifest } from '@hearth/core';
import { createNativePlugin, platformLibrary } from '@hearth/plugin-native';

${manifestTs(p, `A Hearth native backend for ${p.device} devices.`)}
/**
 * The platforms a library is published for: one package each, \`${p.name}-<platform>\`, in
 * package.json's optionalDependencies and in platforms/. Keep the three in step.
 */
export const PLATFORMS: readonly string[] = [${p.platforms.map((x) => `'${x}'`).join(', ')}];

/**
 * This platform's shared library: from platforms/ in this checkout once \`npm run build\` has made it,
 * else from the platform package npm installed. Throws E_NOT_INSTALLED (naming the package to install) or
 * E_UNSUPPORTED (no package for this platform).
 */
export function library(): string {
  return platformLibrary({
    plugin: manifest.name,
    version: manifest.version,
    platforms: PLATFORMS,
    file: ${JSON.stringify(libraryName(p))},
    from: import.meta.url,
    checkout: new URL('../platforms/', import.meta.url),
  });
}

/** The plugin: the library is found and opened when the plugin registers, so a missing one is reported, not thrown at import. */
export const plugin: HearthPlugin = createNativePlugin({ library, manifest });

export default plugin;
`;
}
