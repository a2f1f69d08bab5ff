#ifndef CUNLEARN_KERNELS_H
#define CUNLEARN_KERNELS_H

// Hand-vectorized kernels that Swift cannot compile for AVX2 without building the whole package
// for it: each is compiled twice (AVX2 + FMA, and the baseline ISA) and picks one at run time.
// Also the CPU feature query those choices rest on.

/// One pass over the upper triangle of a symmetric n × n row-major `a` (n = classes · features,
/// class-major) giving h = a·b and, for each of the `count` vectors x_i (rows of `vectors`, each
/// `features` long), y[(i·classes + k)·n ..< +n] = a·(e_k ⊗ x_i). See `BlockSymmetricProduct`.
/// With `threads` > 1 and n ≥ 2048, the triangle is read by that many threads (at most 8), each
/// over an equal share of it; the results then differ from one thread's in the last bits.
void unlearn_block_symmetric_product(
    const double *a, long classes, long features, const double *b, const double *vectors, long count, double *h,
    double *y, long threads);

/// The same product compiled for the baseline instruction set only, whatever the machine has: for
/// tests of the path a machine without AVX2 takes.
void unlearn_block_symmetric_product_baseline(
    const double *a, long classes, long features, const double *b, const double *vectors, long count, double *h,
    double *y, long threads);

/// Binary logistic loss over n margins' logits z (one per row): returns Σ_i log(1 + e^(−y_i z_i)),
/// y_i = +1 where labels[i] == 1 and −1 otherwise, and overwrites z_i with the residual
/// −y_i σ(−y_i z_i). Rows with excluded[i] set (excluded may be NULL) give 0 and add no loss.
/// See `StableFunctions.logisticRows`.
double unlearn_logistic_rows(double *z, long n, const long *labels, const _Bool *excluded);

/// Row-wise softmax of the n × k row-major z, in place. With labels (may be NULL), also subtracts
/// 1 at each row's label and returns the summed cross-entropy; without, returns 0. Rows with
/// excluded[i] set become 0 and add no loss. See `StableFunctions.softmaxRows`.
double unlearn_softmax_rows(double *z, long n, long k, const long *labels, const _Bool *excluded);

/// The two above compiled for the baseline instruction set only: for tests of the path a machine
/// without AVX2 takes.
double unlearn_logistic_rows_baseline(double *z, long n, const long *labels, const _Bool *excluded);
double unlearn_softmax_rows_baseline(double *z, long n, long k, const long *labels, const _Bool *excluded);

/// The data part of the logistic objective in one pass over the rows of the n × p row-major design
/// X̃: returns Σ_i ℓ_i and writes gradient (p × k, row-major) = X̃ᵀR, where Z = X̃Θ for the p × k
/// row-major theta and R are the residuals of `unlearn_logistic_rows` (k = 1, binary) or
/// `unlearn_softmax_rows` (k ≥ 2, labels in 0..<k). Rows with excluded[i] set (excluded may be
/// NULL) add nothing. Rows are read in tiles that stay in cache from the logits to the gradient,
/// with AVX-512 or AVX2 + FMA where the CPU has them. With `threads` > 1 and enough work (about
/// 2²⁰ multiply-adds per thread), the rows are shared among that many threads (at most 8); the
/// sums then differ from one thread's in the last bits.
double unlearn_logistic_objective(
    const double *design, long n, long p, const double *theta, long k, const long *labels, const _Bool *excluded,
    double *gradient, long threads);

/// The same pass compiled for the baseline instruction set only: for tests of the path a machine
/// without AVX2 takes.
double unlearn_logistic_objective_baseline(
    const double *design, long n, long p, const double *theta, long k, const long *labels, const _Bool *excluded,
    double *gradient, long threads);

/// H·v for the logistic data Hessian in one pass over the rows of the n × p row-major design X̃:
/// product (p × k, row-major) = X̃ᵀ·C(X̃V) with V the p × k row-major direction and C applied row by
/// row from `curvature` (n × k): binary (k = 1), a_i ↦ w_i·a_i with w_i = σ_i(1 − σ_i); softmax
/// (k ≥ 2, the rows of P), a_i ↦ P_i ⊙ (a_i − P_iᵀa_i). Rows with excluded[i] set (excluded may be
/// NULL) add nothing. Tiles and threads as in `unlearn_logistic_objective`.
void unlearn_logistic_hessian_product(
    const double *design, long n, long p, const double *curvature, long k, const double *direction,
    const _Bool *excluded, double *product, long threads);
/// The same product compiled for the baseline instruction set only.
void unlearn_logistic_hessian_product_baseline(
    const double *design, long n, long p, const double *curvature, long k, const double *direction,
    const _Bool *excluded, double *product, long threads);
/// e^x for each of the `count` entries, in place (x clamped to [−708, 709]): the exponential the
/// two kernels above use, exposed for its accuracy test.
void unlearn_exp(double *x, long count);

/// The OpenBLAS core (an `OPENBLAS_CORETYPE` value) whose kernels this CPU can run, from its
/// features rather than its model number: "SkylakeX" with AVX-512 F, CD, BW, DQ and VL (and the OS
/// saving their registers), "Haswell" with AVX2 and FMA, NULL otherwise or off x86-64.
const char *unlearn_openblas_core_for_cpu(void);

#endif
