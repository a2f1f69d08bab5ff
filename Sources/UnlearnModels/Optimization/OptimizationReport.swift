/// How an optimizer run ended.
public struct OptimizationReport: Sendable, Codable, Equatable {
  public enum Method: String, Sendable, Codable {
    case newton
    case lbfgs = "l-bfgs"
  }

  public let method: Method
  public let iterations: Int
  /// Objective and gradient evaluations (line-search trials included).
  public let evaluations: Int
  public let finalValue: Double
  public let finalGradientNorm: Double
  /// ‖∇L(0)‖, the scale the tolerance is relative to.
  public let referenceGradientNorm: Double
  /// Whether ‖∇L(θ)‖ ≤ tolerance · ‖∇L(0)‖ was reached.
  public let isConverged: Bool
  /// Why the run stopped, in words.
  public let stopReason: String
}

/// One iteration as a progress display sees it.
public struct OptimizationProgress: Sendable {
  public let iteration: Int
  public let maximumIterations: Int
  public let value: Double
  /// ‖∇L(θ)‖ / ‖∇L(0)‖.
  public let relativeGradientNorm: Double
}

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
}
