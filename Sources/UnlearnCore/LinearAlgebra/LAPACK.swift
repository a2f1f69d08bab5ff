import CUnlearnBLAS

/// The one door to LAPACKE for `Matrix`.
///
/// Symmetric routines (`potrf`, `syevd`) are called in column-major mode on our row-major storage:
/// for a symmetric A both layouts hold the same numbers, and LAPACKE's row-major mode would copy and
/// transpose the whole matrix first (490 MB for a 7,850-parameter softmax Hessian). "Lower" in the
/// column-major view is "upper" in ours. Failures LAPACK reports through `info` are thrown as
/// `LinearAlgebraError`; shape mismatches trap.
public enum LAPACK {
  /// Cholesky factorization A = Uᵀ·U of a symmetric positive definite matrix (`dpotrf`). O(n³/3).
  ///
  /// Only the upper triangle of `a` is read. Throws `notPositiveDefinite` if a leading minor is not
  /// positive, `nonFinite` if the upper triangle holds NaN or ±∞. `a` is consumed: a matrix passed
  /// as a temporary (a Hessian just built) is factored in its own memory rather than copied.
  public static func cholesky(_ a: consuming Matrix) throws -> CholeskyFactorization {
    precondition(a.isSquare, "cholesky: the matrix must be square, got \(a.rows)×\(a.columns)")
    let n = a.rows
    try checkUpperTriangleFinite(a, routine: "dpotrf")
    var factor = a
    guard n > 0 else { return CholeskyFactorization(upper: factor) }
    let info = factor.withUnsafeMutableBufferPointer { buffer in
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), buffer.baseAddress, Int32(n))
    }
    if info > 0 { throw LinearAlgebraError.notPositiveDefinite(routine: "dpotrf", info: Int(info)) }
    precondition(info == 0, "dpotrf: illegal argument \(-info)")
    // Zero the strict lower triangle LAPACK left untouched, so `upper` is exactly U.
    factor.withUnsafeMutableBufferPointer { buffer in
      for i in 0..<n {
        for j in 0..<i { buffer[i * n + j] = 0 }
      }
    }
    return CholeskyFactorization(upper: factor)
  }

  /// Solves the general square system A·X = B by LU with partial pivoting (`dgesv`). O(n³).
  ///
  /// Throws `singular` when a pivot is exactly zero and `nonFinite` for NaN/±∞ input.
  public static func solve(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    precondition(a.isSquare, "solve: A must be square, got \(a.rows)×\(a.columns)")
    precondition(b.rows == a.rows, "solve: A is \(a.rows)×\(a.columns) but B has \(b.rows) rows")
    if let index = a.elements.firstIndex(where: { !$0.isFinite }) {
      throw LinearAlgebraError.nonFinite(routine: "dgesv", info: index)
    }
    let n = a.rows
    guard n > 0, b.columns > 0 else { return b }
    var lu = a
    var x = b
    var pivots = [Int32](repeating: 0, count: n)
    let info = lu.withUnsafeMutableBufferPointer { luBuffer in
      x.withUnsafeMutableBufferPointer { xBuffer in
        LAPACKE_dgesv(
          LAPACK_ROW_MAJOR, Int32(n), Int32(b.columns), luBuffer.baseAddress, Int32(n),
          &pivots, xBuffer.baseAddress, Int32(b.columns))
      }
    }
    if info > 0 { throw LinearAlgebraError.singular(routine: "dgesv", info: Int(info)) }
    precondition(info == 0, "dgesv: illegal argument \(-info)")
    return x
  }

  /// Solves A·x = b for one right-hand side by LU (`dgesv`).
  public static func solve(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    try solve(a, Matrix(rows: b.count, columns: 1, elements: b)).elements
  }

  /// Eigen-decomposition A = V·diag(λ)·Vᵀ of a symmetric matrix (`dsyevd`, divide and conquer). O(n³).
  ///
  /// Only the upper triangle of `a` is read. Eigenvalues come in ascending order; column j of
  /// `vectors` is the unit eigenvector of `values[j]` (its sign is LAPACK's choice).
  public static func symmetricEigen(_ a: Matrix) throws -> SymmetricEigendecomposition {
    precondition(a.isSquare, "symmetricEigen: the matrix must be square, got \(a.rows)×\(a.columns)")
    let n = a.rows
    try checkUpperTriangleFinite(a, routine: "dsyevd")
    guard n > 0 else { return SymmetricEigendecomposition(values: [], vectors: a) }
    var vectors = a
    var values = [Double](repeating: 0, count: n)
    let info = vectors.withUnsafeMutableBufferPointer { buffer in
      LAPACKE_dsyevd(
        LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n),
        buffer.baseAddress, Int32(n), &values)
    }
    if info > 0 { throw LinearAlgebraError.noConvergence(routine: "dsyevd", info: Int(info)) }
    precondition(info == 0, "dsyevd: illegal argument \(-info)")
    // Column-major output: eigenvector j is contiguous, i.e. row j of our storage. Make it column j.
    vectors.transpose()
    return SymmetricEigendecomposition(values: values, vectors: vectors)
  }

  private static func checkUpperTriangleFinite(_ a: Matrix, routine: String) throws {
    let n = a.rows
    try a.withUnsafeBufferPointer { buffer in
      for i in 0..<n {
        for j in i..<n where !buffer[i * n + j].isFinite {
          throw LinearAlgebraError.nonFinite(routine: routine, info: i * n + j)
        }
      }
    }
  }
}
