import UnlearnData
import UnlearnModels

extension LMEraser {
  static let defaultPublicFraction = 0.2
  static let defaultMinimumClusterSize = 100
  static let defaultHeadEpochs = 20

  /// The public split, the cluster bounds, and the heads' epochs.
  public static let catalogEntry = StrategyDescription(
    name: name,
    options: [
      .init(
        "--public-fraction", help: "the share of samples that are public (backbone data, never erased)",
        defaultValue: "\(defaultPublicFraction)"),
      .init(
        "--public", help: "a file of public sample ids, one per line (instead of --public-fraction)",
        valueName: "file"),
      .init("--min-cluster", help: "the smallest private cluster", defaultValue: "\(defaultMinimumClusterSize)"),
      .init(
        "--max-cluster", help: "the largest private cluster (at least twice --min-cluster)",
        defaultValue: "\(max(1000, 2 * defaultMinimumClusterSize))"),
      .init("--head-epochs", help: "epochs for each cluster's prompt and head", defaultValue: "\(defaultHeadEpochs)"),
    ],
    make: { configuration, options in try make(configuration: configuration, options: options) },
    readState: { try LMEraserState(archive: $0, path: $1) })

  private static func make(configuration: ModelConfiguration, options: StrategyOptions) throws -> LMEraser {
    guard configuration.kind == .mlp, !configuration.hiddenLayers.isEmpty else {
      throw StrategyError("lmeraser needs --model mlp (its hidden layers are the frozen backbone)")
    }
    let split: PublicSplit
    if let path = options.publicIDsPath {
      guard options.publicFraction == nil else {
        throw StrategyError("give either --public FILE or --public-fraction F, not both")
      }
      split = PublicSplit(ids: Set(try SampleIDList.load(path: path)))
    } else {
      let fraction = options.publicFraction ?? defaultPublicFraction
      guard fraction > 0, fraction < 1 else {
        throw StrategyError(
          "--public-fraction is the share of public samples, strictly between 0 and 1; got \(fraction)")
      }
      split = PublicSplit(fraction: fraction)
    }
    let minimum = options.minimumClusterSize ?? defaultMinimumClusterSize
    let maximum = options.maximumClusterSize ?? max(1000, 2 * minimum)
    guard minimum >= 1, 2 * minimum <= maximum else {
      throw StrategyError(
        "cluster bounds need 1 ≤ --min-cluster ≤ --max-cluster / 2 (so a split cluster stays above the minimum); "
          + "got \(minimum) and \(maximum)")
    }
    let epochs = options.headEpochs ?? defaultHeadEpochs
    guard epochs >= 1 else { throw StrategyError("--head-epochs must be at least 1, got \(epochs)") }
    return LMEraser(
      configuration: configuration, split: split, minimumClusterSize: minimum, maximumClusterSize: maximum,
      headEpochs: epochs, workers: StrategyCatalog.workers)
  }
}
