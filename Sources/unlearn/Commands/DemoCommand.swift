import ArgumentParser
import Foundation
import UnlearnEvaluation
import UnlearnModels
import Unlearning

struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "The main job on bundled real data: train, forget a random 2% with every strategy, compare.",
    discussion: """
      Runs 'unlearn compare' on the bundled digits data (UCI optical digits, 8×8 images, 10 classes) \
      for a softmax logistic regression and for an MLP, forgetting a seeded random 2% of the training \
      split with every strategy this build has for that model, and prints both comparison tables. \
      With --format json the output is one document: {"comparisons": [<compare JSON>, ...]}.
      """
  )

  @Option(help: "The data to run on (found from the repository root).")
  var data: String = "data/digits.csv"

  @Option(help: "Seed for the split, the forget set and training.")
  var seed: UInt64 = 1

  @Option(help: "Output format: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show progress on stderr.")
  var noProgress = false

  @OptionGroup var dataset: DatasetOptions

  /// The demo's JSON: every comparison in one document.
  struct Comparisons: Encodable {
    let comparisons: [ComparisonReport]
  }

  func run() async throws {
    guard FileManager.default.fileExists(atPath: data) else {
      throw CommandError("\(data): not found; run the demo from the repository root (make demo) or pass --data FILE")
    }
    let split = try TrainingData.load(data: data, test: nil, testFraction: 0.2, seed: seed, options: dataset)
    let configurations = [
      ModelConfiguration(kind: .logistic, seed: seed),
      ModelConfiguration(kind: .mlp, hiddenLayers: [128], epochs: 20, seed: seed),
    ]
    var reports: [ComparisonReport] = []
    for configuration in configurations {
      reports.append(
        try ComparisonRun(
          split: split, configuration: configuration, forget: .randomFraction(0.02),
          strategies: StrategyCatalog.names.filter { StrategyCatalog.supports($0, configuration) },
          showsProgress: !noProgress
        ).report())
    }
    if format == .json {
      print(try jsonString(Comparisons(comparisons: reports)))
      return
    }
    let tables = try reports.map { try ComparisonTable.render($0, format: format) }
    print((tables + [Self.nextSteps(data: data)]).joined(separator: "\n\n"))
  }

  /// What to try after the demo, with commands that run as written from the repository root.
  static func nextSteps(data: String) -> String {
    """
    What to try next (`make install` puts `unlearn` on your PATH; or call .build/release/unlearn):
      unlearn compare --train \(data) --model logistic --strategies retrain,newton,sisa --forget random:10
          the same comparison on your choice of strategies and forget set (your own CSV works too)
      unlearn train --data data/breast_cancer.csv --model logistic --strategy newton --out bc.uls
      unlearn forget --state bc.uls --id 3 --id 10 --out bc.uls --format json
          train once, then forget samples by id; the report says how close to retraining it landed
      scripts/demo-store unlearn
          the same job the way a service does it: a store, deletion requests, an audit log
    The README's walkthrough and docs/methods.md explain each step.
    """
  }
}
