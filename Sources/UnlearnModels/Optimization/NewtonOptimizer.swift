import UnlearnCore

/// Damped Newton's method with a Cholesky solve: θ ← θ − t·H⁻¹∇f, t from Armijo backtracking
/// (t = 1, ½, ¼, … until f decreases by at least 10⁻⁴·t·|∇fᵀΔθ|).
///
/// For a strictly convex, smooth f it converges quadratically near the optimum, so a tight
/// tolerance costs only a few more iterations. Each iteration builds and factors the Hessian:
/// O(P³/3) for P parameters on top of the Hessian's own cost, which is why `LBFGSOptimizer` is
/// used when P is large.
public struct NewtonOptimizer: Sendable {
  public var criterion: ConvergenceCriterion

  public init(criterion: ConvergenceCriterion = ConvergenceCriterion(maximumIterations: 100)) {
    self.criterion = criterion
  }

  /// Minimizes `objective` from `start`; throws if a Hessian is not positive definite.
  public func minimize(
    _ objective: some TwiceDifferentiableObjective, from start: [Double],
    progress: (OptimizationProgress) -> Void = { _ in }
  ) throws -> (parameters: [Double], report: OptimizationReport) {
    precondition(
      start.count == objective.parameterCount, "start has \(start.count) entries, expected \(objective.parameterCount)")
    let reference = BLAS.nrm2(objective.valueAndGradient(at: [Double](repeating: 0, count: start.count)).gradient)
    var theta = start
    var (value, gradient) = objective.valueAndGradient(at: theta)
    var evaluations = 2
    var iteration = 0
    func report(_ converged: Bool, _ reason: String) -> OptimizationReport {
      OptimizationReport(
        method: .newton, iterations: iteration, evaluations: evaluations, finalValue: value,
        finalGradientNorm: BLAS.nrm2(gradient), referenceGradientNorm: reference, isConverged: converged,
        stopReason: reason)
    }
    while true {
      let gradientNorm = BLAS.nrm2(gradient)
      progress(
        OptimizationProgress(
          iteration: iteration, maximumIterations: criterion.maximumIterations, value: value,
          relativeGradientNorm: reference > 0 ? gradientNorm / reference : 0))
      if gradientNorm <= criterion.relativeTolerance * reference {
        return (theta, report(true, "gradient norm below tolerance"))
      }
      if iteration == criterion.maximumIterations {
        return (theta, report(false, "iteration limit \(criterion.maximumIterations) reached"))
      }
      let factor = try LAPACK.cholesky(objective.hessian(at: theta))
      var step = factor.solve(gradient)
      BLAS.scal(-1, &step)
      let slope = BLAS.dot(gradient, step)
      var t = 1.0
      var accepted = false
      for _ in 0..<40 {
        var candidate = theta
        BLAS.axpy(t, step, &candidate)
        let (candidateValue, candidateGradient) = objective.valueAndGradient(at: candidate)
        evaluations += 1
        if candidateValue <= value + 1e-4 * t * slope {
          theta = candidate
          value = candidateValue
          gradient = candidateGradient
          accepted = true
          break
        }
        t /= 2
      }
      iteration += 1
      if !accepted {
        // At the floor of floating point: f cannot decrease along the Newton direction.
        return (theta, report(BLAS.nrm2(gradient) <= criterion.relativeTolerance * reference, "line search failed"))
      }
    }
  }
}
