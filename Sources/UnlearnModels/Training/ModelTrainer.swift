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
  /// sees every optimizer iteration (or epoch).
  public func train(
    on train: Dataset, dataFileSHA256: [String], progress: (OptimizationProgress) -> Void = { _ in }
  ) throws -> TrainedModel {
    precondition(train.count > 0, "cannot train on an empty dataset")
    let clock = ContinuousClock()
    let start = clock.now
    let standardizer = Standardizer(fitting: train.features)
    let batch = LabelledBatch(
      features: standardizer.transform(train.features), labels: train.labels, classCount: train.classCount)
    let classifier: TrainedClassifier
    let summary: TrainingSummary
    switch configuration.kind {
    case .logistic:
      let trainer = LogisticRegressionTrainer(
        method: configuration.solver, relativeTolerance: configuration.relativeTolerance)
      let (model, report) = try trainer.fit(
        LogisticRegression(
          featureCount: train.featureCount, classCount: train.classCount,
          inverseRegularization: configuration.inverseRegularization),
        on: batch, progress: progress)
      classifier = .logistic(model)
      summary = TrainingSummary(
        method: report.method.rawValue, iterations: report.iterations, finalLoss: report.finalValue,
        relativeGradientNorm: report.referenceGradientNorm > 0
          ? report.finalGradientNorm / report.referenceGradientNorm : 0,
        isConverged: report.isConverged, seconds: (clock.now - start).seconds)
    case .mlp:
      throw TrainingError.unavailable("the MLP model is not available in this build yet; use --model logistic")
    }
    return TrainedModel(
      configuration: configuration, standardizer: standardizer, classNames: train.classNames,
      featureNames: train.featureNames,
      fingerprint: DataFingerprint(fileSHA256: dataFileSHA256, trainingIDs: train.ids),
      classifier: classifier, summary: summary)
  }
}

/// Training that cannot proceed.
public struct TrainingError: Error, Sendable, CustomStringConvertible {
  public let description: String

  static func unavailable(_ message: String) -> Self { .init(description: message) }
}

extension Duration {
  /// The duration in seconds as a `Double`.
  public var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) * 1e-18
  }
}
