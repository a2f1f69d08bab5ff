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
  /// After standardizing, scale every row to unit L2 norm (certified removal needs ‖x‖ ≤ 1).
  public var normalizesRows: Bool
  /// How features are scaled before the model sees them (fitted on the training data by default).
  public var scaling: FeatureScaling

  public init(
    kind: ModelKind, inverseRegularization: Double = 1, solver: LogisticRegressionTrainer.Method = .automatic,
    relativeTolerance: Double = 1e-8, hiddenLayers: [Int] = [256], epochs: Int = 10, batchSize: Int = 128,
    learningRate: Double = 1e-3, seed: UInt64 = 0, normalizesRows: Bool = false, scaling: FeatureScaling = .fitted
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
    self.normalizesRows = normalizesRows
    self.scaling = scaling
  }

  enum CodingKeys: String, CodingKey {
    case kind, inverseRegularization, solver, relativeTolerance, hiddenLayers, epochs, batchSize, learningRate, seed
    case normalizesRows, scaling
  }

  // Files written before `normalizesRows` or `scaling` existed lack the key: they did not
  // normalize, and fitted their scaling.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      kind: try container.decode(ModelKind.self, forKey: .kind),
      inverseRegularization: try container.decode(Double.self, forKey: .inverseRegularization),
      solver: try container.decode(LogisticRegressionTrainer.Method.self, forKey: .solver),
      relativeTolerance: try container.decode(Double.self, forKey: .relativeTolerance),
      hiddenLayers: try container.decode([Int].self, forKey: .hiddenLayers),
      epochs: try container.decode(Int.self, forKey: .epochs),
      batchSize: try container.decode(Int.self, forKey: .batchSize),
      learningRate: try container.decode(Double.self, forKey: .learningRate),
      seed: try container.decode(UInt64.self, forKey: .seed),
      normalizesRows: try container.decodeIfPresent(Bool.self, forKey: .normalizesRows) ?? false,
      scaling: try container.decodeIfPresent(FeatureScaling.self, forKey: .scaling) ?? .fitted)
  }
}
