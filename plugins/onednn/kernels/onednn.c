/*
 * The oneDNN plugin: a vendor library behind the Hearth C ABI. oneDNN (the CPU library PyTorch and ONNX
 * Runtime's DNNL provider use) runs matmul; every other kernel comes from the reference native kernels,
 * compiled in beside it, so the plugin covers the whole opset. Tensors live in host memory, so oneDNN reads
 * and writes them in place: no copy between kernels.
 */
#define HEARTH_ENTRY hearth_reference_get_api
#define HEARTH_REFERENCE_NAME "hearth-onednn"
#include "plugin.c"

#include <dnnl.h>
#include <string.h>

/* The batch offset (in elements) of operand `t` for output batch index `b`, broadcasting size-1 batch axes. */
static int64_t batch_offset(const hearth_tensor *t, const hearth_tensor *out, int64_t b) {
  int64_t offset = 0, stride = t->shape[t->rank - 2] * t->shape[t->rank - 1];
  for (int32_t ax = out->rank - 3, tx = t->rank - 3; ax >= 0; ax--, tx--) {
    int64_t n = out->shape[ax], i = b % n;
    b /= n;
    if (tx < 0) continue;
    if (t->shape[tx] != 1) offset += i * stride;
    stride *= t->shape[tx];
  }
  return offset;
}

/* float32 matmul of rank >= 2 operands through dnnl_sgemm (row-major), one call per output batch. */
static hearth_status sgemm_matmul(const hearth_tensor *a, const hearth_tensor *b, const hearth_tensor *out) {
  const int64_t m = a->shape[a->rank - 2], k = a->shape[a->rank - 1], n = b->shape[b->rank - 1];
  const int64_t batches = m * n == 0 ? 0 : out->size / (m * n);
  for (int64_t i = 0; i < batches; i++) {
    float *c = (float *)out->data + i * m * n;
    if (k == 0) {
      memset(c, 0, (size_t)(m * n) * sizeof(float));
      continue;
    }
    const float *pa = (const float *)a->data + batch_offset(a, out, i);
    const float *pb = (const float *)b->data + batch_offset(b, out, i);
    if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, pa, k, pb, n, 0.0f, c, n) != dnnl_success) return fail(HEARTH_ERROR_INTERNAL, "matmul: dnnl_sgemm failed");
  }
  return HEARTH_OK;
}

static hearth_status onednn_launch(int32_t device, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                                   const hearth_named_value *attrs, int32_t nattrs) {
  if (device == 0 && kernel >= 0 && kernel < kernel_count && nin == 2 && in && out && kernel_list[kernel].dtype == HEARTH_FLOAT32 &&
      strcmp(kernel_list[kernel].op, "matmul") == 0 && in[0].rank >= 2 && in[1].rank >= 2)
    return sgemm_matmul(&in[0], &in[1], out);
  return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
}

static hearth_status onednn_device_info(int32_t device, hearth_device_info *info) {
  if (device != 0 || !info) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "device_info: no such device");
  const dnnl_version_t *v = dnnl_version();
  snprintf(info->name, sizeof info->name, "oneDNN %d.%d.%d on the host CPU (%s)", v->major, v->minor, v->patch, v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "threads");
  snprintf(info->vendor, sizeof info->vendor, "Hearth");
  info->memory_bytes = 0;
  info->software = 0;
  return HEARTH_OK;
}

static hearth_plugin_api ONEDNN_API;

HEARTH_EXPORT const hearth_plugin_api *hearth_plugin_get_api(void) {
  if (ONEDNN_API.struct_size == 0) {
    ONEDNN_API = *hearth_reference_get_api();
    ONEDNN_API.name = "hearth-onednn";
    ONEDNN_API.device_type = "onednn";
    ONEDNN_API.device_info = onednn_device_info;
    ONEDNN_API.launch = onednn_launch;
  }
  return &ONEDNN_API;
}
