/*
 * od_memory.h: the plugin's device memory, which is host memory laid out as oneDNN wants it. Included by
 * onednn.c after the reference plugin (whose statistics counters and fail() it uses).
 */
#ifndef OD_MEMORY_H
#define OD_MEMORY_H

#include <pthread.h>

/* Host memory on 64-byte boundaries (a cache line, what oneDNN's kernels load best); the size, the capacity
 * and malloc's own pointer sit in the 64 bytes in front so that free keeps the statistics right. Freed blocks of 64 KiB and
 * more are kept (up to 16 blocks, 256 MiB) and handed out again for the same capacity: a fresh block from
 * the system costs a page fault per 4 KiB on first touch, which is most of an element-wise kernel's time. */
#define OD_KEEP_MIN (64u << 10)
#define OD_KEEP_BLOCKS 16
#define OD_KEEP_BYTES (256ull << 20)
static uint64_t *od_kept[OD_KEEP_BLOCKS];
static int32_t od_nkept;
static uint64_t od_kept_bytes;
static pthread_mutex_t od_keep_lock = PTHREAD_MUTEX_INITIALIZER;

static hearth_status onednn_alloc(int32_t device, uint64_t bytes, void **out) {
  (void)device;
  uint64_t cap = bytes >= OD_KEEP_MIN ? (bytes + 4095) / 4096 * 4096 : (bytes + 63) / 64 * 64;
  uint64_t *p = NULL;
  if (cap >= OD_KEEP_MIN) {
    pthread_mutex_lock(&od_keep_lock);
    for (int32_t i = 0; i < od_nkept; i++)
      if (od_kept[i][1] == cap) {
        p = od_kept[i];
        od_kept[i] = od_kept[--od_nkept];
        od_kept_bytes -= cap;
        break;
      }
    pthread_mutex_unlock(&od_keep_lock);
  }
  if (!p) {
    /* malloc and align by hand: aligned_alloc costs several times more for the small blocks most calls make */
    char *raw = malloc(cap + 144);
    if (!raw) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "alloc: out of host memory");
    p = (uint64_t *)(((uintptr_t)raw + 16 + 63) & ~(uintptr_t)63);
    p[2] = (uint64_t)(uintptr_t)raw;
  }
  p[0] = bytes;
  p[1] = cap;
  atomic_fetch_add(&live_allocations, 1);
  atomic_fetch_add(&live_bytes, (long long)bytes);
  *out = (char *)p + 64;
  return HEARTH_OK;
}

static hearth_status onednn_free(int32_t device, void *ptr) {
  (void)device;
  if (!ptr) return HEARTH_OK;
  uint64_t *p = (uint64_t *)((char *)ptr - 64);
  atomic_fetch_sub(&live_allocations, 1);
  atomic_fetch_sub(&live_bytes, (long long)p[0]);
  if (p[1] >= OD_KEEP_MIN) {
    pthread_mutex_lock(&od_keep_lock);
    int keep = od_nkept < OD_KEEP_BLOCKS && od_kept_bytes + p[1] <= OD_KEEP_BYTES;
    if (keep) (od_kept[od_nkept++] = p, od_kept_bytes += p[1]);
    pthread_mutex_unlock(&od_keep_lock);
    if (keep) return HEARTH_OK;
  }
  free((void *)(uintptr_t)p[2]);
  return HEARTH_OK;
}

static void od_release_kept(void) {
  pthread_mutex_lock(&od_keep_lock);
  while (od_nkept > 0) free((void *)(uintptr_t)od_kept[--od_nkept][2]);
  od_kept_bytes = 0;
  pthread_mutex_unlock(&od_keep_lock);
}

#endif
