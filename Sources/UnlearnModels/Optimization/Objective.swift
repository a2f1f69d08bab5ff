import UnlearnCore

/// A smooth function of a flat parameter vector, as the optimizers see it.
public protocol SmoothObjective {
  var parameterCount: Int { get }
  /// f(θ) and ∇f(θ).
  func valueAndGradient(at parameters: [Double]) -> (value: Double, gradient: [Double])
}

/// A smooth objective whose dense Hessian the Newton trainer can factor.
public protocol TwiceDifferentiableObjective: SmoothObjective {
  /// ∇²f(θ), symmetric positive definite for the strictly convex objectives Newton is used on.
  func hessian(at parameters: [Double]) -> Matrix
}

/// A convex objective whose Hessian the trust-region trainer uses only through products with it.
public protocol HessianProductObjective: SmoothObjective {
  /// What H(θ)·v and the preconditioner need of θ, computed once for every product at the same θ.
  associatedtype Curvature
  func curvature(at parameters: [Double]) throws -> Curvature
  /// H(θ)·v.
  func hessianVectorProduct(_ v: [Double], curvature: Curvature) -> [Double]
  /// M⁻¹·r for a symmetric positive definite M ≈ H(θ).
  func preconditioned(_ r: [Double], curvature: Curvature) -> [Double]
}

/// The training objective L(θ; batch) of a model, as a function of θ alone.
public struct ModelObjective<Model: DifferentiableClassifier>: SmoothObjective {
  public let model: Model
  public let batch: LabelledBatch

  public init(model: Model, batch: LabelledBatch) {
    self.model = model
    self.batch = batch
  }

  public var parameterCount: Int { model.parameterCount }

  public func valueAndGradient(at parameters: [Double]) -> (value: Double, gradient: [Double]) {
    var model = model
    model.parameters = parameters
    let (loss, gradient) = model.lossAndGradient(on: batch)
    return (loss, gradient)
  }
}

extension ModelObjective: TwiceDifferentiableObjective where Model: ConvexClassifier {
  public func hessian(at parameters: [Double]) -> Matrix {
    var model = model
    model.parameters = parameters
    return model.hessian(on: batch, includingRegularization: true)
  }
}
