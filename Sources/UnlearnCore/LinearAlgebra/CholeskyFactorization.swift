import CUnlearnBLAS
import RealModule

/// The Cholesky factor of a symmetric positive definite matrix, A = Uᵀ·U, ready to solve with.
///
/// Made by `LAPACK.cholesky(_:)`. `upper` holds U (row-major, strict lower triangle zero).
/// Solving costs two triangular solves, O(n²) per right-hand side (`dpotrs`).
public struct CholeskyFactorization: Sendable, Codable, Equatable {
  /// The upper-triangular factor U with A = Uᵀ·U.
  public private(set) var upper: Matrix

  init(upper: Matrix) {
    self.upper = upper
  }

  /// A factorization from a stored factor: `upper` must be square, upper triangular (zero below
  /// the diagonal) with a positive, finite diagonal; anything else is `notPositiveDefinite` or
  /// `nonFinite`.
  public init(validatingUpper upper: Matrix) throws {
    precondition(upper.isSquare, "a Cholesky factor must be square, got \(upper.rows)×\(upper.columns)")
    for i in 0..<upper.rows {
      for j in 0..<upper.columns {
        let value = upper[i, j]
        guard value.isFinite else { throw LinearAlgebraError.nonFinite(routine: "Cholesky factor", info: i) }
        if j < i && value != 0 || j == i && !(value > 0) {
          throw LinearAlgebraError.notPositiveDefinite(routine: "Cholesky factor", info: i + 1)
        }
      }
    }
    self.upper = upper
  }

  /// The factor of A − x·xᵀ (see `downdate(by:)`), as a new value.
  public func downdated(by x: [Double]) throws -> CholeskyFactorization {
    var factor = self
    try factor.downdate(by: x)
    return factor
  }

  /// Becomes the factor of A − x·xᵀ, in place, by the LINPACK rank-one downdate (`dchdd`; Golub &
  /// Van Loan, "Matrix Computations", §6.5.4): solve Uᵀa = x, then n Givens rotations, each applied
  /// to one row of U (a contiguous `drot`). One pass over the factor, O(n²), and no copy of it (a
  /// run of downdates on a large factor would otherwise spend its time allocating). Throws
  /// `notPositiveDefinite`, unchanged, when A − xxᵀ is not positive definite (‖a‖ ≥ 1).
  public mutating func downdate(by x: [Double]) throws {
    let n = dimension
    precondition(x.count == n, "downdate: the factor is \(n)×\(n) but x has \(x.count) entries")
    let a = solveTransposed(x)
    let remainder = 1 - a.reduce(0) { $0 + $1 * $1 }
    guard remainder > 0 else { throw LinearAlgebraError.notPositiveDefinite(routine: "dchdd", info: n) }
    var alpha = remainder.squareRoot()
    var cosines = [Double](repeating: 1, count: n)
    var sines = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
      let scale = alpha + abs(a[i])
      let (p, q) = (alpha / scale, a[i] / scale)
      let norm = (p * p + q * q).squareRoot()
      cosines[i] = p / norm
      sines[i] = q / norm
      alpha = scale * norm
    }
    var carried = [Double](repeating: 0, count: n)
    upper.withUnsafeMutableBufferPointer { r in
      carried.withUnsafeMutableBufferPointer { xx in
        for i in stride(from: n - 1, through: 0, by: -1) {
          // (xx, R[i, i...]) ← (c·xx + s·R, c·R − s·xx)
          cblas_drot(Int32(n - i), xx.baseAddress! + i, 1, r.baseAddress! + i * n + i, 1, cosines[i], sines[i])
        }
      }
    }
    for i in 0..<n where upper[i, i] < 0 {
      // Rotations can leave a negative diagonal; flip the row so the factor stays canonical.
      for j in i..<n { upper[i, j] = -upper[i, j] }
    }
  }

  /// The order n of A.
  public var dimension: Int { upper.rows }

  /// Solves A·X = B for every column of B (`dpotrs`). O(n²·columns).
  public func solve(_ b: Matrix) -> Matrix {
    precondition(b.rows == dimension, "Cholesky solve: A is \(dimension)×\(dimension) but B has \(b.rows) rows")
    guard dimension > 0, b.columns > 0 else { return b }
    // dpotrs runs column-major on the factor (see `LAPACK`); B is transposed into column-major
    // and back, which costs O(n·columns), not the O(n²) copy of the factor row-major mode makes.
    var columnMajor = b.transposed()
    let n = Int32(dimension)
    let info = upper.withUnsafeBufferPointer { factor in
      columnMajor.withUnsafeMutableBufferPointer { rhs in
        LAPACKE_dpotrs(
          LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), n, Int32(b.columns),
          factor.baseAddress, n, rhs.baseAddress, n)
      }
    }
    precondition(info == 0, "dpotrs: illegal argument \(-info)")
    return columnMajor.transposed()
  }

  /// Solves A·x = b (`dpotrs` with one right-hand side). O(n²).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == dimension, "Cholesky solve: A is \(dimension)×\(dimension) but b has \(b.count) entries")
    return solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
  }

  /// Solves Uᵀ·X = B (blocked forward substitution with the transposed factor): with A = UᵀU,
  /// A⁻¹ = U⁻¹·U⁻ᵀ, so `solveUpper(solveTransposed(B))` = A⁻¹B. Reads the factor once for all
  /// columns of B, O(n²·columns).
  public func solveTransposed(_ b: Matrix) -> Matrix {
    triangularSolve(b, transposed: true)
  }

  /// Solves U·X = B (blocked back substitution). O(n²·columns).
  public func solveUpper(_ b: Matrix) -> Matrix {
    triangularSolve(b, transposed: false)
  }

  /// Solves Uᵀ·x = b for one vector (`dtrsv`: one streaming pass over the factor, no packing).
  public func solveTransposed(_ b: [Double]) -> [Double] {
    triangularSolve(b, transposed: true)
  }

  /// Solves U·x = b for one vector (`dtrsv`).
  public func solveUpper(_ b: [Double]) -> [Double] {
    triangularSolve(b, transposed: false)
  }

  private func triangularSolve(_ b: [Double], transposed: Bool) -> [Double] {
    precondition(b.count == dimension, "triangular solve: U is \(dimension)×\(dimension) but b has \(b.count) entries")
    var x = b
    guard dimension > 0 else { return x }
    upper.withUnsafeBufferPointer { factor in
      cblas_dtrsv(
        CblasRowMajor, CblasUpper, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit, Int32(dimension),
        factor.baseAddress, Int32(dimension), &x, 1)
    }
    return x
  }

  /// Rows of U per block of the blocked substitution below: the diagonal block and the
  /// right-hand sides' block stay in L1/L2 while the off-diagonal panel streams past.
  static let substitutionBlock = 64

  /// Several right-hand sides, by blocked substitution that reads the factor once. OpenBLAS's
  /// `dtrsm` packs the whole factor into panels on every call, which dominates for a handful of
  /// right-hand sides (`unlearn-benchmarks solve` measures both, and `dtrsv`, in one run). With
  /// about ten columns both are bound by OpenBLAS's `dgemm` on a thin operand, not by reading the
  /// factor.
  /// Here U is cut into blocks of `substitutionBlock` rows; each block is solved with a small
  /// `dtrsm` and removed from the other right-hand-side rows with one `dgemm` against its panel
  /// (Golub & Van Loan, "Matrix Computations", §3.1.4, the block form of forward substitution):
  ///
  ///     forward (Uᵀ·X = B):  X₁ = U₁₁⁻ᵀB₁,  B₂ ← B₂ − U₁₂ᵀX₁, then the same on B₂;
  ///     back    (U·X = B):   X₂ = U₂₂⁻¹B₂,  B₁ ← B₁ − U₁₂X₂, then the same on B₁.
  ///
  /// Every panel U₁₂ is a run of contiguous row segments, read once: the solve streams the upper
  /// triangle once for all columns. One column goes through `dtrsv`.
  private func triangularSolve(_ b: Matrix, transposed: Bool) -> Matrix {
    precondition(b.rows == dimension, "triangular solve: U is \(dimension)×\(dimension) but B has \(b.rows) rows")
    if b.columns == 1 {
      return Matrix(rows: b.rows, columns: 1, elements: triangularSolve(b.elements, transposed: transposed))
    }
    var x = b
    let n = dimension
    let m = b.columns
    guard n > 0, m > 0 else { return x }
    let blockStarts = Array(stride(from: 0, to: n, by: Self.substitutionBlock))
    upper.withUnsafeBufferPointer { factor in
      x.withUnsafeMutableBufferPointer { rhs in
        let u = factor.baseAddress!
        let x = rhs.baseAddress!
        for start in transposed ? blockStarts : blockStarts.reversed() {
          let end = min(start + Self.substitutionBlock, n)
          let size = end - start
          let diagonal = u + start * n + start
          let panel = u + start * n + end  // U[start..<end, end..<n]
          if transposed {
            cblas_dtrsm(
              CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, Int32(size), Int32(m), 1, diagonal,
              Int32(n), x + start * m, Int32(m))
            if end < n {
              cblas_dgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n - end), Int32(m), Int32(size), -1, panel, Int32(n),
                x + start * m, Int32(m), 1, x + end * m, Int32(m))
            }
          } else {
            if end < n {
              cblas_dgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(m), Int32(n - end), -1, panel, Int32(n),
                x + end * m, Int32(m), 1, x + start * m, Int32(m))
            }
            cblas_dtrsm(
              CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(size), Int32(m), 1, diagonal,
              Int32(n), x + start * m, Int32(m))
          }
        }
      }
    }
    return x
  }

  /// A⁻¹ = U⁻¹·U⁻ᵀ, both triangles filled (`dpotri`, in place on a copy, then the lower triangle
  /// mirrored). O(2n³/3), twice an inversion of U alone, and worth it where A⁻¹ is applied many
  /// times: A⁻¹·b is one symmetric product (`dsymv`) that reads one triangle once, where U⁻¹·U⁻ᵀ·b
  /// reads U⁻¹ twice (see `DowndatedCholesky`).
  public func inverse() -> Matrix {
    var inverse = upper
    let n = dimension
    guard n > 0 else { return inverse }
    // Column-major "lower" is our row-major upper triangle (see `LAPACK`); dpotri overwrites it
    // with that triangle of A⁻¹.
    let info = inverse.withUnsafeMutableBufferPointer { buffer in
      LAPACKE_dpotri(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), buffer.baseAddress, Int32(n))
    }
    precondition(info == 0, "dpotri: \(info < 0 ? "illegal argument \(-info)" : "zero diagonal entry \(info)")")
    inverse.withUnsafeMutableBufferPointer { a in
      for i in 0..<n {
        for j in 0..<i { a[i * n + j] = a[j * n + i] }
      }
    }
    return inverse
  }

  /// log det A = 2·Σ log U_ii.
  public var logDeterminant: Double {
    (0..<dimension).reduce(0) { $0 + 2 * Double.log(upper[$1, $1]) }
  }
}
