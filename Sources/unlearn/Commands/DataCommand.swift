import ArgumentParser
import Foundation
import UnlearnData

struct DataCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Look at datasets before training on them.",
    subcommands: [Inspect.self]
  )

  struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print rows, features, classes with counts, where sample ids come from, and sha256.",
      discussion: """
        FILE is a CSV (header, numeric features, integer label column, optional id column), a \
        label<TAB>text TSV, or an MNIST-style images-idx3-ubyte[.gz] file with its labels file beside it.
        """
    )

    @Argument(help: "The dataset file.")
    var file: String

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
      guard format != .markdown else { throw ValidationError("data inspect writes text or json") }
    }

    func run() async throws {
      let source = try dataset.file(file, labelsPath: dataset.labels)
      let start = ContinuousClock.now
      let loaded = try source.load()
      let elapsed = ContinuousClock.now - start
      printToStandardError(
        "loaded \(loaded.count) rows in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds])))")
      let summary = try DatasetSummary(dataset: loaded, file: source)
      print(format == .json ? try jsonString(summary) : Self.text(summary))
    }

    static func text(_ summary: DatasetSummary) -> String {
      var lines = [
        "format    \(summary.format)",
        "rows      \(summary.rows)",
        "features  \(summary.features)",
        "ids       \(summary.idsPresent ? "from the id column" : "0-based row numbers (no id column)")",
        "classes   \(summary.classes.count)",
      ]
      let nameWidth = summary.classes.map(\.name.count).max() ?? 0
      let countWidth = summary.classes.map { String($0.count).count }.max() ?? 0
      for entry in summary.classes {
        let share = summary.rows > 0 ? 100 * Double(entry.count) / Double(summary.rows) : 0
        lines.append(
          "  \(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  "
            + "\(String(repeating: " ", count: countWidth - String(entry.count).count))\(entry.count)  "
            + String(format: "%5.1f%%", share))
      }
      for file in summary.files {
        lines.append("sha256    \(file.sha256)  \(file.path)")
      }
      return lines.joined(separator: "\n")
    }
  }
}
