/*
 * hearth_plugin.h: the stable C ABI of Hearth native plugins.
 *
 * A native plugin is a shared library that exports one function, hearth_plugin_get_api(), returning a
 * pointer to a hearth_plugin_api table that lives as long as the library. Hearth's loader
 * (@hearth/plugin-native) opens the library, checks the table, and registers a backend and one kernel per
 * advertised (op, compute dtype) with the core. The plugin never sees TypeScript.
 *
 * Versioning (the PJRT model):
 *   - HEARTH_ABI_MAJOR changes only when something already in the table changes meaning or layout. The
 *     loader refuses a library of another major, naming both versions, before it reads anything but the
 *     first three fields (struct_size, abi_major, abi_minor), whose layout never changes.
 *   - HEARTH_ABI_MINOR grows when fields are added, always at the end of hearth_plugin_api (and of any
 *     struct carrying struct_size). A library built against an older minor still loads: the loader reads
 *     only the fields that fit in its struct_size and treats later ones as absent. A library built against
 *     a newer minor loads too: the loader ignores the fields it does not know.
 *   - New enum values (status codes, value kinds) are additions: a minor bump.
 *
 * Rules every plugin follows:
 *   - Every function returns a hearth_status; on anything but HEARTH_OK it leaves a message for
 *     last_error(), which the loader puts verbatim into the HearthError the user sees. Say what went wrong
 *     and what to do ("no CUDA device: the NVIDIA driver (libcuda.so.1) is not installed").
 *   - Functions are called from the loader's thread, except copy_to_host and synchronize, which may run on
 *     a worker thread so that reads never block JavaScript; keep them thread-safe. (A device that declares
 *     HEARTH_DEVICE_HOST_MEMORY gets its small reads on the loader's thread instead: see that flag.) last_error() must be
 *     per thread (thread_local) or otherwise safe to read after the failing call on the same thread.
 *   - Tensors are contiguous and row-major, like the core's KernelTensor. A launch never allocates its
 *     output (the loader already did) and never changes its inputs.
 *   - Attributes arrive normalized (defaults applied, pairs expanded to two ints) as named values; the
 *     core has validated every shape, dtype and attribute before the launch.
 */
#ifndef HEARTH_PLUGIN_H
#define HEARTH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_ABI_MAJOR 1
/* 1.0: the base table. 1.1: stats() at the end. 1.2: HEARTH_VALUE_FLOAT64_ARRAY (opset v2's resize scales).
 * 1.3: hearth_device_info.flags at the end, with HEARTH_DEVICE_HOST_MEMORY. */
#define HEARTH_ABI_MINOR 3

#if defined(_WIN32)
#define HEARTH_EXPORT __declspec(dllexport)
#else
#define HEARTH_EXPORT __attribute__((visibility("default")))
#endif

/* Status codes. The loader turns each failure into a HearthError carrying last_error(): statuses marked
 * with a code keep it; the others take the code of the call that failed (E_KERNEL from launch, E_BACKEND
 * from alloc/free/copies/synchronize, E_BACKEND_INIT from init/device_info, E_PLUGIN from kernels). */
typedef enum hearth_status {
  HEARTH_OK = 0,
  HEARTH_ERROR_INVALID_ARGUMENT = 1,   /* a bad argument reached the plugin */
  HEARTH_ERROR_OUT_OF_MEMORY = 2,      /* device memory exhausted: E_OUT_OF_MEMORY */
  HEARTH_ERROR_NO_DEVICE = 3,          /* no usable device or driver: E_BACKEND_INIT */
  HEARTH_ERROR_DEVICE = 4,             /* the device or driver failed */
  HEARTH_ERROR_DEVICE_LOST = 5,        /* the device is gone; nothing more will run: E_DEVICE_LOST */
  HEARTH_ERROR_UNSUPPORTED = 6,        /* a case this kernel does not handle */
  HEARTH_ERROR_INDEX_OUT_OF_RANGE = 7, /* e.g. a gather index outside its axis: E_INDEX_OUT_OF_RANGE */
  HEARTH_ERROR_INTERNAL = 8            /* a bug in the plugin */
} hearth_status;

/* Element types; the numbers are the core's dtype codes. float32, int32 and bool are required. */
typedef enum hearth_dtype {
  HEARTH_BOOL = 0,    /* one byte, 0 or 1 */
  HEARTH_INT32 = 1,
  HEARTH_FLOAT16 = 2, /* IEEE binary16 */
  HEARTH_FLOAT32 = 3,
  HEARTH_FLOAT64 = 4
} hearth_dtype;

/* A tensor as a kernel sees it: a device pointer from alloc(), its dtype and shape. 32 bytes. */
typedef struct hearth_tensor {
  void *data;           /* device memory (may be NULL when size is 0) */
  const int64_t *shape; /* rank sizes, host memory valid for the call */
  int64_t size;         /* element count: the product of shape (1 for a scalar) */
  int32_t dtype;        /* a hearth_dtype */
  int32_t rank;         /* number of axes; 0 for a scalar */
} hearth_tensor;

/* The kinds of attribute value (like PJRT_NamedValue). */
typedef enum hearth_value_kind {
  HEARTH_VALUE_NULL = 0,        /* e.g. reduce axes = null: "all axes" */
  HEARTH_VALUE_INT64 = 1,
  HEARTH_VALUE_FLOAT64 = 2,
  HEARTH_VALUE_BOOL = 3,
  HEARTH_VALUE_INT64_ARRAY = 4, /* count entries at ints; pairs (stride, padding...) come as 2 entries */
  HEARTH_VALUE_STRING = 5,      /* UTF-8, NUL-terminated, count bytes (e.g. pad mode, cast dtype name) */
  HEARTH_VALUE_FLOAT64_ARRAY = 6 /* ABI 1.2: count entries at doubles (a number list, e.g. resize scales) */
} hearth_value_kind;

/* One named attribute of a launch. 24 bytes. */
typedef struct hearth_named_value {
  const char *name; /* the attribute's name in the opset, e.g. "keepdims" */
  int32_t kind;     /* a hearth_value_kind */
  int32_t count;    /* entries of an INT64_ARRAY or FLOAT64_ARRAY, bytes of a STRING; 0 otherwise */
  union {
    int64_t int64_value;
    double float64_value;
    int32_t bool_value; /* 0 or 1 */
    const int64_t *ints;
    const char *string;
    const double *doubles; /* ABI 1.2 */
  } value;
} hearth_named_value;

/* One kernel a plugin provides: an opset operator for one compute dtype (the core's KernelSpec key). */
typedef struct hearth_kernel {
  const char *op; /* the opset operator name, e.g. "matmul" */
  int32_t dtype;  /* the compute dtype (for cast the input's, for creation ops the output's) */
  int32_t reserved;
} hearth_kernel;

/*
 * Device capabilities (hearth_device_info.flags, ABI 1.3).
 *
 * HEARTH_DEVICE_HOST_MEMORY: the device's memory IS host memory, and nothing is ever queued. Declare it
 * only when all three hold, for every pointer alloc() gives:
 *   1. it is an ordinary address in this process, readable and writable by the CPU;
 *   2. copy_to_host and copy_to_device are plain memcpy: safe on any thread, with no device to wait for;
 *   3. launch() returns only once its output is completely written (no stream, no queue, no deferred error:
 *      a launch's failure is its own return status, and synchronize() has nothing to wait for).
 * The loader then serves each small read (up to 256 KiB today: a copy that takes no longer than the
 * worker-thread round trip it saves) with a synchronous copy_to_host on its own thread, straight into the
 * JavaScript array, and reports the device as reading synchronously (dataSync() works on it, for any
 * size: the caller asked to wait). Larger awaited reads still go to a worker thread, so the event loop
 * stays free while megabytes are copied. A CPU library (like the reference and oneDNN plugins) declares
 * it; a GPU library, whose copies wait for the device, must not. A library built against a minor before
 * 1.3 never has it (the loader ignores the field for it): its reads all stay asynchronous.
 */
#define HEARTH_DEVICE_HOST_MEMORY (1u << 0)

/* What a device says about itself. The loader fills struct_size (sizeof this struct as the loader knows
 * it) and zeroes every field before the call; write only the fields that fit in struct_size, e.g.
 * `if (HEARTH_DEVICE_INFO_HAS(info, flags)) info->flags = HEARTH_DEVICE_HOST_MEMORY;`. */
typedef struct hearth_device_info {
  size_t struct_size;
  char name[128];    /* e.g. "NVIDIA H100 80GB HBM3" */
  char vendor[64];   /* e.g. "NVIDIA" */
  uint64_t memory_bytes; /* 0 when unknown */
  int32_t software;  /* 1 when the "device" is emulated on the host */
  int32_t reserved;
  uint64_t flags;    /* ABI 1.3: HEARTH_DEVICE_* capabilities, OR-ed; 0 when none */
} hearth_device_info;

/* Whether the loader's hearth_device_info holds `field` (a loader of an older minor passes a smaller one). */
#define HEARTH_DEVICE_INFO_HAS(info, field) \
  ((info)->struct_size >= offsetof(hearth_device_info, field) + sizeof((info)->field))

/* Live allocations (ABI 1.1). */
typedef struct hearth_stats {
  int64_t live_allocations;
  int64_t live_bytes;
} hearth_stats;

typedef struct hearth_plugin_api {
  /* Frozen forever: sizeof(hearth_plugin_api) as the library was built, then its ABI version. */
  size_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;

  /* Identity: static NUL-terminated strings. */
  const char *name;        /* e.g. "acme-npu" */
  const char *vendor;      /* e.g. "Acme" */
  const char *version;     /* the library's own semver, e.g. "1.2.0" */
  const char *device_type; /* the device type its kernels register under, e.g. "cuda" */

  /* The message of the calling thread's last failure ("" when none). Never NULL. */
  const char *(*last_error)(void);

  /* Starts the library (driver checks, contexts) and says how many devices there are. Called once per
   * runtime before anything else; a failure here is reported as the backend being unavailable. */
  hearth_status (*init)(int32_t *device_count);
  hearth_status (*device_info)(int32_t device, hearth_device_info *info);

  /* Device memory. alloc of 0 bytes may return NULL. free(NULL) is a no-op. */
  hearth_status (*alloc)(int32_t device, uint64_t bytes, void **out);
  hearth_status (*free)(int32_t device, void *ptr);
  hearth_status (*copy_to_device)(int32_t device, void *dst, const void *src, uint64_t bytes);
  hearth_status (*copy_to_host)(int32_t device, void *dst, const void *src, uint64_t bytes);
  /* Waits for every launch queued on the device. */
  hearth_status (*synchronize)(int32_t device);

  /* The kernels provided: a static array, valid as long as the library. */
  hearth_status (*kernels)(const hearth_kernel **list, int32_t *count);
  /* Runs kernel number `kernel` (an index into kernels()) on `device`. Work may be queued: errors that
   * surface later are returned by synchronize or copy_to_host. */
  hearth_status (*launch)(int32_t device, int32_t kernel, const hearth_tensor *inputs, int32_t num_inputs,
                          const hearth_tensor *output, const hearth_named_value *attrs, int32_t num_attrs);

  /* Releases everything init made. */
  void (*shutdown)(void);

  /* ABI 1.1. Live allocations of a device; may be NULL. */
  hearth_status (*stats)(int32_t device, hearth_stats *out);
} hearth_plugin_api;

/* sizeof the table at each minor, for loaders and for plugins that target an older minor. */
#define HEARTH_PLUGIN_API_SIZE_1_0 offsetof(hearth_plugin_api, stats)
#define HEARTH_PLUGIN_API_SIZE_1_1 sizeof(hearth_plugin_api)
/* sizeof hearth_device_info before ABI 1.3 (without flags), as a loader of those minors passes it. */
#define HEARTH_DEVICE_INFO_SIZE_1_0 offsetof(hearth_device_info, flags)

/* The one exported entry point. */
typedef const hearth_plugin_api *(*hearth_plugin_get_api_fn)(void);
HEARTH_EXPORT const hearth_plugin_api *hearth_plugin_get_api(void);

#ifdef __cplusplus
}
#endif

#endif /* HEARTH_PLUGIN_H */
