import ArgumentParser
import Foundation
import UnlearnModels
import Unlearning

struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "The main job on bundled real data: train, forget a random 2% with every strategy, compare.",
    discussion: """
      Runs 'unlearn compare' on the bundled digits data (UCI optical digits, 8×8 images, 10 classes) \
      for a softmax logistic regression and for an MLP, forgetting a seeded random 2% of the training \
      split with every strategy this build has for that model, and prints both comparison tables.
      """
  )

  @Option(help: "The data to run on (default: the bundled digits, found from the repository root).")
  var data: String = "data/digits.csv"

  @Option(help: "Seed for the split, the forget set and training.")
  var seed: UInt64 = 1

  @Option(help: "Output format: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show progress on stderr.")
  var noProgress = false

  @OptionGroup var dataset: DatasetOptions

  func run() async throws {
    guard FileManager.default.fileExists(atPath: data) else {
      throw CommandError("\(data): not found; run the demo from the repository root (make demo) or pass --data FILE")
    }
    let split = try TrainingData.load(data: data, test: nil, testFraction: 0.2, seed: seed, options: dataset)
    let configurations = [
      ModelConfiguration(kind: .logistic, seed: seed),
      ModelConfiguration(kind: .mlp, hiddenLayers: [128], epochs: 20, seed: seed),
    ]
    var reports: [String] = []
    for configuration in configurations {
      let report = try ComparisonRun(
        split: split, configuration: configuration, forget: .randomFraction(0.02),
        strategies: StrategyCatalog.names.filter { StrategyCatalog.supports($0, configuration) },
        showsProgress: !noProgress
      ).report()
      reports.append(try ComparisonTable.render(report, format: format))
    }
    print(reports.joined(separator: "\n\n"))
  }
}
