import ArgumentParser
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import Unlearning

struct CompareCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Forget the same samples with several strategies and compare them with retraining from scratch.",
    discussion: """
      Every strategy trains once on the same training split with the same configuration and seed, \
      then forgets the same forget set F; the retrain row (always present, always first) is the \
      reference the others are compared with. mia_auc is the loss-threshold membership attack's AUC \
      of telling F from the test set (0.5: F looks unseen); the original model's figures are under \
      "original" in the JSON. Without --test or --test-fraction, 20% of --train is held out. Set \
      OPENBLAS_NUM_THREADS=1 for bit-for-bit reproducibility.
      """
  )

  @Option(help: "The training data file.")
  var train: String

  @OptionGroup var testSet: TestSetOptions

  @OptionGroup var modelOptions: ModelOptions

  @Option(
    help: ArgumentHelp(
      "The forget set: a random fraction, percentage or count of the training set, a whole class, or ids in a file.",
      valueName: "random:0.01|random:1%|random:50|class:NAME|ids:FILE"))
  var forget: String = "random:0.01"

  @Option(
    help: ArgumentHelp(
      "Strategies to compare, comma separated (retrain is always run as the reference). (default: every strategy that supports the model)",
      valueName: StrategyCatalog.names.joined(separator: ",")))
  var strategies: String?

  @Option(
    help: ArgumentHelp(
      "Also estimate the empirical ε̂ (docs/methods.md, Evidence) from N unlearned and N retrained models per strategy.",
      valueName: "N"))
  var epsilonAudit: Int?

  @Option(help: "Output format: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show progress on stderr.")
  var noProgress = false

  @OptionGroup var dataset: DatasetOptions

  @OptionGroup var memory: MemoryLimitOption

  // Each strategy's own options, after the common ones (help lists them last, each led by the
  // strategies that use it).
  @OptionGroup var strategyOptions: StrategyOptionGroup

  func validate() throws {
    do {
      _ = try ForgetSelection(parsing: forget)
    } catch {
      throw ValidationError("\(error)")
    }
    let configuration = try modelOptions.configuration(certified: strategyOptions.certified)
    try strategyOptions.check(
      strategies: try StrategySelection(parsing: strategies, configuration: configuration).names,
      configuration: configuration)
    if let epsilonAudit, epsilonAudit < 2 { throw ValidationError("--epsilon-audit needs at least 2 models") }
  }

  func run() async throws {
    let configuration = try modelOptions.configuration(certified: strategyOptions.certified)
    let split = try TrainingData.load(
      data: train, test: testSet.test, testFraction: testSet.test == nil ? (testSet.testFraction ?? 0.2) : nil,
      seed: configuration.seed,
      options: dataset)
    let report = try ComparisonRun(
      split: split, configuration: configuration, forget: try ForgetSelection(parsing: forget),
      strategies: try StrategySelection(parsing: strategies, configuration: configuration).names,
      options: strategyOptions.options,
      auditModels: epsilonAudit ?? 0, showsProgress: !noProgress, memoryLimitBytes: memory.limitBytes
    ).report()
    print(try ComparisonTable.render(report, format: format))
  }
}

/// The strategies `--strategies` names, checked against the catalog.
struct StrategySelection {
  let names: [String]

  init(parsing text: String?, configuration: ModelConfiguration) throws {
    guard let text else {
      names = StrategyCatalog.names.filter { StrategyCatalog.supports($0, configuration) }
      return
    }
    let requested = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !requested.isEmpty, requested.allSatisfy({ !$0.isEmpty }) else {
      throw ValidationError("--strategies takes strategy names separated by commas, got '\(text)'")
    }
    let unknown = requested.filter { !StrategyCatalog.names.contains($0) }
    guard unknown.isEmpty else {
      throw ValidationError(
        "unknown strateg\(unknown.count == 1 ? "y" : "ies") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
          + "this build has \(StrategyCatalog.names.joined(separator: ", "))")
    }
    var seen = Set<String>()
    names = requested.filter { seen.insert($0).inserted }
  }
}

/// One comparison as the CLI runs it: pick the forget set, run every strategy with progress on
/// stderr, and assemble the report.
struct ComparisonRun {
  let split: TrainingData
  let configuration: ModelConfiguration
  let forget: ForgetSelection
  let strategies: [String]
  var options = StrategyOptions()
  /// N for the ε̂ audit; 0 for none.
  var auditModels = 0
  let showsProgress: Bool
  /// The memory a strategy's training may plan to take (`--max-memory`).
  var memoryLimitBytes = MemoryLimitOption.defaultLimitBytes

  func report() throws -> ComparisonReport {
    guard let test = split.test, test.count > 0 else {
      throw CommandError("the comparison needs a non-empty test set; pass --test FILE or --test-fraction F")
    }
    var base = SeededGenerator(seed: configuration.seed)
    var generator = base.split()
    let otherNames = strategies.filter { $0 != Retrain.name }
    let others = try otherNames.map {
      try StrategyCatalog.strategy(named: $0, configuration: configuration, options: options)
    }
    for (name, strategy) in zip(otherNames, others) {
      try MemoryLimitOption.check(strategy, named: name, on: split.train, limitBytes: memoryLimitBytes)
    }
    for warning in ShardSizeCheck.warnings(strategies: strategies, trainCount: split.train.count, options: options) {
      printToStandardError(warning)
    }
    // Forget sets are drawn among samples every strategy can erase (not LMEraser's public ones).
    let erasable = split.train.ids.indices.filter { row in others.allSatisfy { $0.canErase(split.train.ids[row]) } }
    let candidates = erasable.count == split.train.count ? split.train : split.train.subset(rows: erasable)
    let forgetIDs = try forget.select(from: candidates, using: &generator)
    let comparison = Comparison(
      training: split.train, test: test, forgetIDs: forgetIDs, sourceSHA256: split.fileSHA256)
    let progress = ProgressReporter(label: "compare", enabled: showsProgress)
    let results = try comparison.run(reference: Retrain(configuration: configuration), strategies: others) { event in
      if let step = event.training {
        progress.show(step, epochs: configuration.epochs, prefix: "\(event.strategy) \(event.phase.rawValue): ")
      } else {
        progress.update(fraction: nil, "\(event.strategy) \(event.phase.rawValue)", force: true)
      }
    }
    var rows = results
    if auditModels > 0 {
      let audits = try comparison.epsilonAudit(
        models: auditModels, seed: configuration.seed, strategies: rows.map(\.strategy),
        make: { name, seed in
          var seeded = configuration
          seeded.seed = seed
          return try StrategyCatalog.strategy(named: name, configuration: seeded, options: options)
        },
        progress: { progress.update(fraction: nil, $0, force: true) })
      for index in rows.indices { rows[index].epsilonAudit = audits[rows[index].strategy] }
    }
    progress.finish("compared \(results.count) strateg\(results.count == 1 ? "y" : "ies")")
    return ComparisonReport(
      dataset: split.train.name, model: configuration.kind.rawValue, trainCount: split.train.count,
      testCount: test.count, forgetCount: forgetIDs.count, seed: configuration.seed,
      forgetSelection: forget.description, results: rows)
  }
}
