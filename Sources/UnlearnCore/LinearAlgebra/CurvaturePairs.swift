/// A limited-memory BFGS correction of an approximate inverse: pairs (s_i, y_i) with y_i = A·s_i
/// for the true matrix A, applied on top of a solve with an approximation M ≈ A (Nocedal &
/// Wright, "Numerical Optimization", Algorithm 7.4, with M⁻¹ as the initial inverse H₀):
///
///     q = b;  for i newest … oldest:  α_i = ρ_i s_iᵀq,  q −= α_i y_i        (ρ_i = 1 / y_iᵀs_i)
///     r = M⁻¹q;  for i oldest … newest:  r += s_i (α_i − ρ_i y_iᵀr).
///
/// The result is H·b for the BFGS inverse H obtained by updating M⁻¹ with each pair in turn, so H
/// satisfies H·y_i = s_i for the newest pair, and for all of them when the s_i are A-conjugate
/// (conjugate-gradient directions, A fixed) — H then agrees with A⁻¹ on their span, whatever M
/// was there. It stays symmetric positive definite while every y_iᵀs_i > 0; a pair without
/// positive curvature is not kept. O(P·count) per solve on top of M⁻¹'s, 2P doubles per pair.
///
/// Newton removal keeps the products of conjugate gradients here when the cached Hessian stalls,
/// so the directions in which it was off are corrected for later requests (see `NewtonRemoval`).
public struct CurvaturePairs: Sendable, Equatable {
  /// The most pairs kept; older ones are dropped first.
  public let capacity: Int
  private var steps: [[Double]] = []
  private var products: [[Double]] = []

  public init(capacity: Int) {
    precondition(capacity >= 0, "CurvaturePairs: the capacity must be non-negative")
    self.capacity = capacity
  }

  /// The number of pairs kept.
  public var count: Int { steps.count }

  /// Keeps (s, y) if yᵀs > 0 (and both are finite), dropping the oldest pair when full.
  public mutating func append(step s: [Double], product y: [Double]) {
    precondition(s.count == y.count, "CurvaturePairs: s has \(s.count) entries, y \(y.count)")
    precondition(steps.first.map { $0.count == s.count } ?? true, "CurvaturePairs: pairs of another dimension")
    let curvature = BLAS.dot(y, s)
    guard capacity > 0, curvature > 0, curvature.isFinite else { return }
    if steps.count == capacity {
      steps.removeFirst()
      products.removeFirst()
    }
    steps.append(s)
    products.append(y)
  }

  /// Drops every pair (the matrix they describe was replaced).
  public mutating func removeAll() {
    steps.removeAll()
    products.removeAll()
  }

  /// Applies a change of A to the kept products: y_i ← y_i − U·(Uᵀs_i), for A − UUᵀ. Pairs whose
  /// curvature y_iᵀs_i is no longer positive are dropped.
  public mutating func downdate(by u: Matrix) {
    guard !steps.isEmpty, u.columns > 0 else { return }
    precondition(u.rows == steps[0].count, "CurvaturePairs: U has \(u.rows) rows, the pairs \(steps[0].count)")
    var kept = (steps: [[Double]](), products: [[Double]]())
    for (s, var y) in zip(steps, products) {
      let coefficients = BLAS.product(u, Matrix(rows: s.count, columns: 1, elements: s), transposeA: true)
      var change = Matrix(rows: y.count, columns: 1)
      BLAS.gemm(u, coefficients, into: &change)
      BLAS.axpy(-1, change.elements, &y)
      guard BLAS.dot(y, s) > 0 else { continue }
      kept.steps.append(s)
      kept.products.append(y)
    }
    (steps, products) = kept
  }

  /// H·b for the BFGS inverse built on `initialSolve` (v ↦ M⁻¹v) from the kept pairs; with no
  /// pairs, `initialSolve(b)`.
  public func solve(_ b: [Double], initialSolve: ([Double]) throws -> [Double]) rethrows -> [Double] {
    guard !steps.isEmpty else { return try initialSolve(b) }
    var q = b
    var alphas = [Double](repeating: 0, count: steps.count)
    var rhos = [Double](repeating: 0, count: steps.count)
    for i in steps.indices.reversed() {
      rhos[i] = 1 / BLAS.dot(products[i], steps[i])
      alphas[i] = rhos[i] * BLAS.dot(steps[i], q)
      BLAS.axpy(-alphas[i], products[i], &q)
    }
    var r = try initialSolve(q)
    for i in steps.indices {
      let beta = rhos[i] * BLAS.dot(products[i], r)
      BLAS.axpy(alphas[i] - beta, steps[i], &r)
    }
    return r
  }
}
