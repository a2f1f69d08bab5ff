import UnlearnCore

/// Backtracking line search under the Armijo condition (Nocedal & Wright, Alg. 3.1): try
/// t = t₀, t₀/2, t₀/4, … and accept the first step with f(θ + t·d) ≤ f(θ) + c·t·∇f(θ)ᵀd.
///
/// Near the optimum the decrease a step can give, about ½‖∇f‖²/λ, falls below the rounding of f
/// itself (a sum of n losses), and the test above is decided by that rounding: it accepted steps
/// that overshot, and L-BFGS on a 200-sample softmax with OpenBLAS's Prescott kernels ran its
/// 20,000 iterations at ‖∇f‖ ≈ 1.2·10⁻⁸·‖∇f(0)‖, unable to reach 10⁻⁸. So where f(θ + t·d)
/// is within `valueNoise`·|f| of f(θ), the slope along d decides instead — accurate to far smaller
/// absolute error — under Hager & Zhang's approximate Wolfe condition ("A new conjugate gradient
/// method with guaranteed descent and an efficient line search", SIAM J. Optim. 2005):
/// ∇f(θ + t·d)ᵀd ≤ (2δ − 1)·∇f(θ)ᵀd with δ = 0.1, which on a quadratic accepts t up to 1.8 times
/// the exact minimizer along d.
struct ArmijoBacktracking {
  /// c, the fraction of the linear decrease a step must achieve.
  var sufficientDecrease = 1e-4
  var maximumTrials: Int
  /// Below this relative change f's values are not compared, its slopes are.
  var valueNoise = 1e-12
  /// δ of the approximate Wolfe condition.
  var approximateWolfe = 0.1

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
      let noise = valueNoise * abs(value)
      if candidateValue < value - noise {
        if candidateValue <= value + sufficientDecrease * t * slope {
          return (candidate, candidateValue, candidateGradient)
        }
      } else if candidateValue <= value + noise
        && BLAS.dot(candidateGradient, direction) <= (2 * approximateWolfe - 1) * slope
      {
        return (candidate, candidateValue, candidateGradient)
      }
      t /= 2
    }
    return nil
  }
}
