/// The result of `unlearn compare`, in the JSON shape of docs/architecture.md (those keys are a contract;
/// the extra keys below add detail and never rename them).
public struct ComparisonReport: Sendable, Codable, Equatable {
  /// The training data's name (its file name).
  public let dataset: String
  /// The model kind, "logistic" or "mlp".
  public let model: String
  /// |D|: training samples before forgetting.
  public let trainCount: Int
  public let testCount: Int
  public let forgetCount: Int
  public let seed: UInt64
  /// How the forget set was chosen, e.g. "random:0.05".
  public let forgetSelection: String
  /// The retrain row first (the reference), then each strategy in the order asked.
  public let results: [ComparisonResult]

  public init(
    dataset: String, model: String, trainCount: Int, testCount: Int, forgetCount: Int, seed: UInt64,
    forgetSelection: String, results: [ComparisonResult]
  ) {
    self.dataset = dataset
    self.model = model
    self.trainCount = trainCount
    self.testCount = testCount
    self.forgetCount = forgetCount
    self.seed = seed
    self.forgetSelection = forgetSelection
    self.results = results
  }

  enum CodingKeys: String, CodingKey {
    case dataset, model, seed, results
    case trainCount = "n_train"
    case testCount = "n_test"
    case forgetCount = "n_forget"
    case forgetSelection = "forget"
  }
}
