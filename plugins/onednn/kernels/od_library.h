/*
 * od_library.h: oneDNN opened at init with dlopen, not linked, so a machine without it still loads the
 * plugin and `init` says what to install (as the CUDA plugin does without a driver). Every oneDNN call
 * the plugin makes goes through this table; HEARTH_ONEDNN_LIBRARY names another libdnnl to open.
 */
#ifndef OD_LIBRARY_H
#define OD_LIBRARY_H

#include <dlfcn.h>
#include <stdio.h>
#include <dnnl.h>

/* Every oneDNN function the plugin calls. */
#define OD_FUNCTIONS(X)                                                                                     \
  X(dnnl_version) X(dnnl_engine_create) X(dnnl_engine_destroy) X(dnnl_stream_create) X(dnnl_stream_destroy) \
  X(dnnl_stream_wait) X(dnnl_sgemm) X(dnnl_memory_desc_init_by_tag) X(dnnl_memory_desc_init_by_strides)     \
  X(dnnl_memory_desc_equal) X(dnnl_memory_create) X(dnnl_memory_destroy) X(dnnl_memory_set_data_handle)     \
  X(dnnl_primitive_desc_create) X(dnnl_primitive_desc_destroy) X(dnnl_primitive_desc_query_md)             \
  X(dnnl_primitive_create) X(dnnl_primitive_destroy) X(dnnl_primitive_execute)                              \
  X(dnnl_reorder_primitive_desc_create) X(dnnl_matmul_desc_init) X(dnnl_dilated_convolution_forward_desc_init) \
  X(dnnl_dilated_deconvolution_forward_desc_init) \
  X(dnnl_binary_desc_init) X(dnnl_eltwise_forward_desc_init) X(dnnl_softmax_v2_forward_desc_init)           \
  X(dnnl_pooling_v2_forward_desc_init) X(dnnl_reduction_desc_init)                                          \
  X(dnnl_layer_normalization_forward_desc_init) X(dnnl_batch_normalization_forward_desc_init)               \
  X(dnnl_primitive_attr_create) X(dnnl_primitive_attr_destroy) X(dnnl_primitive_attr_set_post_ops)          \
  X(dnnl_post_ops_create) X(dnnl_post_ops_destroy) X(dnnl_post_ops_append_eltwise)

#define OD_POINTER(name) static __typeof__(name) *od_##name;
OD_FUNCTIONS(OD_POINTER)
#undef OD_POINTER
/* OpenMP's thread count for launches from the calling (JavaScript) thread; libdnnl brings its runtime. */
static void (*od_omp_set_num_threads)(int);
static int (*od_omp_get_max_threads)(void);

static void *od_handle;

/* Opens libdnnl and fills the table; on failure writes what to install into err and returns 0. */
static int od_library_open(char *err, size_t errlen) {
  if (od_handle) return 1;
  const char *path = getenv("HEARTH_ONEDNN_LIBRARY");
  if (!path || !*path) path = "libdnnl.so.2";
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(err, errlen, "oneDNN (%s) could not be loaded: %s. Install it (Debian/Ubuntu: apt-get install libdnnl2) or set HEARTH_ONEDNN_LIBRARY to its path.", path, dlerror());
    return 0;
  }
#define OD_LOAD(name)                                                                                             \
  if (!(od_##name = (__typeof__(name) *)dlsym(h, #name))) {                                                    \
    snprintf(err, errlen, "oneDNN (%s) lacks %s: it is older than 2.6. Install oneDNN 2.6 or newer 2.x (Debian/Ubuntu: apt-get install libdnnl2).", path, #name); \
    dlclose(h);                                                                                                 \
    return 0;                                                                                                   \
  }
  OD_FUNCTIONS(OD_LOAD)
#undef OD_LOAD
  od_omp_set_num_threads = (void (*)(int))dlsym(h, "omp_set_num_threads");
  od_omp_get_max_threads = (int (*)(void))dlsym(h, "omp_get_max_threads");
  od_handle = h;
  return 1;
}

/* From here on, oneDNN's names call through the table. */
#define dnnl_version od_dnnl_version
#define dnnl_engine_create od_dnnl_engine_create
#define dnnl_engine_destroy od_dnnl_engine_destroy
#define dnnl_stream_create od_dnnl_stream_create
#define dnnl_stream_destroy od_dnnl_stream_destroy
#define dnnl_stream_wait od_dnnl_stream_wait
#define dnnl_sgemm od_dnnl_sgemm
#define dnnl_memory_desc_init_by_tag od_dnnl_memory_desc_init_by_tag
#define dnnl_memory_desc_init_by_strides od_dnnl_memory_desc_init_by_strides
#define dnnl_memory_desc_equal od_dnnl_memory_desc_equal
#define dnnl_memory_create od_dnnl_memory_create
#define dnnl_memory_destroy od_dnnl_memory_destroy
#define dnnl_memory_set_data_handle od_dnnl_memory_set_data_handle
#define dnnl_primitive_desc_create od_dnnl_primitive_desc_create
#define dnnl_primitive_desc_destroy od_dnnl_primitive_desc_destroy
#define dnnl_primitive_desc_query_md od_dnnl_primitive_desc_query_md
#define dnnl_primitive_create od_dnnl_primitive_create
#define dnnl_primitive_destroy od_dnnl_primitive_destroy
#define dnnl_primitive_execute od_dnnl_primitive_execute
#define dnnl_reorder_primitive_desc_create od_dnnl_reorder_primitive_desc_create
#define dnnl_matmul_desc_init od_dnnl_matmul_desc_init
#define dnnl_dilated_convolution_forward_desc_init od_dnnl_dilated_convolution_forward_desc_init
#define dnnl_dilated_deconvolution_forward_desc_init od_dnnl_dilated_deconvolution_forward_desc_init
#define dnnl_binary_desc_init od_dnnl_binary_desc_init
#define dnnl_eltwise_forward_desc_init od_dnnl_eltwise_forward_desc_init
#define dnnl_softmax_v2_forward_desc_init od_dnnl_softmax_v2_forward_desc_init
#define dnnl_pooling_v2_forward_desc_init od_dnnl_pooling_v2_forward_desc_init
#define dnnl_reduction_desc_init od_dnnl_reduction_desc_init
#define dnnl_layer_normalization_forward_desc_init od_dnnl_layer_normalization_forward_desc_init
#define dnnl_batch_normalization_forward_desc_init od_dnnl_batch_normalization_forward_desc_init
#define dnnl_primitive_attr_create od_dnnl_primitive_attr_create
#define dnnl_primitive_attr_destroy od_dnnl_primitive_attr_destroy
#define dnnl_primitive_attr_set_post_ops od_dnnl_primitive_attr_set_post_ops
#define dnnl_post_ops_create od_dnnl_post_ops_create
#define dnnl_post_ops_destroy od_dnnl_post_ops_destroy
#define dnnl_post_ops_append_eltwise od_dnnl_post_ops_append_eltwise

#endif
