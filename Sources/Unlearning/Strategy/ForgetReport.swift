import UnlearnModels

/// What a strategy did to forget a request: the figures `unlearn forget` prints, `unlearn compare`
/// tabulates and the request log keeps.
public struct ForgetReport: Sendable, Codable, Equatable {
  public var strategy: String
  /// Ids in the request.
  public var requested: Int
  /// Samples actually removed.
  public var forgotten: Int
  /// Ids skipped as absent (only when the request allows it).
  public var skipped: Int
  /// True when the result is a model that could have been trained without the samples (retraining
  /// of everything they touched); false for approximations (influence steps, fine-tuning).
  public var exact: Bool
  /// Samples the strategy trained on again (0 for a pure parameter update).
  public var samplesRetrained: Int
  /// Parameters that changed value (all of them for a full retrain).
  public var parametersRetrained: Int
  /// Wall time of the forget, in seconds.
  public var seconds: Double
  /// Training samples left after the forget.
  public var remaining: Int
  /// Method-specific figures (residual norms, shards retrained, budget spent, ...), by the names of
  /// DESIGN.md §6. Strategies write them from a typed report, which readers get back with `newton`
  /// or `report(_:)` (`SISAReport`, `ARCANEReport`, `HybridReport`, `LMEraserReport`, `PUMAReport`).
  public var figures: [String: Double]
  /// Method-specific remarks, e.g. why a path was taken.
  public var notes: [String]
  /// Whether the model's feature scaling still depends on the removed samples (set by
  /// `StrategyState.forgetting`; nil where a caller called the strategy directly).
  public var featureScaling: FeatureScalingOutcome?

  /// What became of the feature scaling's dependence on the removed samples.
  public enum FeatureScalingOutcome: String, Sendable, Codable, Equatable {
    /// Every statistic the model scales with was fitted without the removed samples (exact
    /// strategies refit them with the model: retrain, SISA's shards, ARCANE's blocks).
    case refitted
    /// The statistics fitted on the original training data are kept until the next retraining
    /// (approximate strategies update parameters only).
    case kept
    /// The scaling never depended on the training data (`--scaling none` or a file).
    case independent

    public init(exact: Bool, scaling: FeatureScaling) {
      self = !scaling.dependsOnTrainingData ? .independent : exact ? .refitted : .kept
    }
  }

  public init(
    strategy: String, requested: Int, forgotten: Int, skipped: Int, exact: Bool, samplesRetrained: Int,
    parametersRetrained: Int, seconds: Double, remaining: Int, figures: [String: Double] = [:], notes: [String] = []
  ) {
    self.strategy = strategy
    self.requested = requested
    self.forgotten = forgotten
    self.skipped = skipped
    self.exact = exact
    self.samplesRetrained = samplesRetrained
    self.parametersRetrained = parametersRetrained
    self.seconds = seconds
    self.remaining = remaining
    self.figures = figures
    self.notes = notes
  }

  enum CodingKeys: String, CodingKey {
    case strategy, requested, forgotten, skipped, exact, seconds, remaining, figures, notes
    case featureScaling = "feature_scaling"
    case samplesRetrained = "samples_retrained"
    case parametersRetrained = "parameters_retrained"
  }
}
