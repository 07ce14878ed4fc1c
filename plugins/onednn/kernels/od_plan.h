/*
 * od_plan.h: what one launch of a oneDNN-backed kernel runs (a plan: up to four primitives, e.g. reorder,
 * convolution, reorder), and the bounded cache that keeps plans by kernel, shapes and attributes, so a
 * primitive is made once per shape and every later launch only points its memories at the tensors.
 */
#ifndef OD_PLAN_H
#define OD_PLAN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "od_library.h"

#define OD_USER 6      /* tensors a plan reads and writes: inputs 0..4, then the output */
#define OD_OUT 5
#define OD_STEPS 4
#define OD_ARGS 6
#define OD_OWNED 6
#define OD_KEY 96      /* int64 words of a cache key */
#define OD_CACHE 64    /* plans kept; the least recently used goes first */

typedef struct od_step {
  dnnl_primitive_t prim;
  int32_t nargs;
  dnnl_exec_arg_t args[OD_ARGS];
} od_step;

/* How a plan runs: through its primitives, through dnnl_sgemm, or not at all (the reference kernel runs). */
enum { OD_PRIMITIVES, OD_SGEMM, OD_DECLINED };

typedef struct od_plan {
  int32_t how;
  int32_t nsteps;
  od_step step[OD_STEPS];
  dnnl_memory_t user[OD_USER];    /* over the launch's tensors; pointed at them on every launch */
  dnnl_memory_t owned[OD_OWNED];  /* oneDNN-allocated intermediates (blocked layouts) */
  int32_t nowned;
  int64_t p[8];                   /* OD_SGEMM: batch count, M, K, N and batch strides */
} od_plan;

typedef struct od_key {
  int32_t n;
  int64_t w[OD_KEY];
} od_key;

static dnnl_engine_t od_engine;
static dnnl_stream_t od_stream;


/* Empties a plan for building afresh (after a layout oneDNN refused part-way). */
static void od_plan_reset(od_plan *pl) {
  for (int32_t s = 0; s < pl->nsteps; s++) dnnl_primitive_destroy(pl->step[s].prim);
  for (int32_t k = 0; k < OD_USER; k++) if (pl->user[k]) dnnl_memory_destroy(pl->user[k]);
  for (int32_t k = 0; k < pl->nowned; k++) dnnl_memory_destroy(pl->owned[k]);
  memset(pl, 0, sizeof *pl);
}

static void od_plan_free(od_plan *pl) {
  if (!pl) return;
  od_plan_reset(pl);
  free(pl);
}

/* A memory over user tensor `slot` (its handle set per launch). */
static dnnl_memory_t od_user(od_plan *pl, int32_t slot, const dnnl_memory_desc_t *md) {
  if (!pl->user[slot] && dnnl_memory_create(&pl->user[slot], md, od_engine, DNNL_MEMORY_NONE) != dnnl_success) pl->user[slot] = NULL;
  return pl->user[slot];
}

/* A oneDNN-allocated intermediate of layout md, or NULL. */
static dnnl_memory_t od_owned(od_plan *pl, const dnnl_memory_desc_t *md) {
  if (pl->nowned >= OD_OWNED) return NULL;
  dnnl_memory_t m;
  if (dnnl_memory_create(&m, md, od_engine, DNNL_MEMORY_ALLOCATE) != dnnl_success) return NULL;
  return pl->owned[pl->nowned++] = m;
}

/* Appends the primitive of `pd` (which it takes) with its arguments; 0 when oneDNN refuses. */
static int od_add_step(od_plan *pl, dnnl_primitive_desc_t pd, int32_t nargs, const dnnl_exec_arg_t *args) {
  dnnl_primitive_t prim = NULL;
  dnnl_status_t s = dnnl_primitive_create(&prim, pd);
  dnnl_primitive_desc_destroy(pd);
  if (s != dnnl_success || pl->nsteps >= OD_STEPS) return prim ? (dnnl_primitive_destroy(prim), 0) : 0;
  for (int32_t k = 0; k < nargs; k++) if (!args[k].memory) return dnnl_primitive_destroy(prim), 0;
  od_step *st = &pl->step[pl->nsteps++];
  st->prim = prim;
  st->nargs = nargs;
  memcpy(st->args, args, sizeof(dnnl_exec_arg_t) * (size_t)nargs);
  return 1;
}

/* A reorder from memory `from` to memory `to` (both already made), as a step; 0 when refused. */
static int od_add_reorder(od_plan *pl, dnnl_memory_t from, const dnnl_memory_desc_t *from_md, dnnl_memory_t to, const dnnl_memory_desc_t *to_md) {
  dnnl_primitive_desc_t pd;
  if (dnnl_reorder_primitive_desc_create(&pd, from_md, od_engine, to_md, od_engine, NULL) != dnnl_success) return 0;
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  return od_add_step(pl, pd, 2, args);
}

/* Runs a plan's primitives on the launch's tensors (in[0..nin), then out). */
static int od_run(od_plan *pl, const hearth_tensor *in, int32_t nin, const hearth_tensor *out) {
  for (int32_t k = 0; k < OD_USER; k++) {
    if (!pl->user[k]) continue;
    void *data = k == OD_OUT ? out->data : k < nin ? in[k].data : NULL;
    if (dnnl_memory_set_data_handle(pl->user[k], data) != dnnl_success) return 0;
  }
  for (int32_t s = 0; s < pl->nsteps; s++)
    if (dnnl_primitive_execute(pl->step[s].prim, od_stream, pl->step[s].nargs, pl->step[s].args) != dnnl_success) return 0;
  return dnnl_stream_wait(od_stream) == dnnl_success;
}

/* ---- the key: kernel, threads, every shape and every attribute value, as int64 words ---- */

static int od_key_put(od_key *k, int64_t v) {
  if (k->n >= OD_KEY) return 0;
  k->w[k->n++] = v;
  return 1;
}

static int od_key_make(od_key *k, int32_t kernel, int32_t threads, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                       const hearth_named_value *attrs, int32_t nattrs) {
  k->n = 0;
  int ok = od_key_put(k, kernel) && od_key_put(k, threads) && od_key_put(k, nin);
  for (int32_t t = 0; t <= nin && ok; t++) {
    const hearth_tensor *x = t < nin ? &in[t] : out;
    ok = od_key_put(k, x->rank);
    for (int32_t d = 0; d < x->rank && ok; d++) ok = od_key_put(k, x->shape[d]);
  }
  for (int32_t a = 0; a < nattrs && ok; a++) {
    const hearth_named_value *v = &attrs[a];
    ok = od_key_put(k, v->kind) && od_key_put(k, v->count);
    switch (v->kind) {
      case HEARTH_VALUE_INT64: ok = ok && od_key_put(k, v->value.int64_value); break;
      case HEARTH_VALUE_BOOL: ok = ok && od_key_put(k, v->value.bool_value); break;
      case HEARTH_VALUE_FLOAT64: { int64_t bits; memcpy(&bits, &v->value.float64_value, 8); ok = ok && od_key_put(k, bits); break; }
      case HEARTH_VALUE_INT64_ARRAY: for (int32_t i = 0; i < v->count && ok; i++) ok = od_key_put(k, v->value.ints[i]); break;
      case HEARTH_VALUE_FLOAT64_ARRAY: for (int32_t i = 0; i < v->count && ok; i++) { int64_t bits; memcpy(&bits, &v->value.doubles[i], 8); ok = od_key_put(k, bits); } break;
      case HEARTH_VALUE_STRING: for (int32_t i = 0; i < v->count && ok; i += 8) { int64_t w = 0; memcpy(&w, v->value.string + i, v->count - i < 8 ? (size_t)(v->count - i) : 8); ok = od_key_put(k, w); } break;
      default: break;
    }
  }
  return ok;
}

static uint64_t od_key_hash(const od_key *k) {
  uint64_t h = 1469598103934665603ull;
  for (int32_t i = 0; i < k->n; i++) h = (h ^ (uint64_t)k->w[i]) * 1099511628211ull;
  return h;
}

/* ---- the cache ---- */

typedef struct od_entry {
  uint64_t hash, used;
  od_key key;
  od_plan *plan;
} od_entry;

static od_entry od_cache[OD_CACHE];
static uint64_t od_clock;

static od_plan *od_cache_find(const od_key *k, uint64_t h) {
  for (int32_t i = 0; i < OD_CACHE; i++) {
    od_entry *e = &od_cache[i];
    if (e->plan && e->hash == h && e->key.n == k->n && memcmp(e->key.w, k->w, sizeof(int64_t) * (size_t)k->n) == 0) {
      e->used = ++od_clock;
      return e->plan;
    }
  }
  return NULL;
}

/* Keeps `plan` under key k, evicting the least recently used plan when the cache is full. */
static void od_cache_put(const od_key *k, uint64_t h, od_plan *plan) {
  od_entry *slot = &od_cache[0];
  for (int32_t i = 0; i < OD_CACHE; i++) {
    if (!od_cache[i].plan) { slot = &od_cache[i]; break; }
    if (od_cache[i].used < slot->used) slot = &od_cache[i];
  }
  od_plan_free(slot->plan);
  slot->hash = h;
  slot->used = ++od_clock;
  slot->key = *k;
  slot->plan = plan;
}

static void od_cache_clear(void) {
  for (int32_t i = 0; i < OD_CACHE; i++) {
    od_plan_free(od_cache[i].plan);
    od_cache[i].plan = NULL;
  }
}

#endif
