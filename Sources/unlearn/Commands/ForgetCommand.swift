import ArgumentParser
import Foundation
import UnlearnData
import Unlearning

struct ForgetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forget",
    abstract: "Remove training samples from a strategy's state and write the new state.",
    discussion: """
      The state comes from 'unlearn train --strategy' or an earlier 'unlearn forget'. Ids are the \
      data's 'id' column (or 0-based row numbers without one). An id that was never trained on, or \
      was already forgotten, is an error unless --skip-absent is given. Pass the same path to \
      --state and --out to replace the state: the old one still holds the forgotten samples.
      """
  )

  @Option(help: "The state file to forget from.")
  var state: String

  @OptionGroup var samples: SampleIDOptions

  @Option(help: "Where to write the new state (may be the same path as --state).")
  var out: String

  @Flag(help: "Skip ids that are not in the training set (never were, or already forgotten) instead of failing.")
  var skipAbsent = false

  @Option(help: "Output format for the report: text, json or markdown.")
  var format: OutputFormat = .text

  @Flag(help: "Do not show retraining progress on stderr.")
  var noProgress = false

  func run() async throws {
    try OutputPath.checkWritable(out)
    let requested = try samples.load()
    let request = try ForgetRequest(ids: requested, skippingAbsentIDs: skipAbsent)
    let loaded = try StrategyCatalog.readState(from: state)
    let progress = ProgressReporter(label: "forgetting", enabled: !noProgress)
    let epochs = loaded.configuration.epochs
    let (next, report) = try loaded.forgetting(request) { step in progress.show(step, epochs: epochs) }
    progress.finish(report.forgotten == 1 ? "forgot 1 sample" : "forgot \(report.forgotten) samples")
    try next.write(to: out)
    switch format {
    case .json: print(try jsonString(report))
    case .text, .markdown: print(Self.text(report, out: out, markdown: format == .markdown))
    }
  }

  static func text(_ report: ForgetReport, out: String, markdown: Bool) -> String {
    var rows: [(String, String)] = [
      ("state file", out), ("strategy", report.strategy), ("requested", "\(report.requested)"),
      ("forgotten", "\(report.forgotten)"), ("skipped (absent)", "\(report.skipped)"),
      ("remaining samples", "\(report.remaining)"), ("exact", report.exact ? "yes" : "no"),
      ("samples retrained", "\(report.samplesRetrained)"), ("parameters retrained", "\(report.parametersRetrained)"),
      ("seconds", String(format: "%.3f", report.seconds)),
    ]
    rows += report.figures.sorted { $0.key < $1.key }.map { ($0.key, String(format: "%.6g", $0.value)) }
    rows += report.notes.map { ("note", $0) }
    return TextTable.keyValue(rows, markdown: markdown)
  }
}
