import CUnlearnBLAS
import RealModule

/// The Cholesky factor of a symmetric positive definite matrix, A = Uᵀ·U, ready to solve with.
///
/// Made by `LAPACK.cholesky(_:)`. `upper` holds U (row-major, strict lower triangle zero).
/// Solving costs two triangular solves, O(n²) per right-hand side (`dpotrs`).
public struct CholeskyFactorization: Sendable, Codable, Equatable {
  /// The upper-triangular factor U with A = Uᵀ·U.
  public let upper: Matrix

  init(upper: Matrix) {
    self.upper = upper
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

  /// Solves Uᵀ·X = B (forward substitution with the transposed factor, `dtrsm`): with A = UᵀU,
  /// A⁻¹ = U⁻¹·U⁻ᵀ, so `solveUpper(solveTransposed(B))` = A⁻¹B. Reads the factor once for all
  /// columns of B, O(n²·columns).
  public func solveTransposed(_ b: Matrix) -> Matrix {
    triangularSolve(b, transposed: true)
  }

  /// Solves U·X = B (back substitution, `dtrsm`). O(n²·columns).
  public func solveUpper(_ b: Matrix) -> Matrix {
    triangularSolve(b, transposed: false)
  }

  private func triangularSolve(_ b: Matrix, transposed: Bool) -> Matrix {
    precondition(b.rows == dimension, "triangular solve: U is \(dimension)×\(dimension) but B has \(b.rows) rows")
    var x = b
    guard dimension > 0, b.columns > 0 else { return x }
    upper.withUnsafeBufferPointer { factor in
      x.withUnsafeMutableBufferPointer { rhs in
        cblas_dtrsm(
          CblasRowMajor, CblasLeft, CblasUpper, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
          Int32(dimension), Int32(b.columns), 1, factor.baseAddress, Int32(dimension), rhs.baseAddress,
          Int32(b.columns))
      }
    }
    return x
  }

  /// log det A = 2·Σ log U_ii.
  public var logDeterminant: Double {
    (0..<dimension).reduce(0) { $0 + 2 * Double.log(upper[$1, $1]) }
  }
}
