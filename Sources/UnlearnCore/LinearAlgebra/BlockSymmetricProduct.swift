import CUnlearnKernels

/// One pass over the upper triangle of a symmetric A (n = K·p, class-major: index κ·p + j) that
/// gives both
///
///     h = A·b   and   Y_iκ = A·(e_κ ⊗ x_i)   for every vector x_i ∈ Rᵖ and class κ < K,
///
/// the products a Kronecker-structured downdate and its solve need from A⁻¹ (see
/// `DowndatedCholesky`). Reading one triangle once is what a symmetric product costs (`dsymv`); with
/// the s·K extra columns done in the same pass, a softmax sample costs one read of A where a product
/// with a triangular factor and its transpose would read R⁻¹ twice.
///
/// Row r = κ·p + j of the triangle contributes twice: along the row (c ≥ r), A[r, c] scaled by
/// b[r] into h and by x_i[j] into Y_iκ; and down the column (c > r, by symmetry the entries of
/// column r), Σ_c A[r, c]·b[c] into h[r] and Σ_c A[r, c]·x_i[c − κ'·p] over class block κ' into
/// Y_iκ'[r]. Four rows of one class block go together (the same κ, so one target per vector along
/// the row), and each segment of them is read from memory once and from cache for every target.
///
/// The loop is C (`CUnlearnKernels`): it is compute-bound in Swift's baseline x86-64 build (SSE2,
/// registers spilled, about twice `dsymv`'s time), and C can compile it a second time for AVX2 +
/// FMA and choose at run time, which Swift cannot do for one function. One pass replaces the two
/// passes over R⁻¹ a solve would otherwise take (`unlearn-benchmarks newton` measures a deletion).
///
/// Threads: the pass is memory-bound, and one core does not saturate the memory system (`dsymv`
/// reads about twice as fast with two threads as with one). So with
/// `threads` > 1 (and n ≥ 2,048) each thread reads an equal share of the triangle into buffers of
/// its own, summed at the end; `DowndatedCholesky` passes OpenBLAS's thread count, so
/// `OPENBLAS_NUM_THREADS` governs this pass as it does the BLAS calls around it.
enum BlockSymmetricProduct {
  /// `a`: n × n row-major, only the upper triangle read. `b`: n. `vectors`: s × p row-major.
  /// `h`: n, `y`: s·K·n (block (i·K + κ) is Y_iκ), both overwritten.
  static func apply(
    upper a: UnsafePointer<Double>, classes k: Int, features p: Int, b: UnsafePointer<Double>,
    vectors: UnsafePointer<Double>, count s: Int, h: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
    threads: Int = 1
  ) {
    unlearn_block_symmetric_product(a, k, p, b, vectors, s, h, y, threads)
  }
}
