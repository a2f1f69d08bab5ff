import UnlearnCore

/// Random test inputs drawn from an injected generator.
public enum RandomMatrices {
  /// A `rows × columns` matrix with entries uniform in [−1, 1).
  public static func uniform(
    rows: Int, columns: Int, using generator: inout some RandomNumberGenerator
  ) -> Matrix {
    Matrix(
      rows: rows, columns: columns,
      elements: (0..<(rows * columns)).map { _ in 2 * generator.nextUnitInterval() - 1 })
  }

  /// A vector with entries uniform in [−1, 1).
  public static func vector(count: Int, using generator: inout some RandomNumberGenerator) -> [Double] {
    uniform(rows: count, columns: 1, using: &generator).elements
  }

  /// A well-conditioned symmetric positive definite matrix, MᵀM + n·I.
  public static func symmetricPositiveDefinite(
    _ n: Int, using generator: inout some RandomNumberGenerator
  ) -> Matrix {
    let m = uniform(rows: n, columns: n, using: &generator)
    var a = NaiveLinearAlgebra.product(m, m, transposeA: true)
    for i in 0..<n { a[i, i] += Double(n) }
    return a
  }

  /// A random symmetric matrix (M + Mᵀ)/2.
  public static func symmetric(_ n: Int, using generator: inout some RandomNumberGenerator) -> Matrix {
    let m = uniform(rows: n, columns: n, using: &generator)
    var a = m
    for i in 0..<n { for j in 0..<n { a[i, j] = (m[i, j] + m[j, i]) / 2 } }
    return a
  }

  /// ‖A − B‖_F / ‖B‖_F (or ‖A − B‖_F when B is zero).
  public static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(
      a.rows == b.rows && a.columns == b.columns, "shapes differ: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
    let difference = zip(a.elements, b.elements).map { $0 - $1 }
    let scale = b.frobeniusNorm
    let distance = NaiveLinearAlgebra.norm(difference)
    return scale > 0 ? distance / scale : distance
  }

  /// ‖x − y‖ / ‖y‖ (or ‖x − y‖ when y is zero).
  public static func relativeDifference(_ x: [Double], _ y: [Double]) -> Double {
    relativeDifference(Matrix(rows: x.count, columns: 1, elements: x), Matrix(rows: y.count, columns: 1, elements: y))
  }
}
