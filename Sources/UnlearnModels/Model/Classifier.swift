import UnlearnCore

/// A trained classifier: class probabilities for a batch of feature rows.
public protocol Classifier: Sendable {
  /// The number of input features d.
  var featureCount: Int { get }
  /// The number of classes K.
  var classCount: Int { get }
  /// n × K class probabilities, each row summing to 1.
  func probabilities(for features: Matrix) -> Matrix
}

extension Classifier {
  /// The most probable class of each row (ties to the lowest class index).
  public func predictedLabels(for features: Matrix) -> [Int] {
    probabilities(for: features).indicesOfRowMaxima()
  }
}

/// A classifier trained by minimizing L(θ; D) = Σ_i ℓ(x_i, y_i; θ) + R(θ) over one flat parameter
/// vector θ, so strategies can move, compare and update parameters without knowing the model.
public protocol DifferentiableClassifier: Classifier {
  /// θ as one flat vector; setting it must keep `parameterCount` entries.
  var parameters: [Double] { get set }
  var parameterCount: Int { get }
  /// L(θ; batch), including the regularizer, and its gradient.
  func lossAndGradient(on batch: LabelledBatch) -> (loss: Double, gradient: [Double])
  /// n × parameterCount: row i is ∇ℓ(x_i, y_i; θ), without the regularizer.
  func perSampleGradients(on batch: LabelledBatch) -> Matrix
  /// ∇²L(θ; batch)·v, including the regularizer, without forming the Hessian.
  func hessianVectorProduct(on batch: LabelledBatch, _ v: [Double]) -> [Double]
}

/// A differentiable classifier whose dense Hessian is affordable (the convex models).
public protocol ConvexClassifier: DifferentiableClassifier {
  /// ∇²L(θ; batch), parameterCount × parameterCount, with or without the data-independent
  /// regularizer (without it, the sum of the per-sample Hessians of the batch).
  func hessian(on batch: LabelledBatch, includingRegularization: Bool) -> Matrix
}
