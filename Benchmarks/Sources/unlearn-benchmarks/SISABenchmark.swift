import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import Unlearning

/// The shape of SISA's headline result (Bourtoule et al. 2021, Fig. 5–6) on our data: as shards S
/// and slices R grow, a single-sample deletion retrains less, and accuracy drops against one model
/// trained on everything. One run: the single model's fit time and test accuracy are the baseline;
/// for each (S, R) the table gives fit time, test accuracy (vote and mean aggregation), and over
/// `deletions` single-sample deletions applied in turn, the mean forget time and samples retrained,
/// as speed-ups against retraining the single model. Also timed: fitting S = 5 shards on 1 and on 2
/// threads. Writes an SVG of speed-up against accuracy.
enum SISABenchmark {
  struct Row {
    let shards: Int
    let slices: Int
    let fitSeconds: Double
    let voteAccuracy: Double
    let meanAccuracy: Double
    let forgetSeconds: Double
    let samplesRetrained: Double
  }

  static func run(dataDirectory: String, file: String, deletions: Int, svg: String) throws {
    openblas_set_num_threads(1)
    let data = try DatasetFile(path: dataDirectory + "/" + file).load()
    var generator = SeededGenerator(seed: 7)
    let (train, test) = data.stratifiedSplit(testFraction: 0.2, using: &generator)
    let configuration = ModelConfiguration(kind: .mlp, hiddenLayers: [128], epochs: 10, seed: 3)
    emit(
      "# SISA: deletion cost against accuracy, \(file) (\(train.count) train / \(test.count) test), MLP 128, 10 epochs")
    emit(
      "OPENBLAS_NUM_THREADS=1; CPU: \(MachineDescription.summary); \(deletions) single-sample deletions per setting")
    emit("")
    func accuracy(_ predicted: [Int]) -> Double {
      ClassificationMetrics(trueLabels: test.labels, predictedLabels: predicted, classNames: test.classNames).accuracy
    }
    log("sisa: single model")
    let start = ContinuousClock.now
    let single = try ModelTrainer(configuration: configuration).train(on: train, dataFileSHA256: [])
    let singleSeconds = (ContinuousClock.now - start).seconds
    let singleAccuracy = accuracy(single.predictedLabels(for: test.features))
    let order = Array(0..<train.count).fisherYatesShuffled(using: &generator)
    var rows: [Row] = []
    for shards in [1, 5, 10, 20] {
      for slices in [1, 4] {
        log("sisa: S = \(shards), R = \(slices)")
        let strategy = SISA(configuration: configuration, shards: shards, slices: slices)
        let fitStart = ContinuousClock.now
        var state = try strategy.fit(train, sourceSHA256: []) { _ in }
        let fitSeconds = (ContinuousClock.now - fitStart).seconds
        var mean = state
        mean.strategy.aggregation = .mean
        let vote = accuracy(state.predictedLabels(for: test.features))
        let averaged = accuracy(mean.predictedLabels(for: test.features))
        var seconds = 0.0
        var samples = 0.0
        for row in order.prefix(deletions) {
          let clock = ContinuousClock.now
          let (next, report) = try strategy.forget(try ForgetRequest(ids: [train.ids[row]]), from: state) { _ in }
          seconds += (ContinuousClock.now - clock).seconds
          samples += Double(report.samplesRetrained)
          state = next
        }
        rows.append(
          Row(
            shards: shards, slices: slices, fitSeconds: fitSeconds, voteAccuracy: vote, meanAccuracy: averaged,
            forgetSeconds: seconds / Double(deletions), samplesRetrained: samples / Double(deletions)))
      }
    }
    emit(
      "| S | R | fit s | test acc (vote) | test acc (mean) | Δ acc vs one model (vote) | forget s (mean) "
        + "| speed-up vs retrain | samples retrained | share of a full retrain |")
    emit("|---|---|---|---|---|---|---|---|---|---|")
    emit(
      "| one model | – | \(format(singleSeconds, 3)) | \(format(singleAccuracy, 4)) | – | – | \(format(singleSeconds, 3)) "
        + "| 1.0× | \(train.count) | 100% |")
    for row in rows {
      emit(
        "| \(row.shards) | \(row.slices) | \(format(row.fitSeconds, 3)) | \(format(row.voteAccuracy, 4)) | "
          + "\(format(row.meanAccuracy, 4)) | \(format(100 * (row.voteAccuracy - singleAccuracy), 1)) pt | "
          + "\(format(row.forgetSeconds, 3)) | \(format(singleSeconds / row.forgetSeconds, 1))× | "
          + "\(format(row.samplesRetrained, 0)) | \(format(100 * row.samplesRetrained / Double(train.count), 1))% |")
    }
    emit("")
    log("sisa: S = 5 fit on 1 and 2 threads")
    let timing = try [1, 2].map { workers -> Double in
      let strategy = SISA(configuration: configuration, shards: 5, slices: 4, workers: workers)
      let begin = ContinuousClock.now
      _ = try strategy.fit(train, sourceSHA256: []) { _ in }
      return (ContinuousClock.now - begin).seconds
    }
    emit(
      "Fitting S = 5, R = 4: \(format(timing[0], 3)) s on one thread, \(format(timing[1], 3)) s on two "
        + "(\(format(timing[0] / timing[1], 2))×), one run each.")
    try writePlot(rows, singleAccuracy: singleAccuracy, singleSeconds: singleSeconds, to: svg)
    emit("Plot: \(svg)")
  }

  /// Speed-up of a deletion (log scale) against test accuracy, one point per (S, R).
  static func writePlot(_ rows: [Row], singleAccuracy: Double, singleSeconds: Double, to path: String) throws {
    let width = 640.0
    let height = 400.0
    let margin = 60.0
    let speedups = rows.map { singleSeconds / $0.forgetSeconds }
    let maxLog = max(1, (speedups.map { log10(max($0, 1)) }.max() ?? 1).rounded(.up))
    let accuracies = rows.map(\.voteAccuracy) + [singleAccuracy]
    let low = ((accuracies.min() ?? 0) * 50).rounded(.down) / 50
    let high = ((accuracies.max() ?? 1) * 50).rounded(.up) / 50
    func x(_ speedup: Double) -> Double { margin + (width - 2 * margin) * log10(max(speedup, 1)) / maxLog }
    func y(_ accuracy: Double) -> Double {
      height - margin - (height - 2 * margin) * (accuracy - low) / max(high - low, 1e-9)
    }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
      + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    svg +=
      "<line x1=\"\(margin)\" y1=\"\(height - margin)\" x2=\"\(width - margin)\" y2=\"\(height - margin)\" stroke=\"black\"/>\n"
    svg += "<line x1=\"\(margin)\" y1=\"\(margin)\" x2=\"\(margin)\" y2=\"\(height - margin)\" stroke=\"black\"/>\n"
    svg +=
      "<text x=\"\(width / 2)\" y=\"\(height - 15)\" text-anchor=\"middle\">deletion speed-up vs retraining (log)</text>\n"
    svg +=
      "<text x=\"15\" y=\"\(height / 2)\" transform=\"rotate(-90 15 \(height / 2))\" text-anchor=\"middle\">test accuracy (vote)</text>\n"
    for power in 0...Int(maxLog) {
      let value = pow(10, Double(power))
      svg += "<text x=\"\(x(value))\" y=\"\(height - margin + 16)\" text-anchor=\"middle\">\(Int(value))×</text>\n"
    }
    for accuracy in [low, (low + high) / 2, high] {
      svg += "<text x=\"\(margin - 6)\" y=\"\(y(accuracy) + 4)\" text-anchor=\"end\">\(format(accuracy, 3))</text>\n"
    }
    svg +=
      "<line x1=\"\(margin)\" y1=\"\(y(singleAccuracy))\" x2=\"\(width - margin)\" y2=\"\(y(singleAccuracy))\" "
      + "stroke=\"gray\" stroke-dasharray=\"4 4\"/>\n"
    svg +=
      "<text x=\"\(width - margin)\" y=\"\(y(singleAccuracy) - 4)\" text-anchor=\"end\" fill=\"gray\">one model</text>\n"
    for (row, speedup) in zip(rows, speedups) {
      let color = row.slices == 1 ? "steelblue" : "darkorange"
      svg += "<circle cx=\"\(x(speedup))\" cy=\"\(y(row.voteAccuracy))\" r=\"5\" fill=\"\(color)\"/>\n"
      svg += "<text x=\"\(x(speedup) + 7)\" y=\"\(y(row.voteAccuracy) - 6)\">S=\(row.shards) R=\(row.slices)</text>\n"
    }
    svg += "</svg>\n"
    try svg.write(toFile: path, atomically: true, encoding: .utf8)
  }
}
