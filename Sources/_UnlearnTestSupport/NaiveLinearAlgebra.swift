import UnlearnCore

/// Textbook pure-Swift versions of every routine `BLAS` and `LAPACK` wrap: slow, obviously right,
/// and the reference the wrappers are cross-checked against (tests) and timed against (benchmarks).
public enum NaiveLinearAlgebra {
  /// op(A)·op(B) by the triple loop, i-j-k order, one scalar accumulator per entry.
  public static func product(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
  ) -> Matrix {
    let opA = transposeA ? a.transposed() : a
    let opB = transposeB ? b.transposed() : b
    precondition(opA.columns == opB.rows, "naive product: \(opA.rows)×\(opA.columns) · \(opB.rows)×\(opB.columns)")
    var c = Matrix(rows: opA.rows, columns: opB.columns)
    for i in 0..<opA.rows {
      for j in 0..<opB.columns {
        var sum = 0.0
        for k in 0..<opA.columns { sum += opA[i, k] * opB[k, j] }
        c[i, j] = sum
      }
    }
    return c
  }

  /// op(A)·x.
  public static func product(_ a: Matrix, _ x: [Double], transpose: Bool = false) -> [Double] {
    product(a, Matrix(rows: x.count, columns: 1, elements: x), transposeA: transpose).elements
  }

  /// Σ xᵢyᵢ.
  public static func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count)
    return zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// √(Σ xᵢ²).
  public static func norm(_ x: [Double]) -> Double {
    dot(x, x).squareRoot()
  }

  /// Cholesky–Banachiewicz: the upper factor U with A = Uᵀ·U, or nil if A is not positive definite.
  public static func choleskyUpper(_ a: Matrix) -> Matrix? {
    let n = a.rows
    var u = Matrix(rows: n, columns: n)
    for i in 0..<n {
      var diagonal = a[i, i]
      for k in 0..<i { diagonal -= u[k, i] * u[k, i] }
      guard diagonal > 0 else { return nil }
      u[i, i] = diagonal.squareRoot()
      for j in (i + 1)..<n {
        var sum = a[i, j]
        for k in 0..<i { sum -= u[k, i] * u[k, j] }
        u[i, j] = sum / u[i, i]
      }
    }
    return u
  }

  /// Gaussian elimination with partial pivoting on [A | B]; nil if a pivot is exactly zero.
  public static func solve(_ a: Matrix, _ b: Matrix) -> Matrix? {
    let n = a.rows
    var lhs = a
    var rhs = b
    for column in 0..<n {
      var pivot = column
      for row in column..<n where abs(lhs[row, column]) > abs(lhs[pivot, column]) { pivot = row }
      guard lhs[pivot, column] != 0 else { return nil }
      if pivot != column {
        for j in 0..<n { (lhs[pivot, j], lhs[column, j]) = (lhs[column, j], lhs[pivot, j]) }
        for j in 0..<rhs.columns { (rhs[pivot, j], rhs[column, j]) = (rhs[column, j], rhs[pivot, j]) }
      }
      for row in (column + 1)..<n {
        let factor = lhs[row, column] / lhs[column, column]
        for j in column..<n { lhs[row, j] -= factor * lhs[column, j] }
        for j in 0..<rhs.columns { rhs[row, j] -= factor * rhs[column, j] }
      }
    }
    var x = Matrix(rows: n, columns: rhs.columns)
    for j in 0..<rhs.columns {
      for row in stride(from: n - 1, through: 0, by: -1) {
        var sum = rhs[row, j]
        for k in (row + 1)..<n { sum -= lhs[row, k] * x[k, j] }
        x[row, j] = sum / lhs[row, row]
      }
    }
    return x
  }

  /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix by the cyclic Jacobi
  /// method: rotate away off-diagonal entries until they are below 1e-15 of the Frobenius norm.
  public static func symmetricEigen(_ a: Matrix) -> (values: [Double], vectors: Matrix) {
    let n = a.rows
    var d = a
    var v = Matrix.identity(n)
    let tolerance = 1e-15 * max(a.frobeniusNorm, .leastNormalMagnitude)
    for _ in 0..<100 {
      var offDiagonal = 0.0
      for i in 0..<n { for j in 0..<n where i != j { offDiagonal += d[i, j] * d[i, j] } }
      if offDiagonal.squareRoot() < tolerance { break }
      for p in 0..<n {
        for q in (p + 1)..<n where d[p, q] != 0 {
          let theta = (d[q, q] - d[p, p]) / (2 * d[p, q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {
            let dkp = d[k, p]
            let dkq = d[k, q]
            d[k, p] = c * dkp - s * dkq
            d[k, q] = s * dkp + c * dkq
          }
          for k in 0..<n {
            let dpk = d[p, k]
            let dqk = d[q, k]
            d[p, k] = c * dpk - s * dqk
            d[q, k] = s * dpk + c * dqk
          }
          for k in 0..<n {
            let vkp = v[k, p]
            let vkq = v[k, q]
            v[k, p] = c * vkp - s * vkq
            v[k, q] = s * vkp + c * vkq
          }
        }
      }
    }
    let order = (0..<n).sorted { d[$0, $0] < d[$1, $1] }
    let values = order.map { d[$0, $0] }
    var vectors = Matrix(rows: n, columns: n)
    for (target, source) in order.enumerated() {
      for k in 0..<n { vectors[k, target] = v[k, source] }
    }
    return (values, vectors)
  }
}
