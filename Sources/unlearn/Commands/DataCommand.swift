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

    @Option(help: "CSV: the label column's name (default: the last column other than id).")
    var label: String?

    @Option(help: "Read FILE as this format instead of guessing from its name (csv, tsv, idx).")
    var dataFormat: DatasetFile.Format?

    @Option(help: "IDX: the labels file (default: the images file's name with images-idx3 → labels-idx1).")
    var labels: String?

    @Option(help: "TSV: number of hashed text features.")
    var textFeatures: Int = 1024

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
      guard textFeatures > 0 else { throw ValidationError("--text-features must be positive") }
    }

    func run() async throws {
      let source = try DatasetFile(
        path: file, format: dataFormat, labelColumn: label, labelsPath: labels,
        vectorizer: HashingVectorizer(featureCount: textFeatures))
      let start = ContinuousClock.now
      let dataset = try source.load()
      let elapsed = ContinuousClock.now - start
      FileHandle.standardError.write(
        Data("loaded \(dataset.count) rows in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds])))\n".utf8))
      let summary = try DatasetSummary(dataset: dataset, file: source)
      switch format {
      case .json:
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
      case .text:
        print(Self.text(summary))
      }
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

extension DatasetFile.Format: ExpressibleByArgument {}
