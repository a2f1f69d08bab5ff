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
  /// Method-specific figures (residual norms, shards retrained, budget spent, ...), by name.
  public var figures: [String: Double]
  /// Method-specific remarks, e.g. why a path was taken.
  public var notes: [String]

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
    case samplesRetrained = "samples_retrained"
    case parametersRetrained = "parameters_retrained"
  }
}
