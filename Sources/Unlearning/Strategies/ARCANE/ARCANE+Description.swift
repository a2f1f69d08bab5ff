import UnlearnModels

extension ARCANE {
  static let defaultBlocks = 4
  static let defaultRedundancy = 0.95

  /// Blocks per class, the representative selection's threshold, and deletion likelihoods.
  public static let catalogEntry = StrategyDescription(
    name: name,
    options: [
      .init("--blocks", help: "blocks (checkpointed training stages) per class", defaultValue: "\(defaultBlocks)"),
      .init(
        "--redundancy",
        help: "cosine similarity, on features standardized by the kept samples, at which a sample past the first "
          + "50 of its class counts as repeating a kept one and is left out of training; 1 or more keeps every "
          + "sample", defaultValue: "\(defaultRedundancy)"),
      .init(
        "--deletion-likelihood",
        help: "a CSV of id,likelihood (0–1) deletion likelihoods; likely deletions train in later blocks",
        defaultValue: "uniform", valueName: "file"),
    ],
    make: { configuration, options in
      let blocks = options.blocks ?? defaultBlocks
      guard blocks >= 1 else { throw StrategyError("--blocks must be at least 1, got \(blocks)") }
      let redundancy = options.redundancy ?? defaultRedundancy
      guard redundancy > 0, redundancy.isFinite else {
        throw StrategyError(
          "--redundancy is a cosine threshold above 0 (1 or more keeps every sample), got \(redundancy)")
      }
      let likelihood = try options.deletionLikelihoodPath.map { try DeletionLikelihood.load(path: $0) }
      return ARCANE(
        configuration: configuration, blocks: blocks, redundancy: redundancy,
        likelihood: likelihood ?? DeletionLikelihood(), workers: StrategyCatalog.workers)
    },
    readState: { try ARCANEState(archive: $0, path: $1) })
}
