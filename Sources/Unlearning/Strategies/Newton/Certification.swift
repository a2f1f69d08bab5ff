import Foundation
import UnlearnCore
import UnlearnModels

/// Certified removal's parameters and budget (Guo, Goldstein, Hannun & van der Maaten, "Certified
/// Data Removal from Machine Learning Models", ICML 2020; docs/methods.md).
///
/// **What it guarantees.** Training minimizes the perturbed objective L_b(θ) = L(θ) + bᵀθ with
/// b ~ N(0, σ²I) drawn once and kept with the model. If every removal leaves a gradient residual
/// ‖∇L_b(θ⁻; D \ F)‖ ≤ β and β ≤ σε/c with δ = 1.5·exp(−c²/2), then the distribution of the model
/// after removal is (ε, δ)-indistinguishable from that of a model trained with the same noise
/// distribution on D \ F from scratch (Guo et al., Theorem 3): an observer of the released θ⁻
/// cannot tell, beyond (ε, δ), whether F was ever in the data.
///
/// **The bound.** The residual after one Newton step is not computed from θ⁻ alone (that would
/// depend on the data in a way the noise does not cover); the guarantee uses the data-dependent
/// bound of Guo et al., Corollary 2: with H' the Hessian on the remaining data, Δ the removal's
/// gradient and X_r the remaining design matrix,
///
///     ‖∇L_b(θ⁻; D \ F)‖ ≤ γ·‖X_r‖₂·‖H'⁻¹Δ‖·‖X_r·H'⁻¹Δ‖,   γ = 1/4 (the logistic loss's ℓ''' bound).
///
/// **What is charged.** The bound is derived for one Newton step with the exact Hessian at the
/// current parameters; `newton` steps with its cached factor, downdated by the removed samples'
/// curvature at the parameters where it was built, so the bound alone is not known to hold for the
/// step actually taken. Each removal therefore charges the larger of the bound and the measured
/// residual ‖∇L_b(θ⁻; D \ F)‖ after the step (one pass over the data, which the step computes anyway).
/// The charges add up into the spent budget β. Since the measured residual after a removal is the
/// residual of the released model, and every charge is at least it, the released model's residual
/// never exceeds β, whatever the bound's assumptions; when they hold, the charges are the bounds. A
/// removal whose charge would push β past σε/c is discarded and the model retrained from scratch
/// instead (fresh noise, β = 0), which is exact.
///
/// **Assumptions.** Binary logistic regression (the softmax model would need a multinomial bound or
/// one-vs-rest models; this build refuses it); rows scaled to ‖x‖ ≤ 1 (every row is L2-normalized);
/// feature scaling that does not depend on the training data (none, or statistics given from
/// elsewhere: `FeatureScaling`; fitted statistics would keep a dependence on removed samples, and
/// `NewtonRemoval.fit` refuses them); the loss is convex with L2 regularization λ > 0; exactly one
/// Newton step per removal (no refinement).
public struct Certification: Sendable, Codable, Equatable {
  public var epsilon: Double
  public var delta: Double
  /// The noise scale σ of b ~ N(0, σ²I).
  public var sigma: Double
  /// For tests only: draw the noise from this seed instead of the system's cryptographic generator.
  /// The guarantee assumes b is secret and random, so nothing a user passes (`--seed` included)
  /// reaches it; nil (the default, and what every CLI path uses) means fresh secret noise.
  public var testNoiseSeed: UInt64?

  /// γ = 1/4: the Lipschitz constant of the logistic loss's second derivative.
  public static let lipschitzConstant = 0.25

  public init(epsilon: Double, delta: Double, sigma: Double, testNoiseSeed: UInt64? = nil) throws {
    guard epsilon > 0, epsilon.isFinite else { throw StrategyError("--epsilon must be positive, got \(epsilon)") }
    guard delta > 0, delta < 1 else { throw StrategyError("--delta must be in (0, 1), got \(delta)") }
    guard sigma > 0, sigma.isFinite else { throw StrategyError("--sigma must be positive, got \(sigma)") }
    self.epsilon = epsilon
    self.delta = delta
    self.sigma = sigma
    self.testNoiseSeed = testNoiseSeed
  }

  /// c with δ = 1.5·exp(−c²/2).
  public var c: Double { (2 * log(1.5 / delta)).squareRoot() }

  /// The largest total residual bound the guarantee allows: σε/c.
  public var budget: Double { sigma * epsilon / c }

  /// The noise vector b ~ N(0, σ²I) for the k-th training from scratch (k = 0 at fit): from the
  /// system's cryptographic generator, so it is fresh at every training and not derivable from
  /// anything stored beside it (the state keeps b itself, to retrain with it). With
  /// `testNoiseSeed`, the k-th draw of that seed instead.
  public func noise(count: Int, retraining k: Int) -> [Double] {
    guard let testNoiseSeed else {
      var generator = SystemRandomNumberGenerator()
      return (0..<count).map { _ in sigma * generator.nextStandardNormal() }
    }
    var root = SeededGenerator(seed: testNoiseSeed)
    var generator = root.split()
    for _ in 0..<k { generator = root.split() }
    return (0..<count).map { _ in sigma * generator.nextStandardNormal() }
  }

  /// Guo et al.'s data-dependent bound γ·‖X_r‖₂·‖s‖·‖X_r·s‖ for the step s = H'⁻¹Δ, with an upper
  /// bound of ‖X_r‖₂ (see `NewtonState.designNormBound`). X_r is `design` without the rows marked
  /// in `excluding` (removals not yet compacted away).
  static func residualBound(step: [Double], design: Matrix, excluding: [Bool]?, designNormBound: Double) -> Double {
    var projected = BLAS.product(design, step)
    if let excluding {
      for row in excluding.indices where excluding[row] { projected[row] = 0 }
    }
    return lipschitzConstant * designNormBound * BLAS.nrm2(step) * BLAS.nrm2(projected)
  }
}
