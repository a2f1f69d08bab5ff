import ArgumentParser
import UnlearnModels
import Unlearning

/// Every strategy's own options, on `train` and `compare`. Each goes to the strategies that use
/// it; one that no chosen strategy uses is a usage error rather than silently ignored.
struct StrategyOptionGroup: ParsableArguments {
  @Flag(help: "newton: certified (ε, δ) removal (binary models; needs --epsilon and --delta).")
  var certified = false

  @Option(help: "newton --certified: the privacy parameter ε.")
  var epsilon: Double?

  @Option(help: "newton --certified: the privacy parameter δ.")
  var delta: Double?

  @Option(help: "newton --certified: the objective-perturbation noise scale σ. (default: 1)")
  var sigma: Double?

  @Option(help: "newton, --model mlp: epochs of fine-tuning on the remaining data after the step. (default: 0)")
  var finetuneEpochs: Int?

  @Option(help: "sisa, hybrid: the number of shards S. (default: 5)")
  var shards: Int?

  @Option(help: "sisa, hybrid: slices per shard R. (default: 4)")
  var slices: Int?

  @Option(help: "sisa, hybrid: how shard models are combined: vote or mean. (default: vote)")
  var aggregation: SISA.Aggregation?

  @Option(
    help:
      "hybrid: exact (always retrain the affected slices), approximate (always Newton step + amendment) or adaptive (choose by estimated cost). (default: adaptive)"
  )
  var policy: Hybrid.Policy?

  @Option(
    help:
      "hybrid: the amendment after the approximate step: fine-tuning epochs (MLP) or Newton steps (logistic) on the shard's remaining samples. (default: 1)"
  )
  var amendment: Int?

  @Option(
    help:
      "hybrid: retrain while the estimated exact cost is at most this many times the approximate one; adapts from measured accuracy. (default: 2)"
  )
  var initialBoundary: Double?

  @Option(
    help:
      "hybrid: accuracy (fraction) an approximate update may lose beyond retraining's before exact retraining is favoured more. (default: 0.01)"
  )
  var accuracyTolerance: Double?

  @Option(help: "arcane: blocks (checkpointed training stages) per class. (default: 4)")
  var blocks: Int?

  @Option(
    help:
      "arcane: cosine similarity, on features standardized by the kept samples, at which a sample past the first 50 of its class counts as repeating a kept one and is left out of training; 1 or more keeps every sample. (default: 0.95)"
  )
  var redundancy: Double?

  @Option(
    help: ArgumentHelp(
      "arcane: a CSV of id,likelihood (0–1) deletion likelihoods; likely deletions train in later blocks. (default: uniform)",
      valueName: "file"))
  var deletionLikelihood: String?

  @Option(help: "lmeraser: the share of samples that are public (backbone data, never erased). (default: 0.2)")
  var publicFraction: Double?

  @Option(
    name: .customLong("public"),
    help: ArgumentHelp(
      "lmeraser: a file of public sample ids, one per line (instead of --public-fraction).", valueName: "file"))
  var publicIDs: String?

  @Option(help: "lmeraser: the smallest private cluster. (default: 100)")
  var minCluster: Int?

  @Option(help: "lmeraser: the largest private cluster (at least twice --min-cluster). (default: 1000)")
  var maxCluster: Int?

  @Option(help: "lmeraser: epochs for each cluster's prompt and head. (default: 20)")
  var headEpochs: Int?

  @Option(help: "puma: the share of training samples held out as the validation set. (default: 0.1)")
  var validationFraction: Double?

  @Option(
    help: ArgumentHelp("puma: a separate validation data file (instead of --validation-fraction).", valueName: "file"))
  var validation: String?

  @Option(help: "puma: the step size η of the projected gradient steps on the sample weights. (default: 1)")
  var eta: Double?

  @Option(help: "puma: the bound on the L2 norm of the sample weight changes. (default: 1)")
  var weightBound: Double?

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
