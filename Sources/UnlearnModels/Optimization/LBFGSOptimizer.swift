import UnlearnCore

/// Limited-memory BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp.
/// 1980; Nocedal & Wright, Numerical Optimization, Alg. 7.4–7.5).
///
/// The direction d = −H_k∇f comes from the two-loop recursion over the last `memory` pairs
/// (s, y) = (Δθ, Δ∇f), with H₀ = (sᵀy / yᵀy)·I. The step length is found by backtracking from 1
/// under the Armijo condition (first iteration: from 1/‖∇f‖); a pair is stored only when sᵀy > 0,
/// which keeps H_k positive definite. Cost per iteration: one or a few gradient evaluations plus
/// O(memory·P) vector work.
public struct LBFGSOptimizer: Sendable {
  public var criterion: ConvergenceCriterion
  public var memory: Int

  public init(
    criterion: ConvergenceCriterion = ConvergenceCriterion(maximumIterations: 20_000), memory: Int = 30
  ) {
    precondition(memory > 0, "memory must be positive")
    self.criterion = criterion
    self.memory = memory
  }

  public func minimize(
    _ objective: some SmoothObjective, from start: [Double],
    progress: (OptimizationProgress) -> Void = { _ in }
  ) -> (parameters: [Double], report: OptimizationReport) {
    precondition(
      start.count == objective.parameterCount, "start has \(start.count) entries, expected \(objective.parameterCount)")
    let reference = criterion.referenceGradientNorm(of: objective)
    var theta = start
    var (value, gradient) = objective.valueAndGradient(at: theta)
    var evaluations = 2
    var iteration = 0
    var steps: [[Double]] = []
    var gradientChanges: [[Double]] = []
    var curvatures: [Double] = []  // 1 / (sᵀy)
    func report(_ converged: Bool, _ reason: String) -> OptimizationReport {
      OptimizationReport(
        method: .lbfgs, iterations: iteration, evaluations: evaluations, finalValue: value,
        finalGradientNorm: BLAS.nrm2(gradient), referenceGradientNorm: reference, isConverged: converged,
        stopReason: reason)
    }
    var failedLineSearches = 0
    while true {
      let gradientNorm = BLAS.nrm2(gradient)
      if let stop = criterion.stop(
        at: iteration, value: value, gradientNorm: gradientNorm, reference: reference,
        reportsProgress: iteration.isMultiple(of: 10), progress: progress)
      {
        return (theta, report(stop.converged, stop.reason))
      }
      var direction = twoLoopDirection(gradient, steps, gradientChanges, curvatures)
      var slope = BLAS.dot(gradient, direction)
      if slope >= 0 {
        // Not a descent direction (numerical trouble): restart from steepest descent.
        steps.removeAll()
        gradientChanges.removeAll()
        curvatures.removeAll()
        direction = gradient.map { -$0 }
        slope = -gradientNorm * gradientNorm
      }
      let accepted = ArmijoBacktracking(maximumTrials: 50).search(
        objective, from: theta, value: value, direction: direction, slope: slope,
        initialStep: steps.isEmpty ? min(1, 1 / gradientNorm) : 1, evaluations: &evaluations)
      iteration += 1
      guard let (newTheta, newValue, newGradient) = accepted else {
        failedLineSearches += 1
        if failedLineSearches >= 2 || steps.isEmpty {
          return (theta, report(false, "line search failed: no decrease along the search direction"))
        }
        steps.removeAll()
        gradientChanges.removeAll()
        curvatures.removeAll()
        continue
      }
      failedLineSearches = 0
      var s = newTheta
      BLAS.axpy(-1, theta, &s)
      var y = newGradient
      BLAS.axpy(-1, gradient, &y)
      let sy = BLAS.dot(s, y)
      if sy > 1e-12 * BLAS.nrm2(s) * BLAS.nrm2(y) {
        if steps.count == memory {
          steps.removeFirst()
          gradientChanges.removeFirst()
          curvatures.removeFirst()
        }
        steps.append(s)
        gradientChanges.append(y)
        curvatures.append(1 / sy)
      }
      theta = newTheta
      value = newValue
      gradient = newGradient
    }
  }

  /// −H_k·g by the two-loop recursion.
  private func twoLoopDirection(
    _ gradient: [Double], _ steps: [[Double]], _ gradientChanges: [[Double]], _ curvatures: [Double]
  ) -> [Double] {
    var q = gradient
    var alphas = [Double](repeating: 0, count: steps.count)
    for index in steps.indices.reversed() {
      alphas[index] = curvatures[index] * BLAS.dot(steps[index], q)
      BLAS.axpy(-alphas[index], gradientChanges[index], &q)
    }
    if let s = steps.last, let y = gradientChanges.last {
      BLAS.scal(BLAS.dot(s, y) / BLAS.dot(y, y), &q)
    }
    for index in steps.indices {
      let beta = curvatures[index] * BLAS.dot(gradientChanges[index], q)
      BLAS.axpy(alphas[index] - beta, steps[index], &q)
    }
    BLAS.scal(-1, &q)
    return q
  }
}
