import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import Unlearning

/// ARCANE against SISA and retraining (Yan et al. 2022 report retrained samples per request
/// against both): for the logistic model and an MLP, one run fits retrain, SISA (S = 5, R = 4) and
/// ARCANE (B = 4, uniform deletion likelihood; and "informed", where 10% of the samples are marked
/// likely (ℓ = 1) and the deletions come from them), then applies `deletions` single-sample
/// deletions in turn. Reported: test accuracy, mean forget time as a speed-up against retraining
/// in the same run, and mean samples retrained as a share of a full retrain. Everything on one
/// thread (workers 1, OPENBLAS_NUM_THREADS=1).
enum ARCANEBenchmark {
  static func run(dataDirectory: String, file: String, deletions: Int) throws {
    openblas_set_num_threads(1)
    let data = try DatasetFile(path: dataDirectory + "/" + file).load()
    var generator = SeededGenerator(seed: 7)
    let (train, test) = data.stratifiedSplit(testFraction: 0.2, using: &generator)
    let order = Array(0..<train.count).fisherYatesShuffled(using: &generator)
    let likely = Array(order.prefix(train.count / 10)).map { train.ids[$0] }
    let informed = DeletionLikelihood(Dictionary(uniqueKeysWithValues: likely.map { ($0, 1.0) }))
    emit("# ARCANE vs SISA vs retraining, \(file) (\(train.count) train / \(test.count) test)")
    emit(
      "OPENBLAS_NUM_THREADS=1, one worker; CPU: \(MachineDescription.summary); \(deletions) single-sample "
        + "deletions applied in turn per strategy (uniform: random samples; informed: samples from the 10% "
        + "marked likely)")
    emit("")
    emit(
      "| model | strategy | fit s | test acc | forget s (mean) | speed-up vs retrain | samples retrained (mean) "
        + "| share of a full retrain | requests that retrained nothing |")
    emit("|---|---|---|---|---|---|---|---|---|")
    let configurations = [
      ("logistic C=1", ModelConfiguration(kind: .logistic, seed: 3)),
      ("MLP 128, 10 epochs", ModelConfiguration(kind: .mlp, hiddenLayers: [128], epochs: 10, seed: 3)),
    ]
    for (label, configuration) in configurations {
      let strategies: [(String, any UnlearningStrategy, [SampleID])] = [
        ("retrain", Retrain(configuration: configuration), order.prefix(deletions).map { train.ids[$0] }),
        ("sisa S=5 R=4", SISA(configuration: configuration), order.prefix(deletions).map { train.ids[$0] }),
        ("arcane B=4", ARCANE(configuration: configuration), order.prefix(deletions).map { train.ids[$0] }),
        (
          "arcane B=4 informed", ARCANE(configuration: configuration, likelihood: informed),
          Array(likely.prefix(deletions))
        ),
      ]
      var retrainSeconds = 1.0
      for (name, strategy, ids) in strategies {
        log("arcane benchmark: \(label), \(name)")
        let result = try measure(strategy, train: train, test: test, ids: ids)
        if name == "retrain" { retrainSeconds = result.forgetSeconds }
        emit(
          "| \(label) | \(name) | \(format(result.fitSeconds, 3)) | \(format(result.accuracy, 4)) | "
            + "\(format(result.forgetSeconds, 4)) | \(format(retrainSeconds / result.forgetSeconds, 1))× | "
            + "\(format(result.samplesRetrained, 0)) | "
            + "\(format(100 * result.samplesRetrained / Double(train.count), 1))% | \(result.idle)/\(ids.count) |")
      }
    }
  }

  struct Result {
    var fitSeconds: Double
    var accuracy: Double
    var forgetSeconds: Double
    var samplesRetrained: Double
    var idle: Int
  }

  static func measure<S: UnlearningStrategy>(_ strategy: S, train: Dataset, test: Dataset, ids: [SampleID]) throws
    -> Result
  {
    let start = ContinuousClock.now
    var state = try strategy.fit(train, sourceSHA256: []) { _ in }
    let fitSeconds = (ContinuousClock.now - start).seconds
    let accuracy =
      ClassificationMetrics(
        trueLabels: test.labels, predictedLabels: state.predictedLabels(for: test.features),
        classNames: test.classNames
      ).accuracy
    var seconds = 0.0
    var samples = 0.0
    var idle = 0
    for id in ids {
      let begin = ContinuousClock.now
      let (next, report) = try strategy.forget(try ForgetRequest(ids: [id]), from: state) { _ in }
      seconds += (ContinuousClock.now - begin).seconds
      samples += Double(report.samplesRetrained)
      if report.samplesRetrained == 0 { idle += 1 }
      state = next
    }
    return Result(
      fitSeconds: fitSeconds, accuracy: accuracy, forgetSeconds: seconds / Double(ids.count),
      samplesRetrained: samples / Double(ids.count), idle: idle)
  }
}
