/// The strategy-specific options `train` and `compare` accept, handed to the strategies that use
/// them. Each option is named as on the command line; `StrategyCatalog.optionsUsed(by:)` says
/// which strategy uses which, so an option no chosen strategy uses can be refused.
public struct StrategyOptions: Sendable, Equatable {
  /// newton: certified (ε, δ) removal.
  public var certified = false
  /// newton, certified: ε.
  public var epsilon: Double?
  /// newton, certified: δ.
  public var delta: Double?
  /// newton, certified: the noise scale σ (default 1).
  public var sigma: Double?
  /// newton, MLP: epochs of fine-tuning after the step.
  public var finetuneEpochs: Int?
  /// sisa: shards S (default 5).
  public var shards: Int?
  /// sisa: slices per shard R (default 4).
  public var slices: Int?
  /// sisa: how shard models are combined (default vote).
  public var aggregation: SISA.Aggregation?
  /// hybrid: force the exact or approximate path (default adaptive).
  public var policy: Hybrid.Policy?
  /// hybrid: amendment epochs (MLP) or Newton steps (logistic) after the approximate step (default 1).
  public var amendment: Int?
  /// hybrid: the starting boundary ρ (default 2).
  public var initialBoundary: Double?
  /// hybrid: accuracy an approximate update may lose beyond retraining's (default 0.01).
  public var accuracyTolerance: Double?
  /// arcane: blocks per class B (default 4).
  public var blocks: Int?
  /// arcane: the representative selection's cosine threshold (default 0.95).
  public var redundancy: Double?
  /// arcane: a file of `id,likelihood` deletion likelihoods (default: uniform).
  public var deletionLikelihoodPath: String?
  /// lmeraser: the share of samples that are public (default 0.2).
  public var publicFraction: Double?
  /// lmeraser: a file listing the public sample ids (instead of a fraction).
  public var publicIDsPath: String?
  /// lmeraser: the smallest cluster (default 100).
  public var minimumClusterSize: Int?
  /// lmeraser: the largest cluster (default 1000).
  public var maximumClusterSize: Int?
  /// lmeraser: epochs for each cluster's prompt and head (default 20).
  public var headEpochs: Int?
  /// puma: the share of training samples held out for validation (default 0.1).
  public var validationFraction: Double?
  /// puma: a separate validation data file (instead of holding out a fraction).
  public var validationPath: String?
  /// puma: the projected-gradient step size η (default 1).
  public var eta: Double?
  /// puma: the bound on ‖ε‖₂ of the weight changes (default 1).
  public var weightBound: Double?

  public init(
    certified: Bool = false, epsilon: Double? = nil, delta: Double? = nil, sigma: Double? = nil,
    finetuneEpochs: Int? = nil, shards: Int? = nil, slices: Int? = nil, aggregation: SISA.Aggregation? = nil,
    policy: Hybrid.Policy? = nil, amendment: Int? = nil, initialBoundary: Double? = nil,
    accuracyTolerance: Double? = nil, blocks: Int? = nil, redundancy: Double? = nil,
    deletionLikelihoodPath: String? = nil,
    publicFraction: Double? = nil, publicIDsPath: String? = nil, minimumClusterSize: Int? = nil,
    maximumClusterSize: Int? = nil, headEpochs: Int? = nil, validationFraction: Double? = nil,
    validationPath: String? = nil, eta: Double? = nil, weightBound: Double? = nil
  ) {
    self.certified = certified
    self.epsilon = epsilon
    self.delta = delta
    self.sigma = sigma
    self.finetuneEpochs = finetuneEpochs
    self.shards = shards
    self.slices = slices
    self.aggregation = aggregation
    self.policy = policy
    self.amendment = amendment
    self.initialBoundary = initialBoundary
    self.accuracyTolerance = accuracyTolerance
    self.blocks = blocks
    self.redundancy = redundancy
    self.deletionLikelihoodPath = deletionLikelihoodPath
    self.publicFraction = publicFraction
    self.publicIDsPath = publicIDsPath
    self.minimumClusterSize = minimumClusterSize
    self.maximumClusterSize = maximumClusterSize
    self.headEpochs = headEpochs
    self.validationFraction = validationFraction
    self.validationPath = validationPath
    self.eta = eta
    self.weightBound = weightBound
  }

  /// The options given, by command-line name.
  public var given: [String] {
    var names: [String] = []
    if certified { names.append("--certified") }
    if epsilon != nil { names.append("--epsilon") }
    if delta != nil { names.append("--delta") }
    if sigma != nil { names.append("--sigma") }
    if finetuneEpochs != nil { names.append("--finetune-epochs") }
    if shards != nil { names.append("--shards") }
    if slices != nil { names.append("--slices") }
    if aggregation != nil { names.append("--aggregation") }
    if policy != nil { names.append("--policy") }
    if amendment != nil { names.append("--amendment") }
    if initialBoundary != nil { names.append("--initial-boundary") }
    if accuracyTolerance != nil { names.append("--accuracy-tolerance") }
    if blocks != nil { names.append("--blocks") }
    if redundancy != nil { names.append("--redundancy") }
    if deletionLikelihoodPath != nil { names.append("--deletion-likelihood") }
    if publicFraction != nil { names.append("--public-fraction") }
    if publicIDsPath != nil { names.append("--public") }
    if minimumClusterSize != nil { names.append("--min-cluster") }
    if maximumClusterSize != nil { names.append("--max-cluster") }
    if headEpochs != nil { names.append("--head-epochs") }
    if validationFraction != nil { names.append("--validation-fraction") }
    if validationPath != nil { names.append("--validation") }
    if eta != nil { names.append("--eta") }
    if weightBound != nil { names.append("--weight-bound") }
    return names
  }

  /// Certified removal's parameters, if asked for; throws when they are incomplete or given
  /// without `--certified`.
  public func certification() throws -> Certification? {
    guard certified else {
      let stray = given.filter { ["--epsilon", "--delta", "--sigma"].contains($0) }
      if !stray.isEmpty {
        throw StrategyError(
          "\(stray.joined(separator: ", ")) \(stray.count == 1 ? "applies" : "apply") only with --certified")
      }
      return nil
    }
    guard let epsilon, let delta else {
      throw StrategyError("--certified needs --epsilon E and --delta D (and optionally --sigma S, default 1)")
    }
    return try Certification(epsilon: epsilon, delta: delta, sigma: sigma ?? 1)
  }
}
