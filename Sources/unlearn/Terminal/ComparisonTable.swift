import Foundation
import UnlearnEvaluation

/// `unlearn compare`'s result on stdout: the §6 JSON, or a table (text or Markdown).
enum ComparisonTable {
  static func render(_ report: ComparisonReport, format: OutputFormat) throws -> String {
    switch format {
    case .json: return try jsonString(report)
    case .text, .markdown: return text(report, markdown: format == .markdown)
    }
  }

  static func text(_ report: ComparisonReport, markdown: Bool) -> String {
    let retrainSeconds = report.results.first?.forgetSeconds ?? .nan
    func fixed(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }
    func seconds(_ value: Double) -> String {
      value < 10 ? String(format: "%.3f", value) : String(format: "%.1f", value)
    }
    var header = [
      "strategy", "exact", "fit s", "forget s", "speed-up", "test", "retain", "forget", "agree", "MIA before → after",
      "samples retr.", "params retr.",
    ]
    let audited = report.results.contains { $0.epsilonAudit != nil }
    let rows = report.results.map { result in
      var row = [
        result.strategy, result.exact ? "yes" : "no", seconds(result.fitSeconds), seconds(result.forgetSeconds),
        result.forgetSeconds > 0 ? String(format: "%.1f×", retrainSeconds / result.forgetSeconds) : "-",
        fixed(result.unlearned.testAccuracy), fixed(result.unlearned.retainAccuracy),
        fixed(result.unlearned.forgetAccuracy), fixed(result.agreementWithRetrain),
        "\(fixed(result.original.lossAttackAUC, 3)) → \(fixed(result.unlearned.lossAttackAUC, 3))",
        "\(result.samplesRetrained)", "\(result.parametersRetrained)",
      ]
      if audited { row.append(result.epsilonAudit.map { fixed($0.mean, 2) } ?? "-") }
      return row
    }
    if audited { header.append("ε̂ mean") }
    let title =
      "\(report.dataset): \(report.model), \(report.trainCount) train / \(report.testCount) test, "
      + "forgetting \(report.forgetCount) (\(report.forgetSelection)), seed \(report.seed)"
    var notes = [
      "test, retain, forget: accuracy on the test set, the remaining training samples, the forgotten ones.",
      "speed-up: retrain's forget time / the strategy's. agree: share of test predictions equal to retrain's.",
      "MIA: AUC of the loss-threshold attack telling the forget set from the test set (0.5 = looks unseen).",
    ]
    if let models = report.results.compactMap(\.epsilonAudit).first {
      notes.append(
        "ε̂: empirical ε of telling \(models.models) unlearned from \(models.models) retrained models per forget "
          + "example (mean; at most \(fixed(models.ceiling, 2)) with \(models.models) models; lower is better).")
    }
    return [
      markdown ? "**\(title)**" : title, "", TextTable.grid(header: header, rows: rows, markdown: markdown), "",
      notes.joined(separator: "\n"),
    ]
    .joined(separator: "\n")
  }
}
