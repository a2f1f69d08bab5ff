#include "CUnlearnKernels.h"
#include "CPUFeatures.h"

#include <stdint.h>
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

static inline __attribute__((always_inline)) double softmax_rows(
    double *z, long n, long k, const long *labels, const _Bool *excluded) {
  double total = 0;
  double sums[tile_rows], logs[tile_rows];
  for (long start = 0; start < n; start += tile_rows) {
    long count = n - start < tile_rows ? n - start : tile_rows;
    double *zs = z + start * k;
    // z − max per row, then e^(z − max) over the whole tile, then the row sums.
    for (long i = 0; i < count; i++) {
      double *row = zs + i * k;
      double maximum = row[0];
      for (long c = 1; c < k; c++) maximum = row[c] > maximum ? row[c] : maximum;
      for (long c = 0; c < k; c++) row[c] -= maximum;
    }
    if (labels) {
      for (long i = 0; i < count; i++) logs[i] = -zs[i * k + labels[start + i]];
    }
    for (long c = 0; c < count * k; c++) zs[c] = fast_exp(zs[c]);
    for (long i = 0; i < count; i++) {
      const double *row = zs + i * k;
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
      double *row = zs + i * k;
      for (long c = 0; c < k; c++) row[c] *= sums[i];
    }
    if (labels) {
      for (long i = 0; i < count; i++) zs[i * k + labels[start + i]] -= 1;
    }
    if (excluded) {
      for (long i = 0; i < count; i++) {
        if (!excluded[start + i]) continue;
        logs[i] = 0;
        for (long c = 0; c < k; c++) zs[i * k + c] = 0;
      }
    }
    if (labels) {
      for (long i = 0; i < count; i++) total += logs[i];
    }
  }
  return total;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma"))) static double logistic_rows_avx2(
    double *z, long n, const long *labels, const _Bool *excluded) {
  return logistic_rows(z, n, labels, excluded);
}

__attribute__((target("avx2,fma"))) static double softmax_rows_avx2(
    double *z, long n, long k, const long *labels, const _Bool *excluded) {
  return softmax_rows(z, n, k, labels, excluded);
}
#endif

double unlearn_logistic_rows_baseline(double *z, long n, const long *labels, const _Bool *excluded) {
  return logistic_rows(z, n, labels, excluded);
}

double unlearn_softmax_rows_baseline(double *z, long n, long k, const long *labels, const _Bool *excluded) {
  return softmax_rows(z, n, k, labels, excluded);
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
  return softmax_rows(z, n, k, labels, excluded);
}

void unlearn_exp(double *x, long count) {
  for (long i = 0; i < count; i++) x[i] = fast_exp(x[i]);
}
