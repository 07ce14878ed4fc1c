/*
 * The native time of each launch of `npm run bench -- models`' three models (resnet b8, transformer,
 * wake-word MLP), with their exact shapes and attributes, through the plugin's C ABI as the loader calls
 * it: no JavaScript, so what it prints is what the plugin costs. Best of 7 rounds of 2000 launches each, in
 * process CPU time (the machine may be shared: CPU time is what a launch costs, whoever else runs).
 * Build and run: make launches (or build/launches [library]).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hearth_plugin.h"

#define MAX_IN 5

typedef struct launch {
  const char *model, *op;
  int32_t nin;
  int64_t shape[MAX_IN + 1][6]; /* inputs, then the output; each ends at its first 0 (a scalar: {-1}) */
  int32_t nattrs;
  hearth_named_value attrs[6];
} launch;

static const int64_t one1[] = {1, 1}, zero2[] = {0, 0}, two2[] = {2, 2}, mean_axes[] = {2, 3}, perm_q[] = {0, 2, 1, 3}, perm_k[] = {0, 2, 3, 1};
#define INTS(n, v) {n, HEARTH_VALUE_INT64_ARRAY, (int32_t)(sizeof v / sizeof v[0]), {.ints = v}}
#define INT(n, v) {n, HEARTH_VALUE_INT64, 0, {.int64_value = v}}
#define BOOL(n, v) {n, HEARTH_VALUE_BOOL, 0, {.bool_value = v}}
#define NUM(n, v) {n, HEARTH_VALUE_FLOAT64, 0, {.float64_value = v}}
#define CONV {INTS("stride", one1), INTS("padding", one1), INTS("dilation", one1), INT("groups", 1)}
#define LINEAR {BOOL("transA", 0), BOOL("transB", 0), NUM("alpha", 1), NUM("beta", 1)}
#define LN {INT("axis", -1), NUM("epsilon", 1e-5)}

static const launch LAUNCHES[] = {
    {"resnet", "conv2d", 3, {{8, 3, 16, 16}, {8, 3, 3, 3}, {8}, {8, 8, 16, 16}}, 4, CONV},
    {"resnet", "relu", 1, {{8, 8, 16, 16}, {8, 8, 16, 16}}, 0, {{0}}},
    {"resnet", "max_pool2d", 1, {{8, 8, 16, 16}, {8, 8, 8, 8}}, 4, {INTS("kernelSize", two2), INTS("stride", two2), INTS("padding", zero2), BOOL("ceilMode", 0)}},
    {"resnet", "conv2d", 3, {{8, 8, 8, 8}, {8, 8, 3, 3}, {8}, {8, 8, 8, 8}}, 4, CONV},
    {"resnet", "relu", 1, {{8, 8, 8, 8}, {8, 8, 8, 8}}, 0, {{0}}},
    {"resnet", "conv2d", 3, {{8, 8, 8, 8}, {8, 8, 3, 3}, {8}, {8, 8, 8, 8}}, 4, CONV},
    {"resnet", "add", 2, {{8, 8, 8, 8}, {8, 8, 8, 8}, {8, 8, 8, 8}}, 0, {{0}}},
    {"resnet", "relu", 1, {{8, 8, 8, 8}, {8, 8, 8, 8}}, 0, {{0}}},
    {"resnet", "mean", 1, {{8, 8, 8, 8}, {8, 8, 1, 1}}, 2, {INTS("axes", mean_axes), BOOL("keepdims", 1)}},
    {"resnet", "linear", 3, {{8, 8}, {8, 10}, {10}, {8, 10}}, 4, LINEAR},
    {"resnet", "softmax", 1, {{8, 10}, {8, 10}}, 1, {INT("axis", -1)}},
    {"transformer", "layer_norm", 3, {{4, 64, 16}, {16}, {16}, {4, 64, 16}}, 2, LN},
    {"transformer", "linear", 3, {{256, 16}, {16, 16}, {16}, {256, 16}}, 4, LINEAR},
    {"transformer", "linear", 3, {{256, 16}, {16, 16}, {16}, {256, 16}}, 4, LINEAR},
    {"transformer", "linear", 3, {{256, 16}, {16, 16}, {16}, {256, 16}}, 4, LINEAR},
    {"transformer", "transpose", 1, {{4, 64, 2, 8}, {4, 2, 64, 8}}, 1, {INTS("perm", perm_q)}},
    {"transformer", "transpose", 1, {{4, 64, 2, 8}, {4, 2, 8, 64}}, 1, {INTS("perm", perm_k)}},
    {"transformer", "transpose", 1, {{4, 64, 2, 8}, {4, 2, 64, 8}}, 1, {INTS("perm", perm_q)}},
    {"transformer", "matmul", 2, {{4, 2, 64, 8}, {4, 2, 8, 64}, {4, 2, 64, 64}}, 0, {{0}}},
    {"transformer", "div", 2, {{4, 2, 64, 64}, {-1}, {4, 2, 64, 64}}, 0, {{0}}},
    {"transformer", "softmax", 1, {{4, 2, 64, 64}, {4, 2, 64, 64}}, 1, {INT("axis", -1)}},
    {"transformer", "matmul", 2, {{4, 2, 64, 64}, {4, 2, 64, 8}, {4, 2, 64, 8}}, 0, {{0}}},
    {"transformer", "transpose", 1, {{4, 2, 64, 8}, {4, 64, 2, 8}}, 1, {INTS("perm", perm_q)}},
    {"transformer", "linear", 3, {{256, 16}, {16, 16}, {16}, {256, 16}}, 4, LINEAR},
    {"transformer", "add", 2, {{4, 64, 16}, {4, 64, 16}, {4, 64, 16}}, 0, {{0}}},
    {"transformer", "layer_norm", 3, {{4, 64, 16}, {16}, {16}, {4, 64, 16}}, 2, LN},
    {"transformer", "linear", 3, {{256, 16}, {16, 32}, {32}, {256, 32}}, 4, LINEAR},
    {"transformer", "gelu", 1, {{4, 64, 32}, {4, 64, 32}}, 0, {{0}}},
    {"transformer", "linear", 3, {{256, 32}, {32, 16}, {16}, {256, 16}}, 4, LINEAR},
    {"transformer", "add", 2, {{4, 64, 16}, {4, 64, 16}, {4, 64, 16}}, 0, {{0}}},
    {"wake-word", "linear", 3, {{1, 2400}, {2400, 32}, {32}, {1, 32}}, 4, LINEAR},
    {"wake-word", "layer_norm", 3, {{1, 32}, {32}, {32}, {1, 32}}, 2, LN},
    {"wake-word", "relu", 1, {{1, 32}, {1, 32}}, 0, {{0}}},
    {"wake-word", "linear", 3, {{1, 32}, {32, 32}, {32}, {1, 32}}, 4, LINEAR},
    {"wake-word", "layer_norm", 3, {{1, 32}, {32}, {32}, {1, 32}}, 2, LN},
    {"wake-word", "relu", 1, {{1, 32}, {1, 32}}, 0, {{0}}},
    {"wake-word", "linear", 3, {{1, 32}, {32, 1}, {1}, {1, 1}}, 4, LINEAR},
    {"wake-word", "sigmoid", 1, {{1, 1}, {1, 1}}, 0, {{0}}},
};
#define COUNT ((int)(sizeof LAUNCHES / sizeof LAUNCHES[0]))

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static int32_t rank_of(const int64_t *s) {
  if (s[0] == -1) return 0;
  int32_t r = 0;
  while (r < 6 && s[r]) r++;
  return r;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "build/libhearth_onednn.so";
  void *lib = dlopen(path, RTLD_NOW);
  if (!lib) return fprintf(stderr, "%s\n", dlerror()), 1;
  const hearth_plugin_api *api = ((hearth_plugin_get_api_fn)dlsym(lib, "hearth_plugin_get_api"))();
  int32_t devices;
  if (api->init(&devices) != HEARTH_OK) return fprintf(stderr, "init: %s\n", api->last_error()), 1;
  const hearth_kernel *kernels;
  int32_t nk;
  api->kernels(&kernels, &nk);
  hearth_tensor t[COUNT][MAX_IN + 1];
  int32_t kernel[COUNT];
  for (int i = 0; i < COUNT; i++) {
    const launch *l = &LAUNCHES[i];
    kernel[i] = -1;
    for (int32_t k = 0; k < nk; k++)
      if (!strcmp(kernels[k].op, l->op) && kernels[k].dtype == HEARTH_FLOAT32) kernel[i] = k;
    if (kernel[i] < 0) return fprintf(stderr, "no float32 kernel %s\n", l->op), 1;
    for (int32_t j = 0; j <= l->nin; j++) {
      hearth_tensor *x = &t[i][j];
      x->rank = rank_of(l->shape[j]);
      x->shape = l->shape[j];
      x->size = 1;
      for (int32_t d = 0; d < x->rank; d++) x->size *= l->shape[j][d];
      x->dtype = HEARTH_FLOAT32;
      api->alloc(0, (uint64_t)x->size * 4, &x->data);
      for (int64_t e = 0; e < x->size; e++) ((float *)x->data)[e] = (float)((e * 7919 % 1000) - 500) / 250.0f;
    }
  }
  double model_us[3] = {0};
  const char *models[3] = {"resnet", "transformer", "wake-word"};
  printf("%-12s %-11s %8s  shapes\n", "model", "op", "us");
  for (int i = 0; i < COUNT; i++) {
    const launch *l = &LAUNCHES[i];
    double best = 1e30;
    for (int r = 0; r < 7; r++) {
      double t0 = now_us();
      for (int n = 0; n < 2000; n++)
        if (api->launch(0, kernel[i], t[i], l->nin, &t[i][l->nin], l->attrs, l->nattrs) != HEARTH_OK)
          return fprintf(stderr, "%s: %s\n", l->op, api->last_error()), 1;
      double us = (now_us() - t0) / 2000;
      if (us < best) best = us;
    }
    for (int m = 0; m < 3; m++) if (!strcmp(models[m], l->model)) model_us[m] += best;
    printf("%-12s %-11s %8.2f  [%lld", l->model, l->op, best, (long long)l->shape[0][0]);
    for (int d = 1; d < t[i][0].rank; d++) printf(",%lld", (long long)l->shape[0][d]);
    printf("] -> [%lld", (long long)l->shape[l->nin][0]);
    for (int d = 1; d < t[i][l->nin].rank; d++) printf(",%lld", (long long)l->shape[l->nin][d]);
    printf("]\n");
  }
  for (int m = 0; m < 3; m++) printf("%-12s total %8.2f us of native time per run\n", models[m], model_us[m]);
  api->shutdown();
  return 0;
}
