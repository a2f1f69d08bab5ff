import ArgumentParser
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import UnlearnStore
import Unlearning

struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a model and write it to a model file, or with --strategy to a state file.",
    discussion: """
      Features are standardized on the training split. Logistic models are trained to \
      ‖∇L‖ ≤ tolerance·‖∇L(0)‖ with scikit-learn's objective (λ = 1/C, bias not regularized). \
      With --strategy the file is the strategy's state: what 'unlearn forget' reads to remove samples \
      later. It holds the training samples the strategy needs (for retrain: all of them).
      """
  )

  @Option(help: "The training data file.")
  var data: String

  @OptionGroup var testSet: TestSetOptions

  @OptionGroup var modelOptions: ModelOptions

  @Option(
    help: ArgumentHelp(
      "Train with this unlearning strategy and write its state (for 'unlearn forget') instead of a bare model.",
      valueName: StrategyCatalog.names.joined(separator: "|")))
  var strategy: String?

  @Option(help: "Where to write the model file (or, with --strategy, the state file).")
  var out: String?

  @Option(
    help: ArgumentHelp(
      "Register the trained state in this store, an SQLite file or PostgreSQL URL (needs --strategy and --name).",
      valueName: "db"))
  var store: String?

  @Option(help: "The model's name in the store.")
  var name: String?

  @Option(help: ArgumentHelp("The store's key file (default: the store's path + '.key').", valueName: "file"))
  var keyFile: String?

  @Option(help: "Output format for the training summary: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show training progress on stderr.")
  var noProgress = false

  @OptionGroup var dataset: DatasetOptions

  @OptionGroup var memory: MemoryLimitOption

  // Each strategy's own options, after the common ones (help lists them last, each led by the
  // strategies that use it).
  @OptionGroup var strategyOptions: StrategyOptionGroup

  func validate() throws {
    if store != nil {
      guard strategy != nil, name != nil else {
        throw ValidationError("--store needs --strategy (the state to keep) and --name (what requests call it)")
      }
      guard out == nil else {
        throw ValidationError(
          "--store and --out together would leave a second copy of the data outside the store, which "
            + "deletions there do not erase: give one of them")
      }
    } else {
      guard out != nil else { throw ValidationError("say where the model goes: --out FILE, or --store DB --name NAME") }
      guard name == nil else { throw ValidationError("--name applies with --store only") }
    }
    try strategyOptions.check(
      strategies: strategy.map { [$0] } ?? [],
      configuration: try modelOptions.configuration(certified: strategyOptions.certified))
  }

  func run() async throws {
    if let out { try OutputPath.checkWritable(out) }
    let opened = try store.map {
      try Store(location: $0, keyFile: keyFile ?? ProcessInfo.processInfo.environment["UNLEARN_STORE_KEY_FILE"])
    }
    let configuration = try modelOptions.configuration(certified: strategyOptions.certified)
    let split = try TrainingData.load(
      data: data, test: testSet.test, testFraction: testSet.testFraction, seed: configuration.seed, options: dataset)
    let progress = ProgressReporter(label: "training", enabled: !noProgress)
    let clock = ContinuousClock()
    let start = clock.now
    let report: TrainingOutcome
    if let strategy {
      var chosen = try StrategyCatalog.strategy(
        named: strategy, configuration: configuration, options: strategyOptions.options)
      if var newton = chosen as? NewtonRemoval {
        // The state is only written, and neither a file nor the store keeps H⁻¹.
        newton.invertsFactor = false
        chosen = newton
      }
      try memory.check(chosen, named: strategy, on: split.train)
      for warning in ShardSizeCheck.warnings(
        strategies: [strategy], trainCount: split.train.count, options: strategyOptions.options)
      {
        printToStandardError(warning)
      }
      let state = try chosen.fit(split.train, sourceSHA256: split.fileSHA256) { step in
        progress.show(step, epochs: configuration.epochs)
      }
      let seconds = (clock.now - start).seconds
      progress.finish("trained the \(strategy) state")
      if let out { try state.write(to: out) }
      if let opened, let name {
        try opened.registerModel(name: name, state: state, datasetName: (data as NSString).lastPathComponent)
      }
      report = TrainingOutcome(
        out: out ?? "\(store!) (model \(name!))", strategy: strategy, kind: configuration.kind,
        parameters: state.parameterCount,
        summary: state.trainingSummary, seconds: seconds, predict: state.predictedLabels, train: split.train,
        test: split.test)
    } else {
      let trained = try ModelTrainer(configuration: configuration).train(
        on: split.train, dataFileSHA256: split.fileSHA256
      ) { step in
        progress.show(step, epochs: configuration.epochs)
      }
      progress.finish(
        "trained (\(trained.summary.method), \(trained.summary.iterations) "
          + "\(configuration.kind == .mlp ? "epochs" : "iterations"))")
      try ModelFile.write(trained, to: out!)
      report = TrainingOutcome(
        out: out!, strategy: nil, kind: configuration.kind, parameters: trained.classifier.base.parameterCount,
        summary: trained.summary, seconds: trained.summary.seconds, predict: trained.predictedLabels,
        train: split.train, test: split.test)
    }
    switch format {
    case .json: print(try jsonString(report))
    case .text, .markdown: print(report.text(markdown: format == .markdown))
    }
    if report.converged == false {
      printToStandardError("warning: the optimizer stopped before reaching the tolerance; see 'converged' above")
    }
  }
}

/// The summary `unlearn train` prints.
struct TrainingOutcome: Encodable {
  let model: String
  let strategy: String?
  let kind: String
  let trainSamples: Int
  let testSamples: Int?
  let parameters: Int
  let method: String?
  let iterations: Int?
  /// Logistic: whether the tolerance was reached; nil for the MLP (stochastic training runs its epochs).
  let converged: Bool?
  let relativeGradientNorm: Double?
  let trainSeconds: Double
  let secondsPerEpoch: Double?
  let trainAccuracy: Double
  let testAccuracy: Double?
  /// The process's peak resident memory after training (`PeakMemory`): for `--strategy newton`,
  /// mostly the P × P Hessian factor.
  let peakMemoryBytes: Int?

  enum CodingKeys: String, CodingKey {
    case model, strategy, kind, parameters, method, iterations, converged
    case trainSamples = "n_train"
    case testSamples = "n_test"
    case relativeGradientNorm = "relative_gradient_norm"
    case trainSeconds = "fit_seconds"
    case secondsPerEpoch = "seconds_per_epoch"
    case trainAccuracy = "train_accuracy"
    case testAccuracy = "test_accuracy"
    case peakMemoryBytes = "peak_memory_bytes"
  }

  init(
    out: String, strategy: String?, kind: ModelKind, parameters: Int, summary: TrainingSummary?, seconds: Double,
    predict: (Matrix) -> [Int], train: Dataset, test: Dataset?
  ) {
    func accuracy(_ data: Dataset) -> Double {
      ClassificationMetrics(
        trueLabels: data.labels, predictedLabels: predict(data.features), classNames: data.classNames
      ).accuracy
    }
    self.model = out
    self.strategy = strategy
    self.kind = kind.rawValue
    self.trainSamples = train.count
    self.testSamples = test?.count
    self.parameters = parameters
    self.method = summary?.method
    self.iterations = summary?.iterations
    self.converged = summary?.relativeGradientNorm == nil ? nil : summary?.isConverged
    self.relativeGradientNorm = summary?.relativeGradientNorm
    self.trainSeconds = seconds
    self.secondsPerEpoch = summary?.secondsPerEpoch
    self.trainAccuracy = accuracy(train)
    self.testAccuracy = test.map(accuracy)
    self.peakMemoryBytes = PeakMemory.residentBytes()
  }

  func text(markdown: Bool) -> String {
    var rows: [(String, String)] = [(strategy == nil ? "model file" : "state file", model)]
    if let strategy { rows.append(("strategy", strategy)) }
    rows += [("kind", kind), ("parameters", "\(parameters)"), ("train samples", "\(trainSamples)")]
    if let method { rows.append(("method", method)) }
    if let iterations { rows.append((kind == "mlp" ? "epochs" : "iterations", "\(iterations)")) }
    if let converged { rows.append(("converged", converged ? "yes" : "no")) }
    if let relativeGradientNorm { rows.append(("‖∇L‖/‖∇L(0)‖", String(format: "%.2e", relativeGradientNorm))) }
    rows.append(("fit seconds", String(format: "%.3f", trainSeconds)))
    if let secondsPerEpoch { rows.append(("seconds per epoch", String(format: "%.3f", secondsPerEpoch))) }
    if let peakMemoryBytes {
      rows.append(("peak memory MiB", String(format: "%.1f", Double(peakMemoryBytes) / 1_048_576)))
    }
    rows.append(("train accuracy", String(format: "%.4f", trainAccuracy)))
    if let testSamples, let testAccuracy {
      rows.append(("test samples", "\(testSamples)"))
      rows.append(("test accuracy", String(format: "%.4f", testAccuracy)))
    }
    return TextTable.keyValue(rows, markdown: markdown)
  }
}
