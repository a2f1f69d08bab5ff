import UnlearnCore
import UnlearnData

/// The classifier inside a trained model, by kind.
public enum TrainedClassifier: Sendable, Equatable {
  case logistic(LogisticRegression)
  case mlp(MLP)

  /// The classifier as the common protocol.
  public var base: any DifferentiableClassifier {
    switch self {
    case .logistic(let model): return model
    case .mlp(let model): return model
    }
  }
}

/// How a training run went, for reports and model files.
public struct TrainingSummary: Sendable, Codable, Equatable {
  /// "newton", "l-bfgs" or "adam".
  public let method: String
  /// Optimizer iterations (logistic) or epochs (MLP).
  public let iterations: Int
  public let finalLoss: Double
  /// Logistic: ‖∇L‖ / ‖∇L(0)‖ at the end; nil for stochastic training.
  public let relativeGradientNorm: Double?
  /// Logistic: the tolerance was reached. MLP: all epochs ran (there is no convergence test).
  public let isConverged: Bool
  /// Wall time of the whole fit, feature scaling included.
  public let seconds: Double
  /// MLP: mean wall time of one epoch.
  public let secondsPerEpoch: Double?

  public init(
    method: String, iterations: Int, finalLoss: Double, relativeGradientNorm: Double?, isConverged: Bool,
    seconds: Double, secondsPerEpoch: Double? = nil
  ) {
    self.method = method
    self.iterations = iterations
    self.finalLoss = finalLoss
    self.relativeGradientNorm = relativeGradientNorm
    self.isConverged = isConverged
    self.seconds = seconds
    self.secondsPerEpoch = secondsPerEpoch
  }
}

extension TrainingSummary {
  /// The summary of a convex solve that took `seconds`.
  public init(_ report: OptimizationReport, seconds: Double) {
    self.init(
      method: report.method.rawValue, iterations: report.iterations, finalLoss: report.finalValue,
      relativeGradientNorm: report.referenceGradientNorm > 0
        ? report.finalGradientNorm / report.referenceGradientNorm : 0,
      isConverged: report.isConverged, seconds: seconds)
  }
}

/// A model ready to predict on raw features: the feature scaling fitted on its training data, the
/// classifier, the class names, and where it came from.
public struct TrainedModel: Sendable, Equatable {
  public var configuration: ModelConfiguration
  public var standardizer: Standardizer
  public var classNames: [String]
  public var featureNames: [String]?
  public var fingerprint: DataFingerprint
  public var classifier: TrainedClassifier
  public var summary: TrainingSummary

  public init(
    configuration: ModelConfiguration, standardizer: Standardizer, classNames: [String], featureNames: [String]?,
    fingerprint: DataFingerprint, classifier: TrainedClassifier, summary: TrainingSummary
  ) {
    self.configuration = configuration
    self.standardizer = standardizer
    self.classNames = classNames
    self.featureNames = featureNames
    self.fingerprint = fingerprint
    self.classifier = classifier
    self.summary = summary
  }

  public var featureCount: Int { standardizer.means.count }

  /// n × K probabilities for raw (unscaled) feature rows.
  public func probabilities(for features: Matrix) -> Matrix {
    classifier.base.probabilities(for: prepared(features))
  }

  /// The most probable class index of each raw feature row.
  public func predictedLabels(for features: Matrix) -> [Int] {
    classifier.base.predictedLabels(for: prepared(features))
  }

  /// Raw feature rows as the classifier sees them: standardized, then (if configured) scaled to
  /// unit norm.
  public func prepared(_ features: Matrix) -> Matrix {
    Self.prepare(features, standardizer: standardizer, normalizingRows: configuration.normalizesRows)
  }

  public static func prepare(_ features: Matrix, standardizer: Standardizer, normalizingRows: Bool) -> Matrix {
    let standardized = standardizer.transform(features)
    return normalizingRows ? RowNormalization.normalized(standardized) : standardized
  }
}
