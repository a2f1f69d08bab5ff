#include "CUnlearnKernels.h"
#include "CPUFeatures.h"
#include "FanOut.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The math is documented on the Swift side (StableFunctions.swift). Every loop below is free of
// branches and calls so that the compiler vectorizes it: exp and log are written out here (range
// reduction and a polynomial, within 2 ulp), not called from libm one element at a time.

static inline __attribute__((always_inline)) double bits_to_double(uint64_t bits) {
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

static inline __attribute__((always_inline)) uint64_t double_to_bits(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  return bits;
}

// e^x, with x clamped to [−708, 709] (the normal range: below, e^x ≈ 3·10⁻³⁰⁸ where the true
// value is smaller or 0; the kernels only take it of numbers ≤ 0). x = k·ln2 + r with k = round(x/ln2), |r| ≤ ln2/2 (ln2 split into a 32-bit
// head and its tail, so k·ln2_hi is exact), e^r by its Taylor series to r¹³ (truncation
// < 5·10⁻¹⁸ relative), 2^k from the exponent bits. k is rounded by adding 1.5·2⁵², which leaves
// k in the low bits of the sum.
static inline __attribute__((always_inline)) double fast_exp(double x) {
  const double shifter = 0x1.8p52, log2e = 0x1.71547652b82fep0;
  const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
  x = x < -708.0 ? -708.0 : x;
  x = x > 709.0 ? 709.0 : x;
  double t = x * log2e + shifter;
  double k = t - shifter;
  double r = (x - k * ln2_hi) - k * ln2_lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t scale = (double_to_bits(t) - double_to_bits(shifter) + 1023) << 52;
  return p * bits_to_double(scale);
}

// 2·atanh(s) = log((1 + s)/(1 − s)) for s² ≤ 1/9: 2s·Σ_{j≤17} s²ʲ/(2j + 1), truncation < 10⁻¹⁸.
static inline __attribute__((always_inline)) double twice_atanh(double s) {
  double s2 = s * s;
  double p = 1.0 / 35;
  p = p * s2 + 1.0 / 33;
  p = p * s2 + 1.0 / 31;
  p = p * s2 + 1.0 / 29;
  p = p * s2 + 1.0 / 27;
  p = p * s2 + 1.0 / 25;
  p = p * s2 + 1.0 / 23;
  p = p * s2 + 1.0 / 21;
  p = p * s2 + 1.0 / 19;
  p = p * s2 + 1.0 / 17;
  p = p * s2 + 1.0 / 15;
  p = p * s2 + 1.0 / 13;
  p = p * s2 + 1.0 / 11;
  p = p * s2 + 1.0 / 9;
  p = p * s2 + 1.0 / 7;
  p = p * s2 + 1.0 / 5;
  p = p * s2 + 1.0 / 3;
  p = p * s2 + 1.0;
  return 2 * s * p;
}

// log(1 + e) for 0 ≤ e ≤ 1: 2·atanh(e/(2 + e)), no cancellation for small e.
static inline __attribute__((always_inline)) double log_one_plus(double e) { return twice_atanh(e / (2 + e)); }

// log x for a normal positive x: x = m·2^k with m ∈ [√½, √2), log x = k·ln2 + 2·atanh((m − 1)/(m + 1)).
static inline __attribute__((always_inline)) double fast_log(double x) {
  const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
  uint64_t bits = double_to_bits(x);
  int64_t k = (int64_t)((bits >> 52) & 0x7ff) - 1023;
  double m = bits_to_double((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  int64_t high = m > 0x1.6a09e667f3bcdp0;  // √2
  m = high ? m * 0.5 : m;
  double kd = (double)(k + high);
  return kd * ln2_hi + (twice_atanh((m - 1) / (m + 1)) + kd * ln2_lo);
}

// Rows are done in tiles: their numbers stay in cache between the loops of a tile.
enum { tile_rows = 256 };

static inline __attribute__((always_inline)) double logistic_rows(
    double *z, long n, const long *labels, const _Bool *excluded) {
  double total = 0;
  double terms[tile_rows];
  for (long start = 0; start < n; start += tile_rows) {
    long count = n - start < tile_rows ? n - start : tile_rows;
    double *zs = z + start;
    const long *ys = labels + start;
    for (long i = 0; i < count; i++) {
      double y = ys[i] == 1 ? 1.0 : -1.0;
      double m = y * zs[i];
      double e = fast_exp(-(m < 0 ? -m : m));
      double loss = log_one_plus(e);
      double slope = (m >= 0 ? e : 1.0) / (1 + e);
      terms[i] = m >= 0 ? loss : loss - m;
      zs[i] = -y * slope;
    }
    if (excluded) {
      for (long i = 0; i < count; i++) {
        if (excluded[start + i]) terms[i] = 0, zs[i] = 0;
      }
    }
    for (long i = 0; i < count; i++) total += terms[i];
  }
  return total;
}

// Rows of z are `stride` apart (stride ≥ k; columns past k are left alone).
static inline __attribute__((always_inline)) double softmax_rows(
    double *z, long n, long k, long stride, const long *labels, const _Bool *excluded) {
  double total = 0;
  double sums[tile_rows], logs[tile_rows];
  for (long start = 0; start < n; start += tile_rows) {
    long count = n - start < tile_rows ? n - start : tile_rows;
    double *zs = z + start * stride;
    // z − max per row, then e^(z − max) over the whole tile, then the row sums.
    for (long i = 0; i < count; i++) {
      double *row = zs + i * stride;
      double maximum = row[0];
      for (long c = 1; c < k; c++) maximum = row[c] > maximum ? row[c] : maximum;
      for (long c = 0; c < k; c++) row[c] -= maximum;
    }
    if (labels) {
      for (long i = 0; i < count; i++) logs[i] = -zs[i * stride + labels[start + i]];
    }
    if (stride == k) {
      for (long c = 0; c < count * k; c++) zs[c] = fast_exp(zs[c]);
    } else {
      for (long i = 0; i < count; i++) {
        double *row = zs + i * stride;
        for (long c = 0; c < k; c++) row[c] = fast_exp(row[c]);
      }
    }
    for (long i = 0; i < count; i++) {
      const double *row = zs + i * stride;
      double sum = 0;
      for (long c = 0; c < k; c++) sum += row[c];
      sums[i] = sum;
    }
    // CE_i = log Σ e^(z − max) − (z_y − max); P = e^(z − max) / Σ.
    if (labels) {
      for (long i = 0; i < count; i++) logs[i] += fast_log(sums[i]);
    }
    for (long i = 0; i < count; i++) sums[i] = 1 / sums[i];
    for (long i = 0; i < count; i++) {
      double *row = zs + i * stride;
      for (long c = 0; c < k; c++) row[c] *= sums[i];
    }
    if (labels) {
      for (long i = 0; i < count; i++) zs[i * stride + labels[start + i]] -= 1;
    }
    if (excluded) {
      for (long i = 0; i < count; i++) {
        if (!excluded[start + i]) continue;
        logs[i] = 0;
        for (long c = 0; c < k; c++) zs[i * stride + c] = 0;
      }
    }
    if (labels) {
      for (long i = 0; i < count; i++) total += logs[i];
    }
  }
  return total;
}

// The objective in one pass: tiles of `objective_tile` rows, each read from memory once while its
// logits X̃_t·Θ, its residuals and its share X̃_tᵀR_t of the gradient are computed. Θ and the
// gradient are held `width` columns wide, the classes rounded up to a multiple of 4 (their padding
// columns are 0 in Θ and ignored in the gradient), in blocks of `block_rows` rows whose logits (or
// residuals) stay in registers across the sum over the p columns of X̃: the block size and the
// constant widths below let the compiler unroll and vectorize those loops.
enum { objective_tile = 64, block_rows = 4, widest_chunk = 16 };

// z[r][0..<w] = Σ_j x[r][j]·θ[j][0..<w] for `rows` rows; θ and z have row strides `ldt`, `ldz`.
static inline __attribute__((always_inline)) void chunk_logits(
    const double *restrict x, long p, long rows, const double *restrict theta, long ldt, long w, double *restrict z,
    long ldz) {
  long r = 0;
  for (; r + block_rows <= rows; r += block_rows) {
    double acc[block_rows][widest_chunk] = {{0}};
    const double *xr = x + r * p;
    for (long j = 0; j < p; j++) {
      const double *t = theta + j * ldt;
      for (long b = 0; b < block_rows; b++) {
        double v = xr[b * p + j];
        for (long c = 0; c < w; c++) acc[b][c] += v * t[c];
      }
    }
    for (long b = 0; b < block_rows; b++) {
      for (long c = 0; c < w; c++) z[(r + b) * ldz + c] = acc[b][c];
    }
  }
  for (; r < rows; r++) {
    double acc[widest_chunk] = {0};
    for (long j = 0; j < p; j++) {
      for (long c = 0; c < w; c++) acc[c] += x[r * p + j] * theta[j * ldt + c];
    }
    for (long c = 0; c < w; c++) z[r * ldz + c] = acc[c];
  }
}

// g[j][0..<w] += Σ_r x[r][j]·z[r][0..<w]; g and z have row strides `ldg`, `ldz`.
static inline __attribute__((always_inline)) void chunk_gradient(
    const double *restrict x, long p, long rows, const double *restrict z, long ldz, long w, double *restrict g,
    long ldg) {
  long r = 0;
  for (; r + block_rows <= rows; r += block_rows) {
    double residual[block_rows][widest_chunk];
    for (long b = 0; b < block_rows; b++) {
      for (long c = 0; c < w; c++) residual[b][c] = z[(r + b) * ldz + c];
    }
    const double *xr = x + r * p;
    for (long j = 0; j < p; j++) {
      double acc[widest_chunk];
      for (long c = 0; c < w; c++) acc[c] = g[j * ldg + c];
      for (long b = 0; b < block_rows; b++) {
        double v = xr[b * p + j];
        for (long c = 0; c < w; c++) acc[c] += v * residual[b][c];
      }
      for (long c = 0; c < w; c++) g[j * ldg + c] = acc[c];
    }
  }
  for (; r < rows; r++) {
    for (long j = 0; j < p; j++) {
      for (long c = 0; c < w; c++) g[j * ldg + c] += x[r * p + j] * z[r * ldz + c];
    }
  }
}

// The chunk kernels with the width a compile-time constant (4, 8, 12 or 16), so that they unroll.
#define WITH_CONSTANT_WIDTH(w, call) \
  switch (w) {                       \
  case 4: call(4); break;            \
  case 8: call(8); break;            \
  case 12: call(12); break;          \
  default: call(16); break;          \
  }

// Binary: z[r] = x[r]·θ, summed in 8 lanes so that the sum over j vectorizes.
static inline __attribute__((always_inline)) void binary_logits(
    const double *restrict x, long p, long rows, const double *restrict theta, double *restrict z) {
  enum { lanes = 8 };
  long body = p - p % lanes;
  for (long r = 0; r < rows; r++) {
    const double *xr = x + r * p;
    double acc[lanes] = {0};
    for (long j = 0; j < body; j += lanes) {
      for (long l = 0; l < lanes; l++) acc[l] += xr[j + l] * theta[j + l];
    }
    double sum = 0;
    for (long j = body; j < p; j++) sum += xr[j] * theta[j];
    for (long l = 0; l < lanes; l++) sum += acc[l];
    z[r] = sum;
  }
}

// Binary: g[j] += Σ_r z[r]·x[r][j], four rows at a time.
static inline __attribute__((always_inline)) void binary_gradient(
    const double *restrict x, long p, long rows, const double *restrict z, double *restrict g) {
  long r = 0;
  for (; r + block_rows <= rows; r += block_rows) {
    const double *xr = x + r * p;
    double z0 = z[r], z1 = z[r + 1], z2 = z[r + 2], z3 = z[r + 3];
    for (long j = 0; j < p; j++) g[j] += z0 * xr[j] + z1 * xr[p + j] + z2 * xr[2 * p + j] + z3 * xr[3 * p + j];
  }
  for (; r < rows; r++) {
    for (long j = 0; j < p; j++) g[j] += z[r] * x[r * p + j];
  }
}

// The Hessian's middle factor applied to a tile's projections a = X̃_t·V, in place. Binary:
// a_i ← w_i·a_i with w_i = σ_i(1 − σ_i) given in `curvature`. Softmax: with the probabilities P_i
// (rows of `curvature`, k wide), a_i ← P_i ⊙ (a_i − P_iᵀa_i), which is (diag P_i − P_iP_iᵀ)·a_i.
// Excluded rows become 0.
static inline __attribute__((always_inline)) void curvature_rows(
    double *z, long rows, long k, long stride, const double *curvature, const _Bool *excluded) {
  for (long r = 0; r < rows; r++) {
    double *zr = z + r * stride;
    const double *pr = curvature + r * k;
    if (excluded && excluded[r]) {
      for (long c = 0; c < k; c++) zr[c] = 0;
      continue;
    }
    if (k == 1) {
      zr[0] *= pr[0];
      continue;
    }
    double dot = 0;
    for (long c = 0; c < k; c++) dot += pr[c] * zr[c];
    for (long c = 0; c < k; c++) zr[c] = pr[c] * (zr[c] - dot);
  }
}

// Rows [first, last) in one pass. Without `curvature` (NULL), the objective: returns their summed
// loss and adds their X̃ᵀR to g (p × width). With it, a Hessian-vector product: `theta` holds the
// direction V, and X̃_tᵀ·(curvature_rows of X̃_t·V) is added to g; returns 0. `theta` is p × width
// (width = 1 binary, else the classes padded to a multiple of 4); `z` holds objective_tile × width.
static inline __attribute__((always_inline)) double objective_rows(
    const double *x, long p, long first, long last, const double *theta, long k, long width, const long *labels,
    const double *curvature, const _Bool *excluded, double *z, double *g) {
  double total = 0;
  for (long start = first; start < last; start += objective_tile) {
    long rows = last - start < objective_tile ? last - start : objective_tile;
    const double *xt = x + start * p;
    const _Bool *flags = excluded ? excluded + start : 0;
    if (width == 1) {
      binary_logits(xt, p, rows, theta, z);
      if (curvature) {
        curvature_rows(z, rows, 1, 1, curvature + start, flags);
      } else {
        total += logistic_rows(z, rows, labels + start, flags);
      }
      binary_gradient(xt, p, rows, z, g);
      continue;
    }
    for (long c0 = 0; c0 < width; c0 += widest_chunk) {
      long w = width - c0 < widest_chunk ? width - c0 : widest_chunk;
#define LOGITS(W) chunk_logits(xt, p, rows, theta + c0, width, W, z + c0, width)
      WITH_CONSTANT_WIDTH(w, LOGITS)
#undef LOGITS
    }
    if (curvature) {
      curvature_rows(z, rows, k, width, curvature + start * k, flags);
    } else {
      total += softmax_rows(z, rows, k, width, labels + start, flags);
    }
    for (long c0 = 0; c0 < width; c0 += widest_chunk) {
      long w = width - c0 < widest_chunk ? width - c0 : widest_chunk;
#define GRADIENT(W) chunk_gradient(xt, p, rows, z + c0, width, W, g + c0, width)
      WITH_CONSTANT_WIDTH(w, GRADIENT)
#undef GRADIENT
    }
  }
  return total;
}

typedef double (*objective_rows_kernel)(
    const double *x, long p, long first, long last, const double *theta, long k, long width, const long *labels,
    const double *curvature, const _Bool *excluded, double *z, double *g);

static double objective_rows_baseline(
    const double *x, long p, long first, long last, const double *theta, long k, long width, const long *labels,
    const double *curvature, const _Bool *excluded, double *z, double *g) {
  return objective_rows(x, p, first, last, theta, k, width, labels, curvature, excluded, z, g);
}

// One thread's rows, scratch and result.
struct objective_share {
  objective_rows_kernel kernel;
  const double *x, *theta;
  long p, first, last, k, width;
  const long *labels;
  const double *curvature;
  const _Bool *excluded;
  double *z, *g, loss;
};

static void *run_objective_share(void *argument) {
  struct objective_share *s = argument;
  s->loss = s->kernel(
      s->x, s->p, s->first, s->last, s->theta, s->k, s->width, s->labels, s->curvature, s->excluded, s->z, s->g);
  return 0;
}

// Threads pay for their start (tens of µs) from about this many multiply-adds per pass.
enum { threaded_work = 1 << 21, most_objective_threads = unlearn_most_shares };

// Pads Θ to `width` columns, splits the rows over the threads (each with its own gradient), sums
// their losses and gradients in thread order, and writes the p × k gradient. With `curvature`, the
// same pass gives a Hessian-vector product (see objective_rows).
static double run_objective(
    objective_rows_kernel kernel, const double *x, long n, long p, const double *theta, long k, const long *labels,
    const double *curvature, const _Bool *excluded, double *gradient, long threads) {
  long width = k == 1 ? 1 : (k + 3) / 4 * 4;
  if (threads > most_objective_threads) threads = most_objective_threads;
  if (threads > 1 && n * p * width < threaded_work * threads / 2) threads = 1;
  if (threads > n / objective_tile) threads = n / objective_tile > 1 ? n / objective_tile : 1;
  if (threads < 1) threads = 1;
  size_t scratch = (size_t)(objective_tile * width + p * width);
  double *memory = calloc((size_t)(p * width) + (size_t)threads * scratch, sizeof(double));
  if (!memory) abort();  // as Swift does when an allocation fails
  double *padded = memory;
  for (long j = 0; j < p; j++) memcpy(padded + j * width, theta + j * k, (size_t)k * sizeof(double));
  struct objective_share shares[most_objective_threads];
  for (long t = 0; t < threads; t++) {
    double *own = memory + p * width + t * scratch;
    shares[t] = (struct objective_share){
        kernel, x, padded, p, n * t / threads, n * (t + 1) / threads, k, width, labels, curvature, excluded,
        own, own + objective_tile * width, 0};
  }
  unlearn_fan_out(run_objective_share, shares, sizeof(struct objective_share), threads);
  double loss = shares[0].loss;
  const double *g = shares[0].g;
  for (long t = 1; t < threads; t++) {
    loss += shares[t].loss;
    for (long i = 0; i < p * width; i++) shares[0].g[i] += shares[t].g[i];
  }
  for (long j = 0; j < p; j++) memcpy(gradient + j * k, g + j * width, (size_t)k * sizeof(double));
  free(memory);
  return loss;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma"))) static double objective_rows_avx2(
    const double *x, long p, long first, long last, const double *theta, long k, long width, const long *labels,
    const double *curvature, const _Bool *excluded, double *z, double *g) {
  return objective_rows(x, p, first, last, theta, k, width, labels, curvature, excluded, z, g);
}

__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx512cd"))) static double objective_rows_avx512(
    const double *x, long p, long first, long last, const double *theta, long k, long width, const long *labels,
    const double *curvature, const _Bool *excluded, double *z, double *g) {
  return objective_rows(x, p, first, last, theta, k, width, labels, curvature, excluded, z, g);
}

__attribute__((target("avx2,fma"))) static double logistic_rows_avx2(
    double *z, long n, const long *labels, const _Bool *excluded) {
  return logistic_rows(z, n, labels, excluded);
}

__attribute__((target("avx2,fma"))) static double softmax_rows_avx2(
    double *z, long n, long k, const long *labels, const _Bool *excluded) {
  return softmax_rows(z, n, k, k, labels, excluded);
}
#endif

double unlearn_logistic_rows_baseline(double *z, long n, const long *labels, const _Bool *excluded) {
  return logistic_rows(z, n, labels, excluded);
}

double unlearn_softmax_rows_baseline(double *z, long n, long k, const long *labels, const _Bool *excluded) {
  return softmax_rows(z, n, k, k, labels, excluded);
}

double unlearn_logistic_rows(double *z, long n, const long *labels, const _Bool *excluded) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (unlearn_cpu_has_avx2_fma()) return logistic_rows_avx2(z, n, labels, excluded);
#endif
  return logistic_rows(z, n, labels, excluded);
}

double unlearn_softmax_rows(double *z, long n, long k, const long *labels, const _Bool *excluded) {
  if (k < 1) return 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (unlearn_cpu_has_avx2_fma()) return softmax_rows_avx2(z, n, k, labels, excluded);
#endif
  return softmax_rows(z, n, k, k, labels, excluded);
}

// The widest instruction set this CPU runs.
static objective_rows_kernel fastest_objective_rows(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (unlearn_cpu_has_avx512()) return objective_rows_avx512;
  if (unlearn_cpu_has_avx2_fma()) return objective_rows_avx2;
#endif
  return objective_rows_baseline;
}

double unlearn_logistic_objective(
    const double *design, long n, long p, const double *theta, long k, const long *labels, const _Bool *excluded,
    double *gradient, long threads) {
  return run_objective(fastest_objective_rows(), design, n, p, theta, k, labels, 0, excluded, gradient, threads);
}

double unlearn_logistic_objective_baseline(
    const double *design, long n, long p, const double *theta, long k, const long *labels, const _Bool *excluded,
    double *gradient, long threads) {
  return run_objective(objective_rows_baseline, design, n, p, theta, k, labels, 0, excluded, gradient, threads);
}

void unlearn_logistic_hessian_product(
    const double *design, long n, long p, const double *curvature, long k, const double *direction,
    const _Bool *excluded, double *product, long threads) {
  run_objective(fastest_objective_rows(), design, n, p, direction, k, 0, curvature, excluded, product, threads);
}

void unlearn_logistic_hessian_product_baseline(
    const double *design, long n, long p, const double *curvature, long k, const double *direction,
    const _Bool *excluded, double *product, long threads) {
  run_objective(objective_rows_baseline, design, n, p, direction, k, 0, curvature, excluded, product, threads);
}

void unlearn_exp(double *x, long count) {
  for (long i = 0; i < count; i++) x[i] = fast_exp(x[i]);
}
