import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// Certified removal against plain Newton removal on the setting of Guo et al.'s experiments, MNIST
/// 3 vs 8 (here the 3s and 8s of ../shared's mnist5k), in one run: the same sequence of single-sample
/// removals, one after another, on the same data.
///
/// Per removal, over every draw's removals: the median and 90th-percentile time of certified removal (ε = 1, δ = 1e-4, σ = 10)
/// and of non-certified `newton` (one step, no refinement, the same work but the certificate), their
/// ratio, how many certified removals retrained from scratch (a removal whose charge would pass the
/// budget does), and how often the measured residual exceeded the data-dependent bound (and was
/// charged instead). Then test accuracy before and after the removals, mean ± sd over `draws`
/// independent noise draws.
enum CertifiedBenchmark {
  static func run(dataDirectory: String, removals: Int, draws: Int) throws {
    openblas_set_num_threads(1)
    let path = dataDirectory + "/mnist5k.csv"
    guard FileManager.default.fileExists(atPath: path) else {
      emit("certified: \(path) is missing; this benchmark needs ../shared/data/mnist5k.csv")
      return
    }
    let binary = try DatasetFile(path: path).load().restricted(toClasses: ["3", "8"])
    var splitter = SeededGenerator(seed: 7)
    let (train, test) = binary.stratifiedSplit(testFraction: 0.2, using: &splitter)
    var orderGenerator = SeededGenerator(seed: 2026)
    let order = Array(train.ids.indices).fisherYatesShuffled(using: &orderGenerator).prefix(removals).map {
      train.ids[$0]
    }
    // Certified mode scales nothing on the training data (rows to unit length only); the plain
    // sequence gets the same features.
    let configuration = ModelConfiguration(kind: .logistic, seed: 1, normalizesRows: true, scaling: .none)

    emit("# Certified removal vs Newton removal: MNIST 3 vs 8 from mnist5k")
    emit(
      "OpenBLAS threads: 1; CPU: \(MachineDescription.summary); \(train.count) training / \(test.count) test samples, "
        + "\(train.featureCount) features, raw pixels with rows scaled to unit length; C = 1; ε = 1, δ = 1e-4, σ = 10; \(removals) single-sample removals in "
        + "turn, the same seeded order for both; accuracy over \(draws) noise draws")
    emit("")

    func sequence(_ strategy: NewtonRemoval) throws -> (seconds: [Double], reports: [ForgetReport], state: NewtonState)
    {
      var state = try strategy.fit(train, sourceSHA256: []) { _ in }
      var seconds: [Double] = []
      var reports: [ForgetReport] = []
      for id in order {
        let start = ContinuousClock.now
        let (next, report) = try state.forgetting(try ForgetRequest(ids: [id]))
        seconds.append((ContinuousClock.now - start).seconds)
        reports.append(report)
        state = next
      }
      return (seconds, reports, state)
    }
    func accuracy(_ state: NewtonState) -> Double {
      let predicted = state.model.predictedLabels(for: test.features)
      return Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.count)
    }

    var plainSeconds: [Double] = []
    var plain: (seconds: [Double], reports: [ForgetReport], state: NewtonState)?
    var certifiedSeconds: [Double] = []
    var retrainings = 0
    var residualAboveBound = 0
    var largestExcess = 1.0
    var before: [Double] = []
    var after: [Double] = []
    for draw in 0..<draws {
      // The plain sequence is the same every draw; it runs beside each certified one so that drift in
      // the machine's speed hits both alike.
      log("certified: draw \(draw + 1) of \(draws), \(removals) plain and \(removals) certified removals")
      let plainRun = try sequence(NewtonRemoval(configuration: configuration, maxSteps: 1))
      plainSeconds += plainRun.seconds
      plain = plainRun
      let certification = try Certification(epsilon: 1, delta: 1e-4, sigma: 10)
      let strategy = NewtonRemoval(configuration: configuration, certification: certification)
      let fitted = try strategy.fit(train, sourceSHA256: []) { _ in }
      before.append(accuracy(fitted))
      let run = try sequence(strategy)
      after.append(accuracy(run.state))
      certifiedSeconds += run.seconds
      for report in run.reports {
        if report.exact { retrainings += 1 }
        if let bound = report.figures["residual_bound"], let residual = report.figures["gradient_residual"],
          !report.exact, residual > bound
        {
          residualAboveBound += 1
          largestExcess = max(largestExcess, residual / bound)
        }
      }
    }
    guard let plain else { return }
    let plainMeasurement = Measurement(seconds: plainSeconds)
    let certifiedMeasurement = Measurement(seconds: certifiedSeconds)
    func p90(_ seconds: [Double]) -> Double {
      let sorted = seconds.sorted()
      return sorted[min(sorted.count - 1, Int((0.9 * Double(sorted.count)).rounded(.up)) - 1)]
    }
    func mean(_ seconds: [Double]) -> String { format(seconds.reduce(0, +) / Double(seconds.count) * 1000, 3) }
    emit("| removal | median ms | p90 ms | mean ms |")
    emit("|---|---|---|---|")
    emit(
      "| newton, not certified | \(format(plainMeasurement.median * 1000, 3)) | "
        + "\(format(p90(plainSeconds) * 1000, 3)) | \(mean(plainSeconds)) |")
    emit(
      "| newton, certified | \(format(certifiedMeasurement.median * 1000, 3)) | "
        + "\(format(p90(certifiedSeconds) * 1000, 3)) | \(mean(certifiedSeconds)) |")
    emit("")
    emit(
      "certified / not certified, median: \(format(certifiedMeasurement.median / plainMeasurement.median, 2))× "
        + "(all \(removals * draws) removals of each, retrainings included)")
    emit(
      "retrained from scratch: \(retrainings) of \(removals * draws) certified removals (a removal whose charge "
        + "would pass the budget σε/c retrains)")
    emit(
      "measured residual above the bound, and charged instead: \(residualAboveBound) of \(removals * draws - retrainings)"
        + (residualAboveBound > 0 ? " (at most \(format(largestExcess, 1))× the bound)" : ""))
    emit(
      "test accuracy over \(draws) draws: before \(meanAndDeviation(before)), after \(removals) removals "
        + "\(meanAndDeviation(after)); not certified: before \(format(accuracy(try NewtonRemoval(configuration: configuration, maxSteps: 1).fit(train, sourceSHA256: []) { _ in }), 4)), after \(format(accuracy(plain.state), 4))"
    )
  }

  static func meanAndDeviation(_ values: [Double]) -> String {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance =
      values.count > 1 ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) : 0
    return "\(format(mean, 4)) ± \(format(variance.squareRoot(), 4))"
  }
}
