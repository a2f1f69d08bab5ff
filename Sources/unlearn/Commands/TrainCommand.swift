import ArgumentParser
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels

struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a model and write it to a model file.",
    discussion: """
      Features are standardized on the training split. Logistic models are trained to \
      ‖∇L‖ ≤ tolerance·‖∇L(0)‖ with scikit-learn's objective (λ = 1/C, bias not regularized).
      """
  )

  @Option(help: "The training data file.")
  var data: String

  @Option(help: "A separate test file (same format and classes as the training data).")
  var test: String?

  @Option(help: "Hold out this fraction of --data, stratified by class and seeded, as the test set.")
  var testFraction: Double?

  @Option(help: "Model kind: logistic or mlp.")
  var model: ModelKind

  @Option(name: .customLong("C"), help: "Inverse L2 regularization strength (λ = 1/C).")
  var inverseRegularization: Double = 1

  @Option(help: "Logistic: optimizer (automatic, newton, lbfgs).")
  var solver: LogisticRegressionTrainer.Method = .automatic

  @Option(help: "Logistic: stop when ‖∇L‖ ≤ tolerance · ‖∇L(0)‖.")
  var tolerance: Double = 1e-8

  @Option(help: "MLP: hidden layer widths, comma separated.")
  var hidden: String = "256"

  @Option(help: "MLP: training epochs.")
  var epochs: Int = 10

  @Option(help: "Seed for the split, initialization and shuffling.")
  var seed: UInt64 = 0

  @Option(help: "Where to write the model file.")
  var out: String

  @Option(help: "Output format for the training summary: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show training progress on stderr.")
  var noProgress = false

  @OptionGroup var dataset: DatasetOptions

  func validate() throws {
    if test != nil && testFraction != nil { throw ValidationError("pass --test or --test-fraction, not both") }
    if let testFraction, !(testFraction > 0 && testFraction < 1) {
      throw ValidationError("--test-fraction must be between 0 and 1 (exclusive), got \(testFraction)")
    }
    guard inverseRegularization > 0, inverseRegularization.isFinite else {
      throw ValidationError("--C must be positive, got \(inverseRegularization)")
    }
    guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") }
    guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
    _ = try hiddenLayers()
  }

  func hiddenLayers() throws -> [Int] {
    let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--hidden takes positive layer widths separated by commas, e.g. 256,128; got '\(hidden)'")
    }
    return widths.compactMap { $0 }
  }

  func run() async throws {
    // Fail before training, not after it, when the model cannot be written.
    let folder = (out as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
      throw CommandError("--out: the folder '\(folder)' does not exist or is not writable")
    }
    let configuration = ModelConfiguration(
      kind: model, inverseRegularization: inverseRegularization, solver: solver, relativeTolerance: tolerance,
      hiddenLayers: try hiddenLayers(), epochs: epochs, seed: seed)
    let split = try TrainingData.load(
      data: data, test: test, testFraction: testFraction, seed: seed, options: dataset)
    let progress = ProgressReporter(label: "training", enabled: !noProgress)
    let trained = try ModelTrainer(configuration: configuration).train(
      on: split.train, dataFileSHA256: split.fileSHA256
    ) { step in
      if let relative = step.relativeGradientNorm {
        progress.update(
          fraction: nil,
          "iteration \(step.step)  loss \(String(format: "%.6g", step.loss))  "
            + "‖∇L‖/‖∇L(0)‖ \(String(format: "%.2e", relative))")
      } else {
        progress.update(
          fraction: step.fraction, "epoch \(step.step)/\(epochs)  loss \(String(format: "%.4f", step.loss))")
      }
    }
    progress.finish(
      "\(trained.summary.method): \(trained.summary.iterations) \(model == .mlp ? "epochs" : "iterations")")
    try ModelFile.write(trained, to: out)
    let report = TrainingOutcome(
      model: trained, out: out, train: split.train, test: split.test)
    switch format {
    case .json: print(try jsonString(report))
    case .text, .markdown: print(report.text(markdown: format == .markdown))
    }
    if model == .logistic && !trained.summary.isConverged {
      printToStandardError("warning: the optimizer stopped before reaching the tolerance; see 'converged' above")
    }
  }
}

/// The summary `unlearn train` prints.
struct TrainingOutcome: Encodable {
  let model: String
  let kind: String
  let trainSamples: Int
  let testSamples: Int?
  let parameters: Int
  let method: String
  let iterations: Int
  /// Logistic: whether the tolerance was reached; nil for the MLP (stochastic training runs its epochs).
  let converged: Bool?
  let relativeGradientNorm: Double?
  let trainSeconds: Double
  let secondsPerEpoch: Double?
  let trainAccuracy: Double
  let testAccuracy: Double?

  enum CodingKeys: String, CodingKey {
    case model, kind, parameters, method, iterations, converged
    case trainSamples = "n_train"
    case testSamples = "n_test"
    case relativeGradientNorm = "relative_gradient_norm"
    case trainSeconds = "fit_seconds"
    case secondsPerEpoch = "seconds_per_epoch"
    case trainAccuracy = "train_accuracy"
    case testAccuracy = "test_accuracy"
  }

  init(model trained: TrainedModel, out: String, train: Dataset, test: Dataset?) {
    func accuracy(_ data: Dataset) -> Double {
      ClassificationMetrics(
        trueLabels: data.labels, predictedLabels: trained.predictedLabels(for: data.features),
        classNames: data.classNames
      ).accuracy
    }
    model = out
    kind = trained.configuration.kind.rawValue
    trainSamples = train.count
    testSamples = test?.count
    parameters = trained.classifier.base.parameterCount
    method = trained.summary.method
    iterations = trained.summary.iterations
    converged = trained.summary.relativeGradientNorm == nil ? nil : trained.summary.isConverged
    relativeGradientNorm = trained.summary.relativeGradientNorm
    trainSeconds = trained.summary.seconds
    secondsPerEpoch = trained.summary.secondsPerEpoch
    trainAccuracy = accuracy(train)
    testAccuracy = test.map(accuracy)
  }

  func text(markdown: Bool) -> String {
    var rows: [(String, String)] = [
      ("model file", model), ("kind", kind), ("parameters", "\(parameters)"),
      ("train samples", "\(trainSamples)"), ("method", method), ("iterations", "\(iterations)"),
    ]
    if let converged { rows.append(("converged", converged ? "yes" : "no")) }
    if let relativeGradientNorm { rows.append(("‖∇L‖/‖∇L(0)‖", String(format: "%.2e", relativeGradientNorm))) }
    rows.append(("fit seconds", String(format: "%.3f", trainSeconds)))
    if let secondsPerEpoch { rows.append(("seconds per epoch", String(format: "%.3f", secondsPerEpoch))) }
    rows.append(("train accuracy", String(format: "%.4f", trainAccuracy)))
    if let testSamples, let testAccuracy {
      rows.append(("test samples", "\(testSamples)"))
      rows.append(("test accuracy", String(format: "%.4f", testAccuracy)))
    }
    if markdown {
      return (["| | |", "|---|---|"] + rows.map { "| \($0.0) | \($0.1) |" }).joined(separator: "\n")
    }
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
      .joined(separator: "\n")
  }
}

extension ModelKind: ExpressibleByArgument {}
extension LogisticRegressionTrainer.Method: ExpressibleByArgument {}
