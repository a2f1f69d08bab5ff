import ArgumentParser
import Foundation
import UnlearnData
import UnlearnEvaluation
import UnlearnModels

struct EvaluateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Accuracy, per-class precision and recall, and the confusion matrix of a model on a dataset."
  )

  @Option(
    help: "A model file from 'unlearn train', or a state file from 'unlearn train --strategy' or 'unlearn forget'.")
  var model: String

  @Option(help: "The labelled data to evaluate on.")
  var data: String

  @Option(help: "Output format: text, json or markdown.")
  var format: OutputFormat = .text

  @OptionGroup var dataset: DatasetOptions

  func run() async throws {
    let trained = try LoadedModel.read(from: model)
    let evaluation = try trained.evaluationData(data, options: dataset)
    let metrics = ClassificationMetrics(
      trueLabels: evaluation.labels, predictedLabels: trained.probabilities(evaluation.features).indicesOfRowMaxima(),
      classNames: trained.classNames)
    switch format {
    case .json: print(try jsonString(metrics))
    case .text: print(Self.text(metrics, markdown: false))
    case .markdown: print(Self.text(metrics, markdown: true))
    }
  }

  static func text(_ metrics: ClassificationMetrics, markdown: Bool) -> String {
    func percent(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
    let names = metrics.classes.map(\.name)
    var lines: [String] = []
    if markdown {
      lines.append("accuracy **\(percent(metrics.accuracy))** on \(metrics.sampleCount) samples")
      lines.append("")
      lines.append("| class | support | precision | recall |")
      lines.append("|---|---|---|---|")
      for entry in metrics.classes {
        lines.append("| \(entry.name) | \(entry.support) | \(percent(entry.precision)) | \(percent(entry.recall)) |")
      }
      lines.append("")
      lines.append("| true \\ predicted | " + names.joined(separator: " | ") + " |")
      lines.append("|---|" + String(repeating: "---|", count: names.count))
      for (index, row) in metrics.confusion.enumerated() {
        lines.append("| \(names[index]) | " + row.map(String.init).joined(separator: " | ") + " |")
      }
      return lines.joined(separator: "\n")
    }
    lines.append("accuracy  \(percent(metrics.accuracy))  (\(metrics.sampleCount) samples)")
    lines.append("")
    let nameWidth = max(5, names.map(\.count).max() ?? 0)
    func pad(_ text: String, _ width: Int) -> String {
      String(repeating: " ", count: max(0, width - text.count)) + text
    }
    lines.append(pad("class", nameWidth) + pad("support", 9) + pad("precision", 11) + pad("recall", 9))
    for entry in metrics.classes {
      lines.append(
        pad(entry.name, nameWidth) + pad("\(entry.support)", 9) + pad(percent(entry.precision), 11)
          + pad(percent(entry.recall), 9))
    }
    lines.append("")
    lines.append("confusion (rows: true class, columns: predicted)")
    let cellWidth = max(nameWidth, (metrics.confusion.flatMap { $0 }.map { String($0).count }.max() ?? 1) + 1)
    lines.append(pad("", nameWidth) + names.map { pad($0, cellWidth + 1) }.joined())
    for (index, row) in metrics.confusion.enumerated() {
      lines.append(pad(names[index], nameWidth) + row.map { pad("\($0)", cellWidth + 1) }.joined())
    }
    return lines.joined(separator: "\n")
  }
}
