import UnlearnCore
import UnlearnData

/// Trains a `TrainedModel` from a training split: fits the feature standardization on it, then
/// the classifier the configuration names.
public struct ModelTrainer: Sendable {
  public var configuration: ModelConfiguration

  public init(configuration: ModelConfiguration) {
    self.configuration = configuration
  }

  /// Trains on `train`. `dataFileSHA256` fingerprints the file(s) it was read from; `progress`
  /// sees every optimizer iteration or minibatch. `linearTerm` (logistic only) adds bᵀθ to the
  /// objective: the objective perturbation of certified removal.
  public func train(
    on train: Dataset, dataFileSHA256: [String], linearTerm: [Double]? = nil,
    progress: (TrainingProgress) -> Void = { _ in }
  ) throws -> TrainedModel {
    // Subsets (a shard, a slice) may lack some classes; what no model can train on is an error.
    guard train.count > 0, train.classCount >= 2 else {
      throw DataError.untrainable(
        train.name, expected: "at least 1 sample and at least 2 classes",
        found: "\(train.count) samples and \(train.classCount) class names")
    }
    let clock = ContinuousClock()
    let start = clock.now
    let standardizer = try configuration.scaling.standardizer(for: train.features, datasetName: train.name)
    let batch = LabelledBatch(
      features: TrainedModel.prepare(
        train.features, standardizer: standardizer, normalizingRows: configuration.normalizesRows),
      labels: train.labels, classCount: train.classCount)
    let classifier: TrainedClassifier
    let summary: TrainingSummary
    switch configuration.kind {
    case .logistic:
      let trainer = LogisticRegressionTrainer(
        method: configuration.solver, relativeTolerance: configuration.relativeTolerance)
      var initial = LogisticRegression(
        featureCount: train.featureCount, classCount: train.classCount,
        inverseRegularization: configuration.inverseRegularization)
      initial.linearTerm = linearTerm
      let (model, report) = try trainer.fit(initial, on: batch) { step in
        progress(
          TrainingProgress(
            step: step.iteration, fraction: nil, loss: step.value, relativeGradientNorm: step.relativeGradientNorm))
      }
      classifier = .logistic(model)
      summary = TrainingSummary(report, seconds: (clock.now - start).seconds)
    case .mlp:
      precondition(linearTerm == nil, "a linear objective term applies to logistic models only")
      var generator = SeededGenerator(seed: configuration.seed)
      let network = MLP(
        featureCount: train.featureCount, hiddenLayers: configuration.hiddenLayers, classCount: train.classCount,
        inverseRegularization: configuration.inverseRegularization, using: &generator)
      let trainer = AdamTrainer(
        epochs: configuration.epochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate)
      let (model, epochs) = trainer.fit(network, on: batch, using: &generator) { step in
        progress(
          TrainingProgress(step: step.epoch, fraction: step.fraction, loss: step.runningLoss, relativeGradientNorm: nil)
        )
      }
      classifier = .mlp(model)
      summary = TrainingSummary(
        method: "adam", iterations: epochs.count, finalLoss: epochs.last?.meanLoss ?? .nan,
        relativeGradientNorm: nil, isConverged: true, seconds: (clock.now - start).seconds,
        secondsPerEpoch: epochs.map(\.seconds).reduce(0, +) / Double(max(epochs.count, 1)))
    }
    return TrainedModel(
      configuration: configuration, standardizer: standardizer, classNames: train.classNames,
      featureNames: train.featureNames,
      fingerprint: DataFingerprint(fileSHA256: dataFileSHA256, trainingIDs: train.ids),
      classifier: classifier, summary: summary)
  }
}

/// Where training is, for a progress display.
public struct TrainingProgress: Sendable {
  /// Optimizer iteration (logistic), epoch (MLP), or sub-models done (`subModels(done:)`).
  public let step: Int
  /// Fraction of the whole run done, when it is known in advance (MLP epochs).
  public let fraction: Double?
  /// The objective (logistic: L(θ); MLP: running mean of the minibatch objective ≈ L/n).
  public let loss: Double
  /// Logistic: ‖∇L(θ)‖ / ‖∇L(0)‖.
  public let relativeGradientNorm: Double?
  /// Whether `step` counts the sub-models a sharded strategy has trained (SISA's shards, ARCANE's
  /// classes), which have no single loss.
  public private(set) var countsSubModels = false

  public init(step: Int, fraction: Double?, loss: Double, relativeGradientNorm: Double?) {
    self.step = step
    self.fraction = fraction
    self.loss = loss
    self.relativeGradientNorm = relativeGradientNorm
  }

  /// `count` sub-models of a sharded strategy trained: the whole run.
  public static func subModels(done count: Int) -> TrainingProgress {
    var progress = TrainingProgress(step: count, fraction: 1, loss: .nan, relativeGradientNorm: nil)
    progress.countsSubModels = true
    return progress
  }
}
