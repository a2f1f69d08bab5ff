#include "CUnlearnKernels.h"
#include "CPUFeatures.h"
#include "FanOut.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// The math and the loop structure are documented on the Swift side (BlockSymmetricProduct.swift).

// Four doubles at any 8-byte-aligned address: loads and stores through it are unaligned moves.
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

// target[c] += Σ_u w[u]·rows[u][c] for c in [start, end); sums[u] = Σ_c rows[u][c]·v[c].
static inline __attribute__((always_inline)) void pass(
    const double *const rows[4], long start, long end, const double w[4], double *target, const double *v,
    double sums[4]) {
  const double *a0 = rows[0], *a1 = rows[1], *a2 = rows[2], *a3 = rows[3];
  v4d s0 = {w[0], w[0], w[0], w[0]}, s1 = {w[1], w[1], w[1], w[1]};
  v4d s2 = {w[2], w[2], w[2], w[2]}, s3 = {w[3], w[3], w[3], w[3]};
  v4d d0 = {0}, d1 = {0}, d2 = {0}, d3 = {0};
  long c = start;
  for (; c + 4 <= end; c += 4) {
    v4d x0 = *(const v4d *)(a0 + c), x1 = *(const v4d *)(a1 + c);
    v4d x2 = *(const v4d *)(a2 + c), x3 = *(const v4d *)(a3 + c);
    v4d vv = *(const v4d *)(v + c);
    *(v4d *)(target + c) += s0 * x0 + s1 * x1 + s2 * x2 + s3 * x3;
    d0 += x0 * vv;
    d1 += x1 * vv;
    d2 += x2 * vv;
    d3 += x3 * vv;
  }
  double e0 = d0[0] + d0[1] + d0[2] + d0[3], e1 = d1[0] + d1[1] + d1[2] + d1[3];
  double e2 = d2[0] + d2[1] + d2[2] + d2[3], e3 = d3[0] + d3[1] + d3[2] + d3[3];
  for (; c < end; c++) {
    target[c] += w[0] * a0[c] + w[1] * a1[c] + w[2] * a2[c] + w[3] * a3[c];
    e0 += a0[c] * v[c];
    e1 += a1[c] * v[c];
    e2 += a2[c] * v[c];
    e3 += a3[c] * v[c];
  }
  sums[0] = e0;
  sums[1] = e1;
  sums[2] = e2;
  sums[3] = e3;
}

// Row groups: four rows of one class block, group g = κ·⌈p/4⌉ + j0/4 starting at row κ·p + j0.
static inline long groups_per_block(long p) { return (p + 3) / 4; }

// Adds the contributions of row groups [first, last) to h and y (which the caller zeroed).
static inline __attribute__((always_inline)) void product(
    const double *a, long k, long p, const double *b, const double *vectors, long s, double *h, double *y,
    long first, long last) {
  long n = k * p;
  long per = groups_per_block(p);
  for (long g = first; g < last; g++) {
    long kappa = g / per, j0 = (g % per) * 4;
    long valid = p - j0 < 4 ? p - j0 : 4;
    long r0 = kappa * p + j0;
    // The triangle among the block's own rows.
    for (long u = 0; u < valid; u++) {
      long r = r0 + u;
      for (long v = u; v < valid; v++) {
        long c = r0 + v;
        double value = a[r * n + c];
        h[c] += b[r] * value;
        if (v > u) h[r] += value * b[c];
        for (long i = 0; i < s; i++) {
          const double *x = vectors + i * p;
          double *target = y + (i * k + kappa) * n;
          target[c] += x[j0 + u] * value;
          if (v > u) target[r] += value * x[j0 + v];
        }
      }
    }
    // Rows past the last valid one read row r0 again with zero weight; their sums are dropped.
    const double *rows[4];
    double hw[4] = {0, 0, 0, 0}, sums[4];
    for (long u = 0; u < 4; u++) {
      rows[u] = a + (r0 + (u < valid ? u : 0)) * n;
      if (u < valid) hw[u] = b[r0 + u];
    }
    // The rest of the rows, one segment per class block from the block's own on.
    for (long start = r0 + valid; start < n;) {
      long block = start / p;
      long end = (block + 1) * p;
      pass(rows, start, end, hw, h, b, sums);
      for (long u = 0; u < valid; u++) h[r0 + u] += sums[u];
      for (long i = 0; i < s; i++) {
        const double *x = vectors + i * p;
        double xw[4] = {0, 0, 0, 0};
        for (long u = 0; u < valid; u++) xw[u] = x[j0 + u];
        pass(rows, start, end, xw, y + (i * k + kappa) * n, x - block * p, sums);
        double *column = y + (i * k + block) * n + r0;
        for (long u = 0; u < valid; u++) column[u] += sums[u];
      }
      start = end;
    }
  }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma"))) static void product_avx2(
    const double *a, long k, long p, const double *b, const double *vectors, long s, double *h, double *y,
    long first, long last) {
  product(a, k, p, b, vectors, s, h, y, first, last);
}
#endif

static void product_baseline(
    const double *a, long k, long p, const double *b, const double *vectors, long s, double *h, double *y,
    long first, long last) {
  product(a, k, p, b, vectors, s, h, y, first, last);
}

typedef void (*range_kernel)(const double *, long, long, const double *, const double *, long, double *, double *,
                             long, long);

struct share {
  range_kernel kernel;
  const double *a, *b, *vectors;
  long k, p, s, first, last;
  double *h, *y;
};

static void *run_share(void *argument) {
  struct share *t = argument;
  t->kernel(t->a, t->k, t->p, t->b, t->vectors, t->s, t->h, t->y, t->first, t->last);
  return 0;
}

// Below this many rows one thread reads the triangle faster than a second one starts.
enum { threaded_rows = 2048, most_threads = unlearn_most_shares };

// The first row group at or after row r.
static long group_at(long r, long k, long p) {
  long kappa = r / p, j0 = (r % p + 3) / 4 * 4;
  if (j0 >= p) { kappa += 1, j0 = 0; }
  return kappa >= k ? k * groups_per_block(p) : kappa * groups_per_block(p) + j0 / 4;
}

// Zeroes h and y, then runs the row groups on `threads` threads, each with an equal share of the
// triangle: rows [0, r) hold n² − (n − r)² of its 2·area, so share t ends at r = n(1 − √(1 − t/T)).
// Every thread but the first adds into buffers of its own, summed into h and y at the end (rows
// of different shares reach the same columns; `unlearn_fan_out`).
static void run(
    range_kernel kernel, const double *a, long k, long p, const double *b, const double *vectors, long s, double *h,
    double *y, long threads) {
  long n = k * p, total = k * groups_per_block(p), size = n * (1 + k * s);
  memset(h, 0, sizeof(double) * n);
  memset(y, 0, sizeof(double) * n * k * s);
  if (threads > most_threads) threads = most_threads;
  double *buffers = threads > 1 && n >= threaded_rows ? calloc((size_t)((threads - 1) * size), sizeof(double)) : 0;
  if (!buffers) {
    kernel(a, k, p, b, vectors, s, h, y, 0, total);
    return;
  }
  struct share shares[most_threads];
  long first = 0;
  for (long t = 0; t < threads; t++) {
    double fraction = (double)(t + 1) / (double)threads;
    long last = t + 1 == threads ? total : group_at((long)(n * (1 - sqrt(1 - fraction))), k, p);
    if (last < first) last = first;
    double *hs = t == 0 ? h : buffers + (t - 1) * size;
    shares[t] = (struct share){kernel, a, b, vectors, k, p, s, first, last, hs, t == 0 ? y : hs + n};
    first = last;
  }
  unlearn_fan_out(run_share, shares, sizeof(struct share), threads);
  for (long t = 1; t < threads; t++) {
    const double *hs = shares[t].h, *ys = shares[t].y;
    for (long i = 0; i < n; i++) h[i] += hs[i];
    for (long i = 0; i < n * k * s; i++) y[i] += ys[i];
  }
  free(buffers);
}

void unlearn_block_symmetric_product_baseline(
    const double *a, long classes, long features, const double *b, const double *vectors, long count, double *h,
    double *y, long threads) {
  run(product_baseline, a, classes, features, b, vectors, count, h, y, threads);
}

void unlearn_block_symmetric_product(
    const double *a, long classes, long features, const double *b, const double *vectors, long count, double *h,
    double *y, long threads) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (unlearn_cpu_has_avx2_fma()) {
    run(product_avx2, a, classes, features, b, vectors, count, h, y, threads);
    return;
  }
#endif
  unlearn_block_symmetric_product_baseline(a, classes, features, b, vectors, count, h, y, threads);
}
