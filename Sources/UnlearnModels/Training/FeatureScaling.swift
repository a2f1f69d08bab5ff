import UnlearnCore
import UnlearnData

/// How training scales the features before the model sees them.
///
/// `fitted` standardizes with the means and deviations of the training data (scikit-learn's
/// `StandardScaler`); those statistics are functions of every training sample, so a model keeps a
/// dependence on removed samples until a retraining refits them. Certified removal, whose (ε, δ)
/// argument covers the model's parameters only, needs scaling that does not depend on the training
/// data: `none`, or statistics `given` from elsewhere (computed on public data).
public enum FeatureScaling: Sendable, Equatable {
  case fitted
  case none
  case given(Standardizer)

  /// Whether the statistics are computed from the training data.
  public var dependsOnTrainingData: Bool { self == .fitted }

  /// The scaling for a training set with `features` (of the dataset named `name`).
  public func standardizer(for features: Matrix, datasetName name: String) throws -> Standardizer {
    switch self {
    case .fitted: return Standardizer(fitting: features)
    case .none: return Standardizer.identity(featureCount: features.columns)
    case .given(let standardizer):
      guard standardizer.means.count == features.columns else {
        throw DataError.scalingMismatch(name, scalingFeatures: standardizer.means.count, found: features.columns)
      }
      return standardizer
    }
  }
}

extension FeatureScaling: Codable {
  enum CodingKeys: String, CodingKey {
    case kind, scales
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    switch try container.decode(String.self, forKey: .kind) {
    case "fitted": self = .fitted
    case "none": self = .none
    case "given":
      // A given scaling is written as its standardizer's own keys beside `kind`.
      let standardizer = try Standardizer(from: decoder)
      if let problem = Standardizer.problem(means: standardizer.means, scales: standardizer.scales) {
        throw DecodingError.dataCorruptedError(
          forKey: .scales, in: container,
          debugDescription: "given scaling: expected \(problem.expected), found \(problem.found)")
      }
      self = .given(standardizer)
    case let other:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container, debugDescription: "unknown feature scaling '\(other)'")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .fitted: try container.encode("fitted", forKey: .kind)
    case .none: try container.encode("none", forKey: .kind)
    case .given(let standardizer):
      try container.encode("given", forKey: .kind)
      try standardizer.encode(to: encoder)
    }
  }
}
