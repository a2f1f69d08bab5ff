import ArgumentParser
import Foundation
import Unlearning

struct StateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "state",
    abstract: "Inspect a strategy's state file, or make a hybrid state exact again.",
    subcommands: [Inspect.self, ReExact.self])

  struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show what a state holds; for sisa and hybrid, which shards are exactly retrained.")

    @Option(help: "The state file.")
    var state: String

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    func run() async throws {
      let inspection = StateInspection(try StrategyCatalog.readState(from: state))
      switch format {
      case .json: print(try jsonString(inspection))
      case .text, .markdown: print(Self.text(inspection, path: state, markdown: format == .markdown))
      }
    }

    static func text(_ inspection: StateInspection, path: String, markdown: Bool) -> String {
      var rows: [(String, String)] = [
        ("state file", path), ("strategy", inspection.strategy), ("model", inspection.model),
        ("remaining samples", "\(inspection.remainingSamples)"),
        ("forgotten samples", "\(inspection.forgottenSamples)"), ("parameters", "\(inspection.parameters)"),
      ]
      if let policy = inspection.policy { rows.append(("policy", policy.rawValue)) }
      if let costs = inspection.costs {
        rows += [
          ("boundary ρ", String(format: "%.3g", costs.boundary)),
          ("exact s/unit", String(format: "%.3g", costs.exactSecondsPerUnit)),
          ("approximate s/unit", String(format: "%.3g", costs.approximateSecondsPerUnit)),
          ("exact runs (mean probe loss)", "\(costs.exactRuns) (\(String(format: "%.4f", costs.exactAccuracyLoss)))"),
          (
            "approximate runs (mean probe loss)",
            "\(costs.approximateRuns) (\(String(format: "%.4f", costs.approximateAccuracyLoss)))"
          ),
        ]
      }
      var text = TextTable.keyValue(rows, markdown: markdown)
      if let shards = inspection.shards {
        text +=
          "\n\n"
          + TextTable.grid(
            header: ["shard", "samples", "checkpoints", "exact"],
            rows: shards.map {
              ["\($0.index)", "\($0.samples)", "\($0.checkpoints)/\($0.slices)", $0.exact ? "yes" : "no (approximate)"]
            }, markdown: markdown)
      }
      if let approximate = inspection.approximateShards, !approximate.isEmpty {
        text +=
          "\n\n\(approximate.count) shard\(approximate.count == 1 ? " is" : "s are") approximate; "
          + "'unlearn state re-exact --state \(path) --out \(path)' retrains them."
      }
      return text
    }
  }

  struct ReExact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "re-exact",
      abstract: "Retrain every shard of a hybrid state that an approximate update changed.",
      discussion: """
        Each such shard is retrained from its first missing checkpoint on its remaining samples: \
        the result is what SISA's exact forget of every request so far gives. Run it when the \
        model is idle (it is the work the approximate path put off); pass the same path to --state \
        and --out to replace the state.
        """)

    @Option(help: "The hybrid state file.")
    var state: String

    @Option(help: "Where to write the exact state (may be the same path as --state).")
    var out: String

    @Option(help: "Output format for the report: text, json or markdown.")
    var format: OutputFormat = .text

    func run() async throws {
      try OutputPath.checkWritable(out)
      guard let hybrid = try StrategyCatalog.readState(from: state) as? HybridState else {
        throw CommandError("\(state) is not a hybrid state; only hybrid updates shards approximately")
      }
      let (exact, report) = try hybrid.strategy.reExact(hybrid)
      try exact.write(to: out)
      switch format {
      case .json: print(try jsonString(report))
      case .text, .markdown: print(ForgetCommand.text(report, out: out, markdown: format == .markdown))
      }
    }
  }
}
