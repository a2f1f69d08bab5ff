import ArgumentParser
import UnlearnModels
import Unlearning

/// Every strategy's own options, on `train` and `compare`. Each goes to the strategies that use
/// it; one that no chosen strategy uses is a usage error rather than silently ignored. The
/// strategies describe their options (`StrategyCatalog.descriptions`); ArgumentParser needs each
/// declared here, and a test checks the two list the same flags.
struct StrategyOptionGroup: ParsableArguments {
  @Flag(help: help("--certified"))
  var certified = false

  @Option(help: help("--epsilon"))
  var epsilon: Double?

  @Option(help: help("--delta"))
  var delta: Double?

  @Option(help: help("--sigma"))
  var sigma: Double?

  @Option(help: help("--finetune-epochs"))
  var finetuneEpochs: Int?

  @Option(help: help("--shards"))
  var shards: Int?

  @Option(help: help("--slices"))
  var slices: Int?

  @Option(help: help("--aggregation"))
  var aggregation: SISA.Aggregation?

  @Option(help: help("--policy"))
  var policy: Hybrid.Policy?

  @Option(help: help("--amendment"))
  var amendment: Int?

  @Option(help: help("--initial-boundary"))
  var initialBoundary: Double?

  @Option(help: help("--accuracy-tolerance"))
  var accuracyTolerance: Double?

  @Option(help: help("--blocks"))
  var blocks: Int?

  @Option(help: help("--redundancy"))
  var redundancy: Double?

  @Option(help: help("--deletion-likelihood"))
  var deletionLikelihood: String?

  @Option(help: help("--public-fraction"))
  var publicFraction: Double?

  @Option(name: .customLong("public"), help: help("--public"))
  var publicIDs: String?

  @Option(help: help("--min-cluster"))
  var minCluster: Int?

  @Option(help: help("--max-cluster"))
  var maxCluster: Int?

  @Option(help: help("--head-epochs"))
  var headEpochs: Int?

  @Option(help: help("--validation-fraction"))
  var validationFraction: Double?

  @Option(help: help("--validation"))
  var validation: String?

  @Option(help: help("--eta"))
  var eta: Double?

  @Option(help: help("--weight-bound"))
  var weightBound: Double?

  /// The strategies' own description of option `flag` (`StrategyDescription`), as `--help` shows it.
  static func help(_ flag: String) -> ArgumentHelp {
    ArgumentHelp(
      StrategyCatalog.help(for: flag),
      valueName: StrategyCatalog.options.first { $0.flag == flag }?.valueName)
  }

  var options: StrategyOptions {
    StrategyOptions(
      certified: certified, epsilon: epsilon, delta: delta, sigma: sigma, finetuneEpochs: finetuneEpochs,
      shards: shards, slices: slices, aggregation: aggregation, policy: policy, amendment: amendment,
      initialBoundary: initialBoundary, accuracyTolerance: accuracyTolerance, blocks: blocks, redundancy: redundancy,
      deletionLikelihoodPath: deletionLikelihood, publicFraction: publicFraction, publicIDsPath: publicIDs,
      minimumClusterSize: minCluster, maximumClusterSize: maxCluster, headEpochs: headEpochs,
      validationFraction: validationFraction, validationPath: validation, eta: eta, weightBound: weightBound)
  }

  /// Checks the options against the chosen strategies and builds each one, as a usage error.
  func check(strategies: [String], configuration: ModelConfiguration) throws {
    do {
      try StrategyCatalog.checkOptions(options, usedBy: strategies)
      for name in strategies {
        _ = try StrategyCatalog.strategy(named: name, configuration: configuration, options: options)
      }
    } catch let error as StrategyError {
      throw ValidationError(error.description)
    }
  }
}

extension SISA.Aggregation: ExpressibleByArgument {}
extension Hybrid.Policy: ExpressibleByArgument {}
