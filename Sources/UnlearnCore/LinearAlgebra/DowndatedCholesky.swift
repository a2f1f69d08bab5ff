import CUnlearnBLAS

/// Solves (A − U·Uᵀ)·x = b from a fixed Cholesky factorization of A and a low-rank U that grows by
/// appending columns, through the Woodbury identity — the O(n²·rank) alternative to refactoring the
/// downdated matrix in O(n³) (Woodbury 1950; Golub & Van Loan, "Matrix Computations", §2.1.4):
///
///     (A − UUᵀ)⁻¹ = A⁻¹ + A⁻¹U·(I − UᵀA⁻¹U)⁻¹·UᵀA⁻¹.
///
/// With A = RᵀR (R upper triangular), V = R⁻ᵀU and the capacitance C = I − VᵀV = GᵀG:
///
///     (A − UUᵀ)⁻¹·b = R⁻¹·(z + V·C⁻¹·Vᵀz),   z = R⁻ᵀb.
///
/// A − UUᵀ is positive definite exactly when C is, so a downdate that would make it indefinite is
/// refused (`LinearAlgebraError.notPositiveDefinite`) and leaves the value unchanged. Appending m
/// columns costs one triangular solve with m right-hand sides against R (O(n²m)) and extends G by
/// a block Cholesky step (O(n·rank·m + rank²·m)); a solve costs two triangular solves against R
/// plus O(n·rank). V is kept (rank × n), so memory grows by n doubles per column of U.
public struct DowndatedCholesky: Sendable, Equatable {
  /// The factorization of A, never modified.
  public let base: CholeskyFactorization
  /// Vᵀ = (R⁻ᵀU)ᵀ, `rank` rows of n, row-major.
  private var projectedTransposed: [Double] = []
  /// The upper Cholesky factor G of C = I − VᵀV, rank × rank.
  private var capacitance = Matrix(rows: 0, columns: 0)

  public init(base: CholeskyFactorization) {
    self.base = base
  }

  /// The order n of A.
  public var dimension: Int { base.dimension }

  /// The Cholesky factor of A − UUᵀ itself, with U folded in by rank-one downdates (U = RᵀV,
  /// one column at a time). O(n²·rank). Afterwards nothing of U is kept: what to persist when U
  /// holds data that must not survive (the features of forgotten samples).
  public func folded() throws -> CholeskyFactorization {
    let n = dimension
    var factor = base
    for k in 0..<rank {
      var u = Array(projectedTransposed[(k * n)..<((k + 1) * n)])
      base.upper.withUnsafeBufferPointer { r in
        cblas_dtrmv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), r.baseAddress, Int32(n), &u, 1)
      }
      factor = try factor.downdated(by: u)
    }
    return factor
  }
  /// The number of columns of U so far.
  public var rank: Int { capacitance.rows }

  /// Subtracts U·Uᵀ (U is n × m) from the represented matrix.
  public mutating func downdate(by u: Matrix) throws {
    precondition(u.rows == dimension, "downdate: the matrix is \(dimension)×\(dimension) but U has \(u.rows) rows")
    try append(base.solveTransposed(u))
  }

  /// Subtracts U·Uᵀ, then solves with the downdated matrix; U and b share one triangular solve.
  public mutating func downdate(by u: Matrix, thenSolve b: [Double]) throws -> [Double] {
    precondition(u.rows == dimension && b.count == dimension, "downdate: U or b does not have \(dimension) rows")
    let m = u.columns
    var combined = Matrix(rows: dimension, columns: m + 1)
    for i in 0..<dimension {
      for j in 0..<m { combined[i, j] = u[i, j] }
      combined[i, m] = b[i]
    }
    let solved = base.solveTransposed(combined)
    var v = Matrix(rows: dimension, columns: m)
    var z = [Double](repeating: 0, count: dimension)
    for i in 0..<dimension {
      for j in 0..<m { v[i, j] = solved[i, j] }
      z[i] = solved[i, m]
    }
    try append(v)
    return finishSolve(z)
  }

  /// x with (A − UUᵀ)·x = b. O(n² + n·rank + rank²).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == dimension, "solve: the matrix is \(dimension)×\(dimension) but b has \(b.count) entries")
    return finishSolve(base.solveTransposed(b))
  }

  /// R⁻¹·(z + V·C⁻¹·Vᵀz) for z = R⁻ᵀb.
  private func finishSolve(_ z: [Double]) -> [Double] {
    var y = z
    if rank > 0 {
      let n = dimension
      var w = [Double](repeating: 0, count: rank)
      projectedTransposed.withUnsafeBufferPointer { vt in
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(rank), Int32(n), 1, vt.baseAddress, Int32(n), z, 1, 0, &w, 1)
      }
      let t = CholeskyFactorization(upper: capacitance).solve(w)
      projectedTransposed.withUnsafeBufferPointer { vt in
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rank), Int32(n), 1, vt.baseAddress, Int32(n), t, 1, 1, &y, 1)
      }
    }
    return base.solveUpper(y)
  }

  /// Appends the columns of V_new = R⁻ᵀU_new: extends G by the block step
  /// [G B; 0 G₂₂] with GᵀB = −VᵀV_new and G₂₂ᵀG₂₂ = I − V_newᵀV_new − BᵀB.
  private mutating func append(_ vNew: Matrix) throws {
    let n = dimension
    let m = vNew.columns
    let old = rank
    // Vᵀ·V_new (old × m) and V_newᵀ·V_new (m × m).
    var cross = Matrix(rows: old, columns: m)
    if old > 0 {
      projectedTransposed.withUnsafeBufferPointer { vt in
        vNew.withUnsafeBufferPointer { vn in
          cross.withUnsafeMutableBufferPointer { c in
            cblas_dgemm(
              CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(old), Int32(m), Int32(n), 1, vt.baseAddress, Int32(n),
              vn.baseAddress, Int32(m), 0, c.baseAddress, Int32(m))
          }
        }
      }
    }
    var b = Matrix(rows: old, columns: m)
    if old > 0 {
      for i in 0..<old { for j in 0..<m { cross[i, j] = -cross[i, j] } }
      b = CholeskyFactorization(upper: capacitance).solveTransposed(cross)
    }
    var schur = Matrix.identity(m)
    BLAS.gemm(vNew, vNew, transposeA: true, alpha: -1, beta: 1, into: &schur)
    if old > 0 { BLAS.gemm(b, b, transposeA: true, alpha: -1, beta: 1, into: &schur) }
    let g22 = try LAPACK.cholesky(schur).upper
    var grown = Matrix(rows: old + m, columns: old + m)
    for i in 0..<old {
      for j in i..<old { grown[i, j] = capacitance[i, j] }
      for j in 0..<m { grown[i, old + j] = b[i, j] }
    }
    for i in 0..<m { for j in i..<m { grown[old + i, old + j] = g22[i, j] } }
    let transposedNew = vNew.transposed()
    capacitance = grown
    projectedTransposed.append(contentsOf: transposedNew.elements)
  }
}
