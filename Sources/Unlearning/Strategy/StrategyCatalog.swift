import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// The strategies this build implements, by the names the CLI, state files and reports use.
public enum StrategyCatalog {
  /// Every strategy's name, in the order `unlearn compare` lists them.
  public static let names = [
    Retrain.name, NewtonRemoval.name, SISA.name, ARCANE.name, PUMA.name, Hybrid.name, LMEraser.name,
  ]

  /// The command-line options each strategy uses.
  public static func optionsUsed(by name: String) -> Set<String> {
    switch name {
    case NewtonRemoval.name: return ["--certified", "--epsilon", "--delta", "--sigma", "--finetune-epochs"]
    case SISA.name: return ["--shards", "--slices", "--aggregation"]
    case Hybrid.name:
      return [
        "--shards", "--slices", "--aggregation", "--policy", "--amendment", "--initial-boundary",
        "--accuracy-tolerance",
      ]
    case ARCANE.name: return ["--blocks", "--redundancy", "--deletion-likelihood"]
    case PUMA.name: return ["--validation-fraction", "--validation", "--eta", "--weight-bound"]
    case LMEraser.name: return ["--public-fraction", "--public", "--min-cluster", "--max-cluster", "--head-epochs"]
    default: return []
    }
  }

  /// Throws `StrategyError` naming the given options that none of `strategies` uses.
  public static func checkOptions(_ options: StrategyOptions, usedBy strategies: [String]) throws {
    let used = strategies.reduce(into: Set<String>()) { $0.formUnion(optionsUsed(by: $1)) }
    let unused = options.given.filter { !used.contains($0) }
    guard unused.isEmpty else {
      let users = names.filter { !optionsUsed(by: $0).isDisjoint(with: unused) }
      if strategies.isEmpty {
        throw StrategyError(
          "\(unused.joined(separator: ", ")) only \(unused.count == 1 ? "applies" : "apply") with a strategy; "
            + "pass --strategy \(users.joined(separator: " or "))")
      }
      throw StrategyError(
        "\(unused.joined(separator: ", ")) \(unused.count == 1 ? "is" : "are") not used by "
          + "\(strategies.joined(separator: ", ")); \(unused.count == 1 ? "it applies" : "they apply") to "
          + "\(users.joined(separator: ", "))")
    }
  }

  /// Whether strategy `name` can train `configuration`'s model kind with its default options.
  public static func supports(_ name: String, _ configuration: ModelConfiguration) -> Bool {
    (try? strategy(named: name, configuration: configuration)) != nil
  }

  /// Threads for strategies that train independent models (SISA's shards, ARCANE's classes): the
  /// cores left per OpenBLAS thread count. OpenBLAS's own threads (one per core unless
  /// `OPENBLAS_NUM_THREADS` says otherwise) spin after every call, and workers on top of them
  /// oversubscribe the cores: ARCANE's classes then trained about ten times slower.
  static var workers: Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, BLAS.threadCount))
  }

  /// The strategy called `name`, configured to train `configuration` with its share of `options`.
  /// Throws `StrategyError` for an unknown name, a model kind the strategy does not support, or
  /// invalid options.
  public static func strategy(
    named name: String, configuration: ModelConfiguration, options: StrategyOptions = StrategyOptions()
  ) throws -> any UnlearningStrategy {
    switch name {
    case Retrain.name: return Retrain(configuration: configuration)
    case NewtonRemoval.name:
      let certification = try options.certification()
      if certification != nil && configuration.kind != .logistic {
        throw StrategyError("--certified applies to --model logistic (binary) only")
      }
      if certification != nil && configuration.scaling.dependsOnTrainingData {
        throw StrategyError(NewtonRemoval.certifiedScalingMessage)
      }
      if let epochs = options.finetuneEpochs {
        guard configuration.kind == .mlp else { throw StrategyError("--finetune-epochs applies to --model mlp only") }
        guard epochs >= 0 else { throw StrategyError("--finetune-epochs must be 0 or more, got \(epochs)") }
      }
      return NewtonRemoval(
        configuration: configuration, certification: certification, finetuneEpochs: options.finetuneEpochs ?? 0)
    case SISA.name:
      let shards = options.shards ?? 5
      let slices = options.slices ?? 4
      guard shards >= 1, slices >= 1 else { throw StrategyError("--shards and --slices must be at least 1") }
      return SISA(
        configuration: configuration, shards: shards, slices: slices, aggregation: options.aggregation ?? .vote,
        workers: workers)
    case Hybrid.name:
      return try hybrid(configuration: configuration, options: options)
    case ARCANE.name:
      let blocks = options.blocks ?? 4
      guard blocks >= 1 else { throw StrategyError("--blocks must be at least 1, got \(blocks)") }
      let redundancy = options.redundancy ?? 0.95
      guard redundancy > 0, redundancy.isFinite else {
        throw StrategyError(
          "--redundancy is a cosine threshold above 0 (1 or more keeps every sample), got \(redundancy)")
      }
      let likelihood = try options.deletionLikelihoodPath.map { try DeletionLikelihood.load(path: $0) }
      return ARCANE(
        configuration: configuration, blocks: blocks, redundancy: redundancy,
        likelihood: likelihood ?? DeletionLikelihood(), workers: workers)
    case LMEraser.name:
      return try lmeraser(configuration: configuration, options: options)
    case PUMA.name:
      return try puma(configuration: configuration, options: options)
    default:
      throw StrategyError("unknown strategy '\(name)'; this build has \(names.joined(separator: ", "))")
    }
  }

  private static func hybrid(configuration: ModelConfiguration, options: StrategyOptions) throws -> Hybrid {
    let shards = options.shards ?? 5
    let slices = options.slices ?? 4
    guard shards >= 1, slices >= 1 else { throw StrategyError("--shards and --slices must be at least 1") }
    let amendment = options.amendment ?? 1
    guard amendment >= 0 else {
      throw StrategyError(
        "--amendment must be 0 or more (epochs for an MLP, Newton steps for logistic), got \(amendment)")
    }
    let boundary = options.initialBoundary ?? 2
    guard boundary >= 1, boundary <= HybridCostModel.maximumBoundary else {
      throw StrategyError(
        "--initial-boundary is how many times the approximate path's cost exact retraining may take, "
          + "between 1 and \(Int(HybridCostModel.maximumBoundary)); got \(boundary)")
    }
    let tolerance = options.accuracyTolerance ?? 0.01
    guard tolerance >= 0, tolerance < 1 else {
      throw StrategyError("--accuracy-tolerance is a fraction of accuracy in [0, 1), got \(tolerance)")
    }
    return Hybrid(
      configuration: configuration, shards: shards, slices: slices, aggregation: options.aggregation ?? .vote,
      policy: options.policy ?? .adaptive, amendment: amendment, initialBoundary: boundary,
      accuracyTolerance: tolerance, workers: workers)
  }

  private static func puma(configuration: ModelConfiguration, options: StrategyOptions) throws -> PUMA {
    let fraction = options.validationFraction ?? 0.1
    guard fraction > 0, fraction < 1 else {
      throw StrategyError("--validation-fraction must be strictly between 0 and 1, got \(fraction)")
    }
    if options.validationPath != nil && options.validationFraction != nil {
      throw StrategyError("give either --validation FILE or --validation-fraction F, not both")
    }
    let eta = options.eta ?? 1
    let bound = options.weightBound ?? 1
    guard eta > 0, eta.isFinite, bound > 0, bound.isFinite else {
      throw StrategyError("--eta and --weight-bound must be positive numbers, got \(eta) and \(bound)")
    }
    let validation = try options.validationPath.map { try DatasetFile(path: $0).load() }
    return PUMA(
      configuration: configuration, validationFraction: fraction, validation: validation, weightBound: bound, eta: eta)
  }

  private static func lmeraser(configuration: ModelConfiguration, options: StrategyOptions) throws -> LMEraser {
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
      let fraction = options.publicFraction ?? 0.2
      guard fraction > 0, fraction < 1 else {
        throw StrategyError(
          "--public-fraction is the share of public samples, strictly between 0 and 1; got \(fraction)")
      }
      split = PublicSplit(fraction: fraction)
    }
    let minimum = options.minimumClusterSize ?? 100
    let maximum = options.maximumClusterSize ?? max(1000, 2 * minimum)
    guard minimum >= 1, 2 * minimum <= maximum else {
      throw StrategyError(
        "cluster bounds need 1 ≤ --min-cluster ≤ --max-cluster / 2 (so a split cluster stays above the minimum); "
          + "got \(minimum) and \(maximum)")
    }
    let epochs = options.headEpochs ?? 20
    guard epochs >= 1 else { throw StrategyError("--head-epochs must be at least 1, got \(epochs)") }
    return LMEraser(
      configuration: configuration, split: split, minimumClusterSize: minimum, maximumClusterSize: maximum,
      headEpochs: epochs, workers: workers)
  }

  /// The state stored in `archive`, of whichever strategy wrote it.
  public static func state(from archive: StateArchive, path: String) throws -> any StrategyState {
    switch archive.strategy {
    case Retrain.name: return try RetrainState(archive: archive, path: path)
    case NewtonRemoval.name: return try NewtonState(archive: archive, path: path)
    case SISA.name: return try SISAState(archive: archive, path: path)
    case ARCANE.name: return try ARCANEState(archive: archive, path: path)
    case LMEraser.name: return try LMEraserState(archive: archive, path: path)
    case PUMA.name: return try PUMAState(archive: archive, path: path)
    case Hybrid.name: return try HybridState(archive: archive, path: path)
    default:
      throw ModelFileError.unsupportedVersion(
        path,
        "it holds the state of strategy '\(archive.strategy)', which this build does not know "
          + "(it knows \(names.joined(separator: ", ")))")
    }
  }

  /// Reads the state file at `path`.
  public static func readState(from path: String) throws -> any StrategyState {
    try state(from: try StateFile.read(from: path), path: path)
  }
}

extension StrategyState {
  /// Writes this state to `path` atomically.
  public func write(to path: String) throws {
    try StateFile.write(try archive(), to: path)
  }
}
