import ArgumentParser
import UnlearnData
import UnlearnModels

/// The model a command trains: kind, regularization, optimizer and seed. Shared by `train`,
/// `compare` and `demo`. An option that only applies to the other model kind is an error rather
/// than silently ignored.
struct ModelOptions: ParsableArguments {
  @Option(help: "Model kind: logistic or mlp.")
  var model: ModelKind

  @Option(name: .customLong("C"), help: "Inverse L2 regularization strength (λ = 1/C).")
  var inverseRegularization: Double = 1

  @Option(help: "Logistic: optimizer (automatic, newton, lbfgs, trust-region). (default: automatic)")
  var solver: LogisticRegressionTrainer.Method?

  @Option(help: "Logistic: stop when ‖∇L‖ ≤ tolerance · ‖∇L(0)‖. (default: 1e-8)")
  var tolerance: Double?

  @Option(help: "MLP: hidden layer widths, comma separated. (default: 256)")
  var hidden: String?

  @Option(help: "MLP: training epochs. (default: 10)")
  var epochs: Int?

  @Option(help: "MLP: minibatch size. (default: 128)")
  var batchSize: Int?

  @Option(help: "MLP: Adam's step size. (default: 0.001)")
  var learningRate: Double?

  @Option(help: "Seed for the test split, initialization and shuffling (and compare's forget set).")
  var seed: UInt64 = 0

  @Option(
    help: ArgumentHelp(
      "Feature scaling: fitted (standardize with the training data's means and deviations), none, or a JSON file "
        + #"{"means": [...], "scales": [...]} with statistics computed elsewhere, e.g. on public data. "#
        + "(default: fitted; none for certified removal)",
      valueName: "fitted|none|file"))
  var scaling: String?

  func validate() throws {
    guard inverseRegularization > 0, inverseRegularization.isFinite else {
      throw ValidationError("--C must be positive, got \(inverseRegularization)")
    }
    let mlpOnly = [
      ("--hidden", hidden != nil), ("--epochs", epochs != nil), ("--batch-size", batchSize != nil),
      ("--learning-rate", learningRate != nil),
    ]
    let logisticOnly = [("--solver", solver != nil), ("--tolerance", tolerance != nil)]
    let misplaced = (model == .logistic ? mlpOnly : logisticOnly).filter(\.1).map(\.0)
    if !misplaced.isEmpty {
      throw ValidationError(
        "\(misplaced.joined(separator: ", ")) \(misplaced.count == 1 ? "applies" : "apply") to "
          + "--model \(model == .logistic ? "mlp" : "logistic") only; remove \(misplaced.count == 1 ? "it" : "them")")
    }
    if let tolerance, !(tolerance > 0) { throw ValidationError("--tolerance must be positive") }
    if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
    if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
    if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
      throw ValidationError("--learning-rate must be positive")
    }
    _ = try hiddenLayers()
  }

  func hiddenLayers() throws -> [Int] {
    guard let hidden else { return ModelConfiguration(kind: .mlp).hiddenLayers }
    let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--hidden takes positive layer widths separated by commas, e.g. 256,128; got '\(hidden)'")
    }
    return widths.compactMap { $0 }
  }

  /// The scaling `--scaling` names; without it, fitted, or none for certified removal (whose
  /// guarantee does not cover statistics fitted on the training data).
  func featureScaling(certified: Bool) throws -> FeatureScaling {
    switch scaling {
    case nil: return certified ? .none : .fitted
    case "fitted": return .fitted
    case "none": return FeatureScaling.none
    case let path?:
      do {
        return .given(try Standardizer.load(from: path))
      } catch let error as DataError {
        throw ValidationError("--scaling: \(error)")
      }
    }
  }

  func configuration(certified: Bool = false) throws -> ModelConfiguration {
    let defaults = ModelConfiguration(kind: model)
    return ModelConfiguration(
      kind: model, inverseRegularization: inverseRegularization, solver: solver ?? defaults.solver,
      relativeTolerance: tolerance ?? defaults.relativeTolerance, hiddenLayers: try hiddenLayers(),
      epochs: epochs ?? defaults.epochs, batchSize: batchSize ?? defaults.batchSize,
      learningRate: learningRate ?? defaults.learningRate, seed: seed,
      scaling: try featureScaling(certified: certified))
  }
}

extension ModelKind: ExpressibleByArgument {}
extension LogisticRegressionTrainer.Method: ExpressibleByArgument {}
