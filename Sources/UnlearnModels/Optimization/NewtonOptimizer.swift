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
    let reference = criterion.referenceGradientNorm(of: objective)
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
      if let stop = criterion.stop(
        at: iteration, value: value, gradientNorm: gradientNorm, reference: reference, progress: progress)
      {
        return (theta, report(stop.converged, stop.reason))
      }
      let factor = try LAPACK.cholesky(objective.hessian(at: theta))
      var step = factor.solve(gradient)
      BLAS.scal(-1, &step)
      let accepted = ArmijoBacktracking(maximumTrials: 40).search(
        objective, from: theta, value: value, direction: step, slope: BLAS.dot(gradient, step), initialStep: 1,
        evaluations: &evaluations)
      iteration += 1
      guard let accepted else {
        // At the floor of floating point: f cannot decrease along the Newton direction.
        let converged = criterion.isMet(gradientNorm: BLAS.nrm2(gradient), reference: reference)
        return (theta, report(converged, "line search failed"))
      }
      (theta, value, gradient) = accepted
    }
  }
}
