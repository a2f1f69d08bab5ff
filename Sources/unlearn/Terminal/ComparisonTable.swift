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
      value < 0.1
        ? String(format: "%.4f", value) : value < 10 ? String(format: "%.3f", value) : String(format: "%.1f", value)
    }
    var header = [
      "strategy", "exact", "fit s", "forget s", "speed-up", "test", "retain", "forget", "agree", "MIA before → after",
      "samples retr.", "params retr.",
    ]
    let audited = report.results.contains { $0.epsilonAudit != nil }
    let rows = report.results.map { result in
      var row = [
        result.strategy, result.exact ? "yes" : "no", seconds(result.fitSeconds),
        "\(seconds(result.forgetSeconds)) (\(result.forgetRuns))",
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
      "exact: yes when the result is the model retraining without the samples gives; no for an approximation.",
      "fit s: seconds to train. forget s: seconds to forget, the median of the runs in brackets (a forget is "
        + "repeated from the same trained state while its runs take under \(fixed(Comparison.repetitionBudgetSeconds, 1)) s).",
      "speed-up: retrain's forget time / the strategy's. agree: share of test predictions equal to retrain's.",
      "test, retain, forget: accuracy on the test set, the remaining training samples, the forgotten ones.",
      "MIA: AUC of the loss-threshold attack telling the forget set from the test set (0.5 = looks unseen).",
      "samples retr., params retr.: training samples passed over and parameters changed to forget.",
    ]
    if let models = report.results.compactMap(\.epsilonAudit).first {
      notes.append(
        "ε̂: empirical ε of telling \(models.models) unlearned from \(models.models) retrained models per forget "
          + "example (mean; at most \(fixed(models.ceiling, 2)) with \(models.models) models; lower is better).")
    }
    let summary = report.results.dropFirst().map { sentence($0, retrainSeconds: retrainSeconds, report: report) }
    return [
      markdown ? "**\(title)**" : title, "", TextTable.grid(header: header, rows: rows, markdown: markdown), "",
      notes.joined(separator: "\n"), "", summary.joined(separator: "\n"),
    ]
    .joined(separator: "\n")
  }

  /// One strategy's row in plain words: how much faster than retraining, and how close.
  static func sentence(_ result: UnlearnEvaluation.ComparisonResult, retrainSeconds: Double, report: ComparisonReport)
    -> String
  {
    let ratio = retrainSeconds / max(result.forgetSeconds, 1e-9)
    let speed =
      ratio >= 1
      ? String(format: "%.1f× faster than retraining", ratio)
      : String(format: "%.1f× slower than retraining", 1 / ratio)
    let kind = result.exact ? "exactly" : "approximately"
    let samples = report.forgetCount == 1 ? "1 sample" : "\(report.forgetCount) samples"
    return "\(result.strategy) forgot \(samples) \(kind), \(speed), and its predictions agree with the "
      + String(format: "retrained model on %.1f%% of test samples.", 100 * result.agreementWithRetrain)
      + (result.figures["refactored"] == 1
        ? " It rebuilt its Hessian factor for this request (the report's notes say why), which costs about a "
          + "retraining."
        : "")
  }
}
