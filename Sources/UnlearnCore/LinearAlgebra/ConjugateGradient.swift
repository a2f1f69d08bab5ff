/// Conjugate gradients for A·x = b with A symmetric positive definite, given only as the product
/// v ↦ A·v (Hestenes & Stiefel, "Methods of Conjugate Gradients for Solving Linear Systems", 1952;
/// Nocedal & Wright, "Numerical Optimization", Algorithm 5.2).
///
/// From x₀ = 0: r₀ = p₀ = b, then α = rᵀr / pᵀAp, x += αp, r −= αAp, β = r'ᵀr' / rᵀr, p = r' + βp,
/// until ‖r‖ ≤ tolerance·‖b‖. In exact arithmetic it ends in at most n steps; a Newton system
/// whose Hessian has a few dominant directions ends in far fewer. It never forms A, so a Newton
/// step costs a few Hessian-vector products (two passes over the data each) instead of building
/// and factoring a P × P matrix.
public enum ConjugateGradient {
  public struct Solution: Sendable {
    public var x: [Double]
    public var iterations: Int
    /// ‖b − A·x‖ / ‖b‖ at the end (0 for b = 0).
    public var relativeResidual: Double
  }

  /// Solves A·x = b from x = 0 with at most `maxIterations` products. Stops early at
  /// ‖r‖ ≤ `relativeTolerance`·‖b‖, or when A shows a direction of non-positive curvature (then the
  /// iterate so far is returned: it still reduces the quadratic model). With `diagonal` (A's
  /// diagonal, all entries positive) it runs Jacobi-preconditioned: z = D⁻¹r replaces r in the
  /// search directions (Nocedal & Wright, Algorithm 5.3), which evens out parameters on very
  /// different scales. With `preconditioner` (r ↦ M⁻¹r for a symmetric positive definite M ≈ A,
  /// such as a factorization of A at a nearby point) it runs preconditioned by M instead: the
  /// closer M is to A, the fewer the iterations.
  public static func solve(
    _ b: [Double], maxIterations: Int, relativeTolerance: Double, diagonal: [Double]? = nil,
    preconditioner: (([Double]) -> [Double])? = nil, product: ([Double]) -> [Double]
  ) -> Solution {
    precondition(diagonal.map { $0.count == b.count && $0.allSatisfy { $0 > 0 } } ?? true, "bad preconditioner")
    precondition(
      diagonal == nil || preconditioner == nil, "conjugate gradients: a diagonal or a preconditioner, not both")
    var x = [Double](repeating: 0, count: b.count)
    let scale = BLAS.nrm2(b)
    guard scale > 0 else { return Solution(x: x, iterations: 0, relativeResidual: 0) }
    func preconditioned(_ r: [Double]) -> [Double] {
      if let preconditioner { return preconditioner(r) }
      guard let diagonal else { return r }
      return zip(r, diagonal).map { $0 / $1 }
    }
    var r = b
    var z = preconditioned(r)
    var p = z
    var rz = BLAS.dot(r, z)
    var iterations = 0
    while iterations < maxIterations, BLAS.nrm2(r) > relativeTolerance * scale {
      let ap = product(p)
      let curvature = BLAS.dot(p, ap)
      guard curvature > 0, curvature.isFinite else { break }
      let alpha = rz / curvature
      BLAS.axpy(alpha, p, &x)
      BLAS.axpy(-alpha, ap, &r)
      // The last iteration needs no new direction: skip its preconditioner, often the costliest part.
      guard iterations + 1 < maxIterations, BLAS.nrm2(r) > relativeTolerance * scale else {
        iterations += 1
        break
      }
      z = preconditioned(r)
      let next = BLAS.dot(r, z)
      let beta = next / rz
      for i in p.indices { p[i] = z[i] + beta * p[i] }
      rz = next
      iterations += 1
    }
    return Solution(x: x, iterations: iterations, relativeResidual: BLAS.nrm2(r) / scale)
  }
}
