import UnlearnCore

/// Backtracking line search under the Armijo condition (Nocedal & Wright, Alg. 3.1): try
/// t = t₀, t₀/2, t₀/4, … and accept the first step with f(θ + t·d) ≤ f(θ) + c·t·∇f(θ)ᵀd.
struct ArmijoBacktracking {
  /// c, the fraction of the linear decrease a step must achieve.
  var sufficientDecrease = 1e-4
  var maximumTrials: Int

  /// The accepted point, or nil when no trial decreased f enough. `evaluations` counts the trials.
  func search(
    _ objective: some SmoothObjective, from theta: [Double], value: Double, direction: [Double], slope: Double,
    initialStep: Double, evaluations: inout Int
  ) -> (theta: [Double], value: Double, gradient: [Double])? {
    var t = initialStep
    for _ in 0..<maximumTrials {
      var candidate = theta
      BLAS.axpy(t, direction, &candidate)
      let (candidateValue, candidateGradient) = objective.valueAndGradient(at: candidate)
      evaluations += 1
      if candidateValue <= value + sufficientDecrease * t * slope {
        return (candidate, candidateValue, candidateGradient)
      }
      t /= 2
    }
    return nil
  }
}

extension ConvergenceCriterion {
  /// ‖∇f(0)‖, the scale `relativeTolerance` is measured against.
  func referenceGradientNorm(of objective: some SmoothObjective) -> Double {
    BLAS.nrm2(objective.valueAndGradient(at: [Double](repeating: 0, count: objective.parameterCount)).gradient)
  }

  /// Whether ‖∇f‖ ≤ relativeTolerance · ‖∇f(0)‖.
  func isMet(gradientNorm: Double, reference: Double) -> Bool {
    gradientNorm <= relativeTolerance * reference
  }
}
