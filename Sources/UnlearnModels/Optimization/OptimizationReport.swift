/// How an optimizer run ended.
public struct OptimizationReport: Sendable, Codable, Equatable {
  public enum Method: String, Sendable, Codable {
    case newton
    case lbfgs = "l-bfgs"
    case trustRegion = "trust-region"
  }

  public let method: Method
  public let iterations: Int
  /// Objective and gradient evaluations (line-search trials included).
  public let evaluations: Int
  /// Hessian-vector products (trust-region conjugate gradients; 0 for the other methods).
  public let hessianVectorProducts: Int
  public let finalValue: Double
  public let finalGradientNorm: Double
  /// ‖∇L(0)‖, the scale the tolerance is relative to.
  public let referenceGradientNorm: Double
  /// Whether ‖∇L(θ)‖ ≤ tolerance · ‖∇L(0)‖ was reached.
  public let isConverged: Bool
  /// Why the run stopped, in words.
  public let stopReason: String

  public init(
    method: Method, iterations: Int, evaluations: Int, hessianVectorProducts: Int = 0, finalValue: Double,
    finalGradientNorm: Double, referenceGradientNorm: Double, isConverged: Bool, stopReason: String
  ) {
    self.method = method
    self.iterations = iterations
    self.evaluations = evaluations
    self.hessianVectorProducts = hessianVectorProducts
    self.finalValue = finalValue
    self.finalGradientNorm = finalGradientNorm
    self.referenceGradientNorm = referenceGradientNorm
    self.isConverged = isConverged
    self.stopReason = stopReason
  }

  enum CodingKeys: String, CodingKey {
    case method, iterations, evaluations, hessianVectorProducts, finalValue, finalGradientNorm
    case referenceGradientNorm, isConverged, stopReason
  }

  /// Reports written before the trust-region method have no product count: 0.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    method = try container.decode(Method.self, forKey: .method)
    iterations = try container.decode(Int.self, forKey: .iterations)
    evaluations = try container.decode(Int.self, forKey: .evaluations)
    hessianVectorProducts = try container.decodeIfPresent(Int.self, forKey: .hessianVectorProducts) ?? 0
    finalValue = try container.decode(Double.self, forKey: .finalValue)
    finalGradientNorm = try container.decode(Double.self, forKey: .finalGradientNorm)
    referenceGradientNorm = try container.decode(Double.self, forKey: .referenceGradientNorm)
    isConverged = try container.decode(Bool.self, forKey: .isConverged)
    stopReason = try container.decode(String.self, forKey: .stopReason)
  }
}

/// One iteration as a progress display sees it.
public struct OptimizationProgress: Sendable {
  public let iteration: Int
  public let maximumIterations: Int
  public let value: Double
  /// ‖∇L(θ)‖ / ‖∇L(0)‖.
  public let relativeGradientNorm: Double
}
