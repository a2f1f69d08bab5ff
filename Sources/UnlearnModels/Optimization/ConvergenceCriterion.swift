import UnlearnCore

/// When an optimizer stops: ‖∇L(θ)‖ ≤ `relativeTolerance` · ‖∇L(0)‖ (docs/architecture.md: influence
/// methods are only as good as the optimum they start from), or after `maximumIterations`.
public struct ConvergenceCriterion: Sendable, Codable, Equatable {
  public var relativeTolerance: Double
  public var maximumIterations: Int

  public init(relativeTolerance: Double = 1e-8, maximumIterations: Int) {
    precondition(relativeTolerance > 0, "relativeTolerance must be positive")
    precondition(maximumIterations > 0, "maximumIterations must be positive")
    self.relativeTolerance = relativeTolerance
    self.maximumIterations = maximumIterations
  }

  /// ‖∇f(0)‖, the scale `relativeTolerance` is measured against.
  func referenceGradientNorm(of objective: some SmoothObjective) -> Double {
    BLAS.nrm2(objective.valueAndGradient(at: [Double](repeating: 0, count: objective.parameterCount)).gradient)
  }

  /// Whether ‖∇f‖ ≤ relativeTolerance · ‖∇f(0)‖.
  func isMet(gradientNorm: Double, reference: Double) -> Bool {
    gradientNorm <= relativeTolerance * reference
  }

  /// Whether an optimizer stops at `iteration`, where the objective is `value` with gradient norm
  /// `gradientNorm`: converged, or at the iteration limit, with the report's stop reason; nil to go
  /// on. `progress` hears of the iteration first when `reportsProgress`, and always on convergence.
  func stop(
    at iteration: Int, value: Double, gradientNorm: Double, reference: Double, reportsProgress: Bool = true,
    progress: (OptimizationProgress) -> Void
  ) -> (converged: Bool, reason: String)? {
    let converged = isMet(gradientNorm: gradientNorm, reference: reference)
    if reportsProgress || converged {
      progress(
        OptimizationProgress(
          iteration: iteration, maximumIterations: maximumIterations, value: value,
          relativeGradientNorm: reference > 0 ? gradientNorm / reference : 0))
    }
    if converged { return (true, "gradient norm below tolerance") }
    if iteration == maximumIterations { return (false, "iteration limit \(maximumIterations) reached") }
    return nil
  }
}
