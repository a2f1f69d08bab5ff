/// The model kinds `unlearn train --model` accepts.
public enum ModelKind: String, Sendable, Codable, CaseIterable {
  /// Binary or multinomial logistic regression (`LogisticRegression`).
  case logistic
  /// Multi-layer perceptron with ReLU hidden layers.
  case mlp
}

/// Everything that decides what training produces, besides the data: same configuration and same
/// data give the same model bit for bit (with `OPENBLAS_NUM_THREADS=1`).
public struct ModelConfiguration: Sendable, Codable, Equatable {
  public var kind: ModelKind
  /// C = 1/λ: the inverse L2 regularization strength (scikit-learn's convention).
  public var inverseRegularization: Double
  /// Logistic: the optimizer (`automatic` picks Newton or L-BFGS by cost).
  public var solver: LogisticRegressionTrainer.Method
  /// Logistic: stop when ‖∇L‖ ≤ tolerance · ‖∇L(0)‖.
  public var relativeTolerance: Double
  /// MLP: hidden layer widths.
  public var hiddenLayers: [Int]
  /// MLP: passes over the training data.
  public var epochs: Int
  /// MLP: minibatch size.
  public var batchSize: Int
  /// MLP: Adam's step size.
  public var learningRate: Double
  /// Seeds initialization, shuffling and splits.
  public var seed: UInt64

  public init(
    kind: ModelKind, inverseRegularization: Double = 1, solver: LogisticRegressionTrainer.Method = .automatic,
    relativeTolerance: Double = 1e-8, hiddenLayers: [Int] = [256], epochs: Int = 10, batchSize: Int = 128,
    learningRate: Double = 1e-3, seed: UInt64 = 0
  ) {
    self.kind = kind
    self.inverseRegularization = inverseRegularization
    self.solver = solver
    self.relativeTolerance = relativeTolerance
    self.hiddenLayers = hiddenLayers
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.seed = seed
  }
}
