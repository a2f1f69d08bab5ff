import UnlearnModels

extension Hybrid {
  static let defaultAmendment = 1
  static let defaultInitialBoundary = 2.0
  static let defaultAccuracyTolerance = 0.01

  /// SISA's layout, and how the exact and approximate paths are chosen.
  public static let catalogEntry = StrategyDescription(
    name: name,
    options: SISA.layoutOptions + [
      .init(
        "--policy",
        help: "exact (always retrain the affected slices), approximate (always Newton step + amendment) or "
          + "adaptive (choose by estimated cost)", defaultValue: "adaptive"),
      .init(
        "--amendment",
        help: "the amendment after the approximate step: fine-tuning epochs (MLP) or Newton steps (logistic) "
          + "on the shard's remaining samples", defaultValue: "\(defaultAmendment)"),
      .init(
        "--initial-boundary",
        help: "retrain while the estimated exact cost is at most this many times the approximate one; adapts "
          + "from measured accuracy", defaultValue: "\(Int(defaultInitialBoundary))"),
      .init(
        "--accuracy-tolerance",
        help: "accuracy (fraction) an approximate update may lose beyond retraining's before exact retraining "
          + "is favoured more", defaultValue: "\(defaultAccuracyTolerance)"),
    ],
    make: { configuration, options in try make(configuration: configuration, options: options) },
    readState: { try HybridState(archive: $0, path: $1) })

  private static func make(configuration: ModelConfiguration, options: StrategyOptions) throws -> Hybrid {
    let (shards, slices) = try SISA.layout(options)
    let amendment = options.amendment ?? defaultAmendment
    guard amendment >= 0 else {
      throw StrategyError(
        "--amendment must be 0 or more (epochs for an MLP, Newton steps for logistic), got \(amendment)")
    }
    let boundary = options.initialBoundary ?? defaultInitialBoundary
    guard boundary >= 1, boundary <= HybridCostModel.maximumBoundary else {
      throw StrategyError(
        "--initial-boundary is how many times the approximate path's cost exact retraining may take, "
          + "between 1 and \(Int(HybridCostModel.maximumBoundary)); got \(boundary)")
    }
    let tolerance = options.accuracyTolerance ?? defaultAccuracyTolerance
    guard tolerance >= 0, tolerance < 1 else {
      throw StrategyError("--accuracy-tolerance is a fraction of accuracy in [0, 1), got \(tolerance)")
    }
    return Hybrid(
      configuration: configuration, shards: shards, slices: slices, aggregation: options.aggregation ?? .vote,
      policy: options.policy ?? .adaptive, amendment: amendment, initialBoundary: boundary,
      accuracyTolerance: tolerance, workers: StrategyCatalog.workers)
  }
}
