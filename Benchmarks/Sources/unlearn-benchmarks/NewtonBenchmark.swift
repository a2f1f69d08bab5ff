import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// One single-sample deletion with Newton removal against retraining from scratch and against
/// scikit-learn's refit, on the same data, in one run (issue: Newton removal).
///
/// After one fit (model, Hessian, Cholesky factor), `requests` single-sample deletions run one
/// after another on the evolving state, each a random training sample (seeded); the table gives
/// their median and 90th-percentile wall time. Retraining from scratch is our trainer on the same
/// data (tolerance 1e-8); scikit-learn refits with lbfgs at its default tol = 1e-4, its faster
/// setting. The naive baseline — rebuild and refactor the Hessian for every request — is the same
/// strategy with the Woodbury path switched off. scikit-learn runs with one OpenBLAS thread (its
/// faster setting here); Unlearn — deletions, retraining and the naive baseline — with `threads`
/// (`--threads`, default 1): the deletions' passes over the cached H⁻¹ are memory-bound, and a
/// second core doubles the bandwidth they get.
enum NewtonBenchmark {
  static func run(
    dataDirectory: String, datasets: [String], requests: Int, threads: Int = 1, deletionsOnly: Bool = false,
    batchesOnly: Bool = false
  ) throws {
    openblas_set_num_threads(Int32(threads))
    emit("# Newton removal: one single-sample deletion vs retraining and scikit-learn's refit")
    emit(
      "OpenBLAS threads: \(threads) for Unlearn, 1 for scikit-learn; CPU: \(MachineDescription.summary); "
        + "C = 1, standardized features")
    emit("")
    if !batchesOnly {
      emit(
        "| dataset | n × d, K | parameters | fit + factor s | deletion median ms | mean ms | p90 ms | steps (median) "
          + "| retrain s | sklearn refit s | naive refactor s | vs retrain | vs sklearn | vs naive | deletions: paths |"
      )
      emit("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    }
    var sklearnCores: Set<String> = []
    var batchRows: [String] = []
    for name in datasets {
      let path = dataDirectory + "/" + name
      guard FileManager.default.fileExists(atPath: path) else {
        emit("| \(name) | not in \(dataDirectory) | | | | | | | | | | | | |")
        continue
      }
      let data = try DatasetFile(path: path).load()
      let configuration = ModelConfiguration(kind: .logistic, seed: 1)
      let large = data.count * data.featureCount * data.classCount > 10_000_000
      log("newton: \(name), fit")
      let fitStart = ContinuousClock.now
      var state = try NewtonRemoval(configuration: configuration).fit(data, sourceSHA256: []) { _ in }
      let fitSeconds = (ContinuousClock.now - fitStart).seconds
      var generator = SeededGenerator(seed: 2026)
      let order = Array(0..<data.count).fisherYatesShuffled(using: &generator)
      // The naive baseline runs on the fitted state before the deletions start, so that no copy of
      // it is alive while they are timed: a state kept by the caller while its successor is made
      // costs the successor copies of what it changes (measured on digits: ≈ 0.4 ms a request).
      if batchesOnly {
        batchRows += try batches(name: name, data: data, state: state, order: order, large: large)
        continue
      }
      var naiveRuns: Measurement?
      if !deletionsOnly {
        log("newton: \(name), naive refactor per request")
        var naive = NewtonRemoval(configuration: configuration, refactorRank: 0)
        naive.usesBatchPath = false
        naive.foldsDowndates = false
        naiveRuns = try Measurement.run(repetitions: large ? 1 : 3, warmUp: false) { [state] in
          _ = try naive.forget(try ForgetRequest(ids: [data.ids[order[requests]]]), from: state) { _ in }
        }
      }
      if !deletionsOnly {
        batchRows += try batches(name: name, data: data, state: state, order: order, large: large)
      }
      var deletionSeconds: [Double] = []
      var steps: [Double] = []
      var paths: [String: Int] = [:]
      log("newton: \(name), \(requests) single-sample deletions")
      for row in order.prefix(requests) {
        let start = ContinuousClock.now
        let (next, report) = try state.forgetting(try ForgetRequest(ids: [data.ids[row]]))
        deletionSeconds.append((ContinuousClock.now - start).seconds)
        steps.append(report.figures["newton_steps"] ?? 0)
        paths[Self.path(of: report), default: 0] += 1
        // Per request on stderr: time, steps, downdate rank (0 after a refactoring), ‖∇L'‖ before → after,
        // the full step's scale, and how many of the steps were conjugate-gradient steps.
        log(
          "  \(format(deletionSeconds.last! * 1000, 3)) ms, \(Int(steps.last!)) step(s), "
            + "rank \(Int(report.figures["downdate_rank"] ?? 0)), "
            + "‖∇L'‖ \(String(format: "%.2e", report.figures["gradient_norm_before"] ?? 0)) → "
            + "\(String(format: "%.2e", report.figures["gradient_residual"] ?? 0)), "
            + "step scale \(report.figures["step_scale"] ?? 1), "
            + "conjugate-gradient steps \(Int(report.figures["conjugate_gradient_steps"] ?? 0))")
        state = next
      }
      if deletionsOnly {
        // For profiling the per-request path: no baselines, no table row.
        log("newton: \(name), median deletion \(format(Measurement(seconds: deletionSeconds).median * 1000, 3)) ms")
        continue
      }
      log("newton: \(name), retraining from scratch")
      let retrain = try Measurement.run(repetitions: large ? 1 : 5, warmUp: !large) {
        _ = try ModelTrainer(configuration: configuration).train(on: data, dataFileSHA256: [])
      }
      log("newton: \(name), scikit-learn refit")
      let (sklearn, failure) = try PythonScript.run(
        "sklearn_fit.py", arguments: ["--data", path, "--repetitions", large ? "1" : "5"], threads: 1,
        as: TrainingBenchmark.SklearnResult.self)
      let median = Measurement(seconds: deletionSeconds).median
      let sorted = deletionSeconds.sorted()
      let p90 = sorted[min(sorted.count - 1, Int((0.9 * Double(sorted.count)).rounded(.up)) - 1)]
      let sklearnSeconds = sklearn?.seconds
      sklearnCores.formUnion(sklearn?.blasCore.map { [$0] } ?? [])
      if sklearnSeconds == nil { log("scikit-learn unavailable: \(failure ?? sklearn?.error ?? "no result")") }
      emit(
        "| \(name) | \(data.count) × \(data.featureCount), \(data.classCount) | \(state.parameterCount) | "
          + "\(format(fitSeconds, 3)) | \(format(median * 1000, 3)) | "
          + "\(format(deletionSeconds.reduce(0, +) / Double(deletionSeconds.count) * 1000, 3)) | \(format(p90 * 1000, 3)) | "
          + "\(format(Measurement(seconds: steps).median, 0)) | \(format(retrain.median, 3)) | "
          + "\(sklearnSeconds.map { format($0, 3) } ?? "–") | \(format(naiveRuns!.median, 3)) | "
          + "\(format(retrain.median / median, 0))× | \(sklearnSeconds.map { format($0 / median, 0) + "×" } ?? "–") | "
          + "\(format(naiveRuns!.median / median, 0))× | \(requests): "
          + "\(paths.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")) |")
    }
    emit("")
    if !batchesOnly {
      emit(
        "Deletions: median, mean and 90th percentile over the single-sample requests, applied in turn to one state, "
          + "and how many took each path (a fold's cost lands on one request; the mean spreads it). "
          + "Retrain: median of 5 fits (1 on the large datasets); scikit-learn: median of 5 (1); naive: median of 3 (1). "
          + "scikit-learn's OpenBLAS kernels: "
          + "\(sklearnCores.isEmpty ? "unknown" : sklearnCores.sorted().joined(separator: "; ")).")
    }
    guard !batchRows.isEmpty else { return }
    emit("")
    emit("## One request forgetting 1% or 5% of the training samples, from the fitted state")
    emit("")
    emit(
      "| dataset | forgotten | rank / limit | path | steps | ‖∇L'‖ before → after | forget ms | retrain ms "
        + "| vs retrain | agreement with retrained |")
    emit("|---|---|---|---|---|---|---|---|---|---|")
    for row in batchRows { emit(row) }
    emit("")
    emit(
      "Forget: median of 3 runs (1 on the large datasets), each from the same fitted state; retrain: our trainer "
        + "on the remaining samples (median of 3, 1); agreement: share of all samples on which the unlearned and "
        + "the retrained model predict the same class.")
  }

  /// One request for 1% and one for 5% of the samples (the first of `order`), each from `state`,
  /// against retraining on what remains: the table rows.
  static func batches(name: String, data: Dataset, state: NewtonState, order: [Int], large: Bool) throws
    -> [String]
  {
    var rows: [String] = []
    for fraction in [0.01, 0.05] {
      let count = max(1, Int((fraction * Double(data.count)).rounded()))
      let ids = order.prefix(count).map { data.ids[$0] }
      let request = try ForgetRequest(ids: ids)
      log("newton: \(name), one request for \(count) samples")
      var outcome: (state: NewtonState, report: ForgetReport)?
      let forget = try Measurement.run(repetitions: large ? 1 : 3, warmUp: false) {
        outcome = try state.forgetting(request)
      }
      let (unlearned, report) = outcome!
      for note in report.notes { log("  \(note)") }
      let removed = Set(ids)
      let remaining = data.subset(rows: data.ids.indices.filter { !removed.contains(data.ids[$0]) })
      var retrained: TrainedModel?
      let retrain = try Measurement.run(repetitions: large ? 1 : 3, warmUp: false) {
        retrained = try ModelTrainer(configuration: state.configuration).train(on: remaining, dataFileSHA256: [])
      }
      let ours = unlearned.predictedLabels(for: data.features)
      let theirs = retrained!.predictedLabels(for: data.features)
      let agreement = Double(zip(ours, theirs).filter { $0 == $1 }.count) / Double(data.count)
      let path = Self.path(of: report)
      let limit = state.strategy.refactorRank ?? state.head.parameterCount / 2
      let rank = count * (state.head.outputCount)
      rows.append(
        "| \(name) | \(count) | \(rank) / \(limit) | \(path) | \(Int(report.figures["newton_steps"] ?? 0)) | "
          + "\(String(format: "%.1e", report.figures["gradient_norm_before"] ?? 0)) → "
          + "\(String(format: "%.1e", report.figures["gradient_residual"] ?? 0)) | \(format(forget.median * 1000, 2)) | "
          + "\(format(retrain.median * 1000, 1)) | \(format(retrain.median / forget.median, 1))× | \(format(agreement, 4)) |"
      )
    }
    return rows
  }

  /// How a request reached its factor: "batch", "refactor", "fold" or "Woodbury".
  static func path(of report: ForgetReport) -> String {
    if report.figures["batch_path"] == 1 { return "batch" }
    if report.figures["refactored"] == 1 { return "refactor" }
    return report.figures["folded"] == 1 ? "fold" : "Woodbury"
  }
}
