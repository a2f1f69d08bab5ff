import UnlearnCore

/// The logistic objective as the trust-region trainer sees it: value and gradient in one pass over
/// the data, Hessian-vector products in one pass, and a diagonal preconditioner (one more pass per
/// accepted step): M = (1 − α)λI + α·diag(H), α = 0.01, LIBLINEAR's blend of the identity with the
/// Hessian's diagonal (Hsia, Chiang & Lin, ACML 2018) written for our H = λI + XᵀDX. On mnist5k it
/// took fewer products than the plain diagonal (α = 1).
extension ModelObjective: HessianProductObjective where Model == LogisticRegression {
  /// The model at θ, its per-sample curvature (`LogisticRegression.curvature(on:)`) and the
  /// preconditioner's diagonal there.
  public struct Curvature {
    let model: LogisticRegression
    let weights: Matrix
    let diagonal: [Double]
  }

  public func curvature(at parameters: [Double]) -> Curvature {
    var model = model
    model.parameters = parameters
    let weights = model.curvature(on: batch)
    let diagonal = model.hessianDiagonal(on: batch, curvature: weights).map {
      0.99 * model.regularization + 0.01 * max($0, 0)
    }
    return Curvature(model: model, weights: weights, diagonal: diagonal)
  }

  public func hessianVectorProduct(_ v: [Double], curvature: Curvature) -> [Double] {
    curvature.model.hessianVectorProduct(on: batch, v, curvature: curvature.weights)
  }

  /// M⁻¹r (M's entries are at least 0.99λ > 0).
  public func preconditioned(_ r: [Double], curvature: Curvature) -> [Double] {
    r.indices.map { r[$0] / curvature.diagonal[$0] }
  }
}
