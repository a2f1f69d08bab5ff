/// One strategy's row of a comparison.
public struct ComparisonResult: Sendable, Codable, Equatable {
  public let strategy: String
  /// Wall time of training on D.
  public let fitSeconds: Double
  /// Wall time of forgetting F, measured in the same run as every other strategy's: the median of
  /// `forgetRuns` runs from the same trained state (more than one when a run is short).
  public let forgetSeconds: Double
  /// How many runs `forgetSeconds` is the median of.
  public let forgetRuns: Int
  /// The unlearned model on T, R and F, and the attacks' AUC on F vs T.
  public let unlearned: ModelEvidence
  /// The same figures for the model before forgetting.
  public let original: ModelEvidence
  /// Fraction of T where the unlearned model and the retrained reference predict the same class.
  public let agreementWithRetrain: Double
  /// Mean KL(P_retrain ‖ P_unlearned) over T.
  public let meanKLFromRetrain: Double
  /// ‖θ⁻ − θ_r‖ / ‖θ_r‖ when both are single models of the same shape; nil otherwise.
  public let relativeParameterDistance: Double?
  public let samplesRetrained: Int
  public let parametersRetrained: Int
  public let exact: Bool
  /// The strategy's own figures (residuals, shards retrained, ...).
  public let figures: [String: Double]
  /// The empirical ε̂ over the forget set, when `--epsilon-audit N` asked for it.
  public var epsilonAudit: EpsilonAuditResult?

  public init(
    strategy: String, fitSeconds: Double, forgetSeconds: Double, unlearned: ModelEvidence, original: ModelEvidence,
    agreementWithRetrain: Double, meanKLFromRetrain: Double, relativeParameterDistance: Double?,
    samplesRetrained: Int, parametersRetrained: Int, exact: Bool, figures: [String: Double], forgetRuns: Int = 1
  ) {
    self.forgetRuns = forgetRuns
    self.strategy = strategy
    self.fitSeconds = fitSeconds
    self.forgetSeconds = forgetSeconds
    self.unlearned = unlearned
    self.original = original
    self.agreementWithRetrain = agreementWithRetrain
    self.meanKLFromRetrain = meanKLFromRetrain
    self.relativeParameterDistance = relativeParameterDistance
    self.samplesRetrained = samplesRetrained
    self.parametersRetrained = parametersRetrained
    self.exact = exact
    self.figures = figures
  }

  enum CodingKeys: String, CodingKey {
    case strategy, exact, figures, original
    case fitSeconds = "fit_seconds"
    case forgetSeconds = "forget_seconds"
    case forgetRuns = "forget_runs"
    case agreementWithRetrain = "agreement_with_retrain"
    case meanKLFromRetrain = "mean_kl_from_retrain"
    case relativeParameterDistance = "relative_parameter_distance"
    case samplesRetrained = "samples_retrained"
    case parametersRetrained = "parameters_retrained"
    case epsilonAudit = "epsilon_audit"
  }

  // The unlearned model's figures sit at the top level of the row (test_accuracy, mia_auc, ...),
  // as the contract has them; the original model's are nested under "original".
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(strategy, forKey: .strategy)
    try container.encode(fitSeconds, forKey: .fitSeconds)
    try container.encode(forgetSeconds, forKey: .forgetSeconds)
    try container.encode(forgetRuns, forKey: .forgetRuns)
    try unlearned.encode(to: encoder)
    try container.encode(original, forKey: .original)
    try container.encode(agreementWithRetrain, forKey: .agreementWithRetrain)
    try container.encode(meanKLFromRetrain, forKey: .meanKLFromRetrain)
    try container.encode(relativeParameterDistance, forKey: .relativeParameterDistance)
    try container.encode(samplesRetrained, forKey: .samplesRetrained)
    try container.encode(parametersRetrained, forKey: .parametersRetrained)
    try container.encode(exact, forKey: .exact)
    try container.encode(figures, forKey: .figures)
    try container.encode(epsilonAudit, forKey: .epsilonAudit)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    strategy = try container.decode(String.self, forKey: .strategy)
    fitSeconds = try container.decode(Double.self, forKey: .fitSeconds)
    forgetSeconds = try container.decode(Double.self, forKey: .forgetSeconds)
    forgetRuns = try container.decodeIfPresent(Int.self, forKey: .forgetRuns) ?? 1
    unlearned = try ModelEvidence(from: decoder)
    original = try container.decode(ModelEvidence.self, forKey: .original)
    agreementWithRetrain = try container.decode(Double.self, forKey: .agreementWithRetrain)
    meanKLFromRetrain = try container.decode(Double.self, forKey: .meanKLFromRetrain)
    relativeParameterDistance = try container.decodeIfPresent(Double.self, forKey: .relativeParameterDistance)
    samplesRetrained = try container.decode(Int.self, forKey: .samplesRetrained)
    parametersRetrained = try container.decode(Int.self, forKey: .parametersRetrained)
    exact = try container.decode(Bool.self, forKey: .exact)
    figures = try container.decode([String: Double].self, forKey: .figures)
    epsilonAudit = try container.decodeIfPresent(EpsilonAuditResult.self, forKey: .epsilonAudit)
  }
}
