import Foundation
import Testing

/// `train --strategy`, `forget`, `compare` and `demo` as a user runs them.
extension CommandLineTests {
  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func trainWithAStrategyThenForget() throws {
    let state = folder + "/cancer.uls"
    let train = try run([
      "train", "--data", "data/breast_cancer.csv", "--test-fraction", "0.2", "--model", "logistic", "--seed", "4",
      "--strategy", "retrain", "--out", state, "--format", "json", "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    #expect(try json(train.standardOutput)["strategy"] as? String == "retrain")
    // predict and evaluate read a state file like a model file.
    let predict = try run(["predict", "--model", state, "--data", "data/breast_cancer.csv"])
    #expect(predict.status == 0, "\(predict.standardError)")
    #expect(predict.standardOutput.split(separator: "\n").count == 570)

    // Rows 0-19 are split between training and test: --skip-absent forgets the training ones.
    let ids = folder + "/ids.txt"
    try (["id"] + (0..<20).map(String.init)).joined(separator: "\n").write(
      toFile: ids, atomically: true, encoding: .utf8)
    let first = try run([
      "forget", "--state", state, "--ids", ids, "--skip-absent", "--out", state, "--format", "json", "--no-progress",
    ])
    #expect(first.status == 0, "\(first.standardError)")
    let report = try json(first.standardOutput)
    let forgotten = try #require(report["forgotten"] as? Int)
    #expect(forgotten > 10 && forgotten + (report["skipped"] as? Int ?? -1) == 20)
    #expect(report["exact"] as? Bool == true)

    // Everything in the list is now absent: without --skip-absent that is an error naming the cause.
    let again = try run(["forget", "--state", state, "--ids", ids, "--out", state, "--no-progress"])
    #expect(again.status == 1)
    #expect(
      again.standardError.contains("never in the training set") || again.standardError.contains("already forgotten"))
    let repeated = try run(["forget", "--state", state, "--id", "0", "--id", "0", "--out", state])
    #expect(repeated.status == 1 && repeated.standardError.contains("appears twice"))
    #expect(try run(["forget", "--state", state, "--out", state]).status == 64)
    let missing = try run(["forget", "--state", folder + "/none.uls", "--id", "1", "--out", state])
    #expect(missing.status == 1 && missing.standardError.contains("no such file"))
  }

  @Test(arguments: ["logistic", "mlp"])
  func compareJSONFollowsTheContract(_ model: String) throws {
    var arguments = [
      "compare", "--train", "data/digits.csv", "--test-fraction", "0.2", "--model", model, "--forget", "random:0.05",
      "--strategies", "retrain", "--format", "json", "--no-progress", "--seed", "2",
    ]
    if model == "mlp" { arguments += ["--hidden", "32", "--epochs", "2"] }
    let result = try run(arguments)
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.isEmpty)
    let report = try json(result.standardOutput)
    #expect(report["dataset"] as? String == "data/digits.csv")
    #expect(report["model"] as? String == model)
    #expect(report["n_train"] as? Int == 1438 && report["n_test"] as? Int == 359)
    #expect(report["n_forget"] as? Int == 72)
    let rows = try #require(report["results"] as? [[String: Any]])
    #expect(rows.count == 1)
    let row = rows[0]
    #expect(row["strategy"] as? String == "retrain")
    #expect(row["agreement_with_retrain"] as? Double == 1)
    #expect(row["exact"] as? Bool == true)
    #expect(row["samples_retrained"] as? Int == 1438 - 72)
    for key in [
      "fit_seconds", "forget_seconds", "test_accuracy", "forget_accuracy", "retain_accuracy", "mia_auc",
      "parameters_retrained",
    ] {
      #expect(row[key] is NSNumber, "\(key)")
    }
  }

  @Test func compareRejectsUnknownStrategiesAndMisplacedOptions() throws {
    let unknown = try run(["compare", "--train", "data/digits.csv", "--model", "logistic", "--strategies", "magic"])
    #expect(unknown.status == 64 && unknown.standardError.contains("unknown strategy 'magic'"))
    let misplaced = try run(["compare", "--train", "data/digits.csv", "--model", "logistic", "--epochs", "3"])
    #expect(misplaced.status == 64 && misplaced.standardError.contains("--epochs applies to --model mlp only"))
    let badForget = try run(["compare", "--train", "data/digits.csv", "--model", "logistic", "--forget", "some"])
    #expect(badForget.status == 64 && badForget.standardError.contains("random:FRACTION"))
    let noClass = try run([
      "compare", "--train", "data/digits.csv", "--model", "logistic", "--forget", "class:12", "--no-progress",
    ])
    #expect(noClass.status == 1 && noClass.standardError.contains("no class '12'"))
  }

  @Test func demoPrintsAComparisonTable() throws {
    let demo = try run(["demo", "--no-progress"])
    #expect(demo.status == 0, "\(demo.standardError)")
    #expect(demo.standardOutput.contains("data/digits.csv: logistic"))
    #expect(demo.standardOutput.contains("data/digits.csv: mlp"))
    #expect(demo.standardOutput.contains("retrain"))
    // Every column has a legend, every strategy a sentence, and the reader a next step.
    for legend in ["exact:", "fit s:", "speed-up:", "MIA:", "samples retr., params retr.:"] {
      #expect(demo.standardOutput.contains(legend), "no legend for \(legend)")
    }
    #expect(demo.standardOutput.contains("newton forgot "))
    #expect(demo.standardOutput.contains("What to try next"))

    // JSON: one document, both comparisons, each row's forget time the median of its runs.
    let json = try run(["demo", "--no-progress", "--format", "json"])
    #expect(json.status == 0, "\(json.standardError)")
    let comparisons = try #require(try self.json(json.standardOutput)["comparisons"] as? [[String: Any]])
    #expect(comparisons.map { $0["model"] as? String } == ["logistic", "mlp"])
    for comparison in comparisons {
      let rows = try #require(comparison["results"] as? [[String: Any]])
      #expect(rows.allSatisfy { ($0["forget_runs"] as? Int ?? 0) >= 1 && $0["forget_seconds"] is Double })
    }
  }
}

extension CommandLineTests {
  @Test func compareNewtonAgainstRetrain() throws {
    let result = try run([
      "compare", "--train", "data/digits.csv", "--model", "logistic", "--forget", "random:0.01", "--strategies",
      "retrain,newton", "--format", "json", "--no-progress",
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let rows = try #require(try json(result.standardOutput)["results"] as? [[String: Any]])
    #expect(rows.map { $0["strategy"] as? String } == ["retrain", "newton"])
    let newton = rows[1]
    #expect(newton["exact"] as? Bool == false && newton["samples_retrained"] as? Int == 0)
    #expect((newton["agreement_with_retrain"] as? Double ?? 0) >= 0.99)
    #expect((newton["figures"] as? [String: Double])?["gradient_residual"] != nil)
  }

  @Test func certifiedNewtonStateThroughTrainAndForget() throws {
    let state = folder + "/certified.uls"
    let train = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "newton", "--certified",
      "--epsilon", "1", "--delta", "1e-4", "--sigma", "10", "--out", state, "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    let forget = try run(["forget", "--state", state, "--id", "3", "--out", state, "--format", "json", "--no-progress"])
    #expect(forget.status == 0, "\(forget.standardError)")
    let figures = try #require(try json(forget.standardOutput)["figures"] as? [String: Double])
    #expect(figures["residual_bound"] != nil && figures["budget_remaining"] != nil)
    #expect(figures["budget_charged"] == max(figures["residual_bound"]!, figures["gradient_residual"]!))

    // Scaling fitted on the training data is refused; statistics from a file are taken.
    let fitted = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "newton", "--certified",
      "--epsilon", "1", "--delta", "1e-4", "--scaling", "fitted", "--out", state,
    ])
    #expect(fitted.status == 64 && fitted.standardError.contains("does not depend on the training data"))
    let statistics = folder + "/scaling.json"
    try Data(
      #"{"means": [\#(Array(repeating: "0", count: 30).joined(separator: ","))], "scales": [\#(Array(repeating: "1000", count: 30).joined(separator: ","))]}"#
        .utf8
    )
    .write(to: URL(fileURLWithPath: statistics))
    let given = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "newton", "--certified",
      "--epsilon", "1", "--delta", "1e-4", "--scaling", statistics, "--out", folder + "/given.uls", "--no-progress",
    ])
    #expect(given.status == 0, "\(given.standardError)")
    try Data(#"{"means": [0, 1], "scales": [1, 0]}"#.utf8).write(to: URL(fileURLWithPath: statistics))
    let bad = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--scaling", statistics, "--out", state,
    ])
    #expect(bad.status == 64 && bad.standardError.contains("feature 2: mean 1.0, scale 0.0"), "\(bad.standardError)")

    let unused = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--certified", "--out", state,
    ])
    #expect(unused.status == 64 && unused.standardError.contains("pass --strategy newton"))
    let incomplete = try run([
      "compare", "--train", "data/breast_cancer.csv", "--model", "logistic", "--strategies", "newton", "--certified",
    ])
    #expect(incomplete.status == 64 && incomplete.standardError.contains("--epsilon"))
    let mlp = try run([
      "compare", "--train", "data/digits.csv", "--model", "logistic", "--strategies", "newton", "--finetune-epochs",
      "2",
    ])
    #expect(mlp.status == 64 && mlp.standardError.contains("--finetune-epochs applies to --model mlp only"))
  }
}

extension CommandLineTests {
  @Test func epsilonAuditIsReportedWhenAsked() throws {
    let arguments = [
      "compare", "--train", "data/breast_cancer.csv", "--model", "logistic", "--forget", "random:10", "--strategies",
      "retrain", "--format", "json", "--no-progress",
    ]
    let plain = try run(arguments)
    let plainRow = try #require((try json(plain.standardOutput)["results"] as? [[String: Any]])?.first)
    #expect(plainRow["epsilon_audit"] is NSNull)
    let audited = try run(arguments + ["--epsilon-audit", "3"])
    #expect(audited.status == 0, "\(audited.standardError)")
    let row = try #require((try json(audited.standardOutput)["results"] as? [[String: Any]])?.first)
    let audit = try #require(row["epsilon_audit"] as? [String: Any])
    #expect(audit["models"] as? Int == 3)
    // Convex training does not depend on the seed: retrain against retrain is indistinguishable.
    #expect((audit["mean"] as? Double ?? 1) < 1e-12)
    #expect(try run(arguments + ["--epsilon-audit", "1"]).status == 64)
  }
}

extension CommandLineTests {
  @Test func sisaThroughCompareAndForget() throws {
    let result = try run([
      "compare", "--train", "data/breast_cancer.csv", "--model", "logistic", "--forget", "random:3", "--strategies",
      "retrain,sisa", "--shards", "3", "--slices", "2", "--aggregation", "mean", "--format", "json", "--no-progress",
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let rows = try #require(try json(result.standardOutput)["results"] as? [[String: Any]])
    let sisa = try #require(rows.last)
    #expect(sisa["strategy"] as? String == "sisa" && sisa["exact"] as? Bool == true)
    #expect((sisa["figures"] as? [String: Double])?["shards"] == 3)

    let state = folder + "/sisa.uls"
    let train = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "sisa", "--shards", "2",
      "--out", state, "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    let forget = try run(["forget", "--state", state, "--id", "5", "--out", state, "--format", "json", "--no-progress"])
    #expect(forget.status == 0, "\(forget.standardError)")
    #expect((try json(forget.standardOutput)["figures"] as? [String: Double])?["shards_retrained"] == 1)
    // Progress names the sub-models done; it printed "epoch 1/0  loss nan" before.
    let shown = try run(["forget", "--state", state, "--id", "9", "--out", state])
    #expect(shown.status == 0, "\(shown.standardError)")
    #expect(
      shown.standardError.contains("1 sub-model done") && !shown.standardError.contains("nan"), "\(shown.standardError)"
    )

    let unused = try run([
      "compare", "--train", "data/breast_cancer.csv", "--model", "logistic", "--strategies", "retrain,newton",
      "--shards", "3",
    ])
    #expect(unused.status == 64 && unused.standardError.contains("applies to sisa"))
  }
}

extension CommandLineTests {
  /// A hybrid state after a forced approximate forget: `state inspect` names the approximate
  /// shards, `state re-exact` retrains them, and inspect then shows every shard exact.
  @Test func stateInspectShowsApproximateShardsAndReExactRetrainsThem() throws {
    let state = folder + "/hybrid.uls"
    let train = try run([
      "train", "--data", "data/digits.csv", "--model", "mlp", "--hidden", "16", "--epochs", "2", "--strategy",
      "hybrid", "--shards", "2", "--policy", "approximate", "--out", state, "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    let forget = try run([
      "forget", "--state", state, "--id", "0", "--id", "1", "--id", "2", "--out", state, "--format", "json",
      "--no-progress",
    ])
    #expect(forget.status == 0, "\(forget.standardError)")
    #expect(try json(forget.standardOutput)["exact"] as? Bool == false)
    let inspect = try run(["state", "inspect", "--state", state, "--format", "json"])
    #expect(inspect.status == 0, "\(inspect.standardError)")
    let approximate = try #require(try json(inspect.standardOutput)["approximate_shards"] as? [Int])
    #expect(!approximate.isEmpty)
    let text = try run(["state", "inspect", "--state", state])
    #expect(text.standardOutput.contains("no (approximate)") && text.standardOutput.contains("state re-exact"))

    let reExact = try run(["state", "re-exact", "--state", state, "--out", state, "--format", "json"])
    #expect(reExact.status == 0, "\(reExact.standardError)")
    let figures = try #require(try json(reExact.standardOutput)["figures"] as? [String: Double])
    #expect(figures["shards_retrained"] == Double(approximate.count))
    let after = try json(try run(["state", "inspect", "--state", state, "--format", "json"]).standardOutput)
    #expect((after["approximate_shards"] as? [Int])?.isEmpty == true)
    let shards = try #require(after["shards"] as? [[String: Any]])
    #expect(shards.count == 2 && shards.allSatisfy { $0["exact"] as? Bool == true })

    // One shard: no other shards' samples to probe with; the JSON report still encodes.
    let single = folder + "/single.uls"
    let one = try run([
      "train", "--data", "data/digits.csv", "--model", "mlp", "--hidden", "16", "--epochs", "2", "--strategy",
      "hybrid", "--shards", "1", "--policy", "approximate", "--out", single, "--no-progress",
    ])
    #expect(one.status == 0, "\(one.standardError)")
    let singleForget = try run([
      "forget", "--state", single, "--id", "5", "--out", single, "--format", "json", "--no-progress",
    ])
    #expect(singleForget.status == 0, "\(singleForget.standardError)")
    #expect((try json(singleForget.standardOutput)["figures"] as? [String: Double])?["probe_accuracy_change"] == nil)

    let notHybrid = folder + "/retrain.uls"
    _ = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "retrain", "--out", notHybrid,
      "--no-progress",
    ])
    let refused = try run(["state", "re-exact", "--state", notHybrid, "--out", notHybrid])
    #expect(refused.status == 1 && refused.standardError.contains("not a hybrid state"))
  }
}

extension CommandLineTests {
  /// `train --help` puts the options every run needs before each strategy's own.
  @Test func trainHelpListsCommonOptionsFirst() throws {
    let help = try run(["train", "--help"]).standardOutput
    let data = try #require(help.range(of: "--data <data>"))
    let out = try #require(help.range(of: "--out <out>"))
    let certified = try #require(help.range(of: "--certified"))
    #expect(data.lowerBound < certified.lowerBound && out.lowerBound < certified.lowerBound)
    #expect(!help.contains("[default:"), "one way to write defaults: (default: …)")
  }
}

extension CommandLineTests {
  /// Shards under 200 samples are worth a warning before training, with a smaller --shards to try;
  /// shards that size or larger are not.
  @Test func smallShardsAreWarnedAbout() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let small = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "sisa", "--out",
      folder + "/small.uls", "--no-progress",
    ])
    #expect(small.status == 0, "\(small.standardError)")
    #expect(small.standardError.contains("warning: sisa: 5 shards of about 113 samples"), "\(small.standardError)")
    #expect(small.standardError.contains("Try --shards 2."))
    let large = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "sisa", "--shards", "2",
      "--out", folder + "/large.uls", "--no-progress",
    ])
    #expect(large.status == 0 && !large.standardError.contains("warning"), "\(large.standardError)")
  }
}
