import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import Unlearning

/// LMEraser against retraining the MLP, in one run (issue: LMEraser): Fashion-MNIST's training set
/// with 20% public (by id hash), the official test set.
///
/// Baseline: an MLP of the same widths trained on all training samples — its test accuracy, its
/// parameter count and its training time (what a single deletion costs by retraining). LMEraser:
/// fit time, test accuracy, then `deletions` single-sample deletions of random private samples in
/// turn (median seconds, parameters and samples retrained), then erasing 10%, 30% and 50% of the
/// private data (cumulative batches) with test accuracy after each.
enum LMEraserBenchmark {
  static func run(dataDirectory: String, hidden: [Int], epochs: Int, deletions: Int) throws {
    openblas_set_num_threads(1)
    let folder = dataDirectory + "/fashion-mnist/"
    let train = try DatasetFile(path: folder + "train-images-idx3-ubyte.gz").load()
    let test = try DatasetFile(path: folder + "t10k-images-idx3-ubyte.gz").load()
    let configuration = ModelConfiguration(kind: .mlp, hiddenLayers: hidden, epochs: epochs, seed: 3)
    let strategy = LMEraser(
      configuration: configuration, split: PublicSplit(fraction: 0.2), workers: 2)
    func accuracy(_ predicted: [Int]) -> Double {
      ClassificationMetrics(trueLabels: test.labels, predictedLabels: predicted, classNames: test.classNames).accuracy
    }
    let widths = ([train.featureCount] + hidden + [train.classCount]).map(String.init).joined(separator: "-")
    emit("# LMEraser vs retraining an MLP, Fashion-MNIST (\(train.count) train / \(test.count) test)")
    emit(
      "MLP \(widths), \(epochs) epochs, Adam; public 20% of the training set (by id hash); clusters "
        + "\(strategy.minimumClusterSize)–\(strategy.maximumClusterSize), \(strategy.headEpochs) head epochs; "
        + "OPENBLAS_NUM_THREADS=1; clusters train on 2 threads at fit and in batch erasures (a single deletion "
        + "retrains one cluster, on one thread); CPU: \(MachineDescription.summary); one run")
    emit("")

    log("lmeraser: the MLP on all training data (the retraining baseline)")
    var start = ContinuousClock.now
    let full = try ModelTrainer(configuration: configuration).train(on: train, dataFileSHA256: [])
    let retrainSeconds = (ContinuousClock.now - start).seconds
    let fullAccuracy = accuracy(full.predictedLabels(for: test.features))
    let fullParameters = full.classifier.base.parameterCount

    log("lmeraser: fit (backbone on public data, clusters, prompts and heads)")
    start = ContinuousClock.now
    var state = try strategy.fit(train, sourceSHA256: []) { _ in }
    let fitSeconds = (ContinuousClock.now - start).seconds
    let before = accuracy(state.predictedLabels(for: test.features))
    let privateIDs = train.ids.filter(strategy.canErase)
    let sizes = state.clusters.map(\.members.count)

    log("lmeraser: \(deletions) single-sample deletions")
    var generator = SeededGenerator(seed: 11)
    let shuffled = privateIDs.fisherYatesShuffled(using: &generator)
    var seconds: [Double] = []
    var parameters: [Int] = []
    var samples: [Int] = []
    for id in shuffled.prefix(deletions) {
      let (next, report) = try strategy.forget(try ForgetRequest(ids: [id]), from: state) { _ in }
      seconds.append(report.seconds)
      parameters.append(report.parametersRetrained)
      samples.append(report.samplesRetrained)
      state = next
    }
    let medianSeconds = Measurement(seconds: seconds).median
    let medianParameters = parameters.sorted()[parameters.count / 2]

    emit(
      "| model | parameters | fit s | test acc | per single deletion: parameters retrained | seconds (median of "
        + "\(deletions)) | samples retrained (mean) |")
    emit("|---|---|---|---|---|---|---|")
    emit(
      "| MLP, all data (retrain) | \(fullParameters) | \(format(retrainSeconds, 1)) | \(format(fullAccuracy, 4)) "
        + "| \(fullParameters) | \(format(retrainSeconds, 2)) | \(train.count - 1) |")
    emit(
      "| lmeraser | \(state.parameterCount) | \(format(fitSeconds, 1)) | \(format(before, 4)) | \(medianParameters) "
        + "| \(format(medianSeconds, 3)) | \(format(Double(samples.reduce(0, +)) / Double(samples.count), 0)) |")
    emit("")
    emit(
      "Per single deletion: \(format(Double(fullParameters) / Double(medianParameters), 0))× fewer parameters and "
        + "\(format(retrainSeconds / medianSeconds, 1))× less time than retraining the MLP; test accuracy "
        + "\(format(100 * (before - fullAccuracy), 1)) pt against the MLP. \(sizes.count) clusters of "
        + "\(sizes.min() ?? 0)–\(sizes.max() ?? 0) private samples (\(privateIDs.count) private, "
        + "\(train.count - privateIDs.count) public).")
    emit("")

    emit(
      "| private data erased | samples erased | test acc | Δ vs before | clusters | clusters retrained | merged | seconds |"
    )
    emit("|---|---|---|---|---|---|---|---|")
    var erased = deletions
    for share in [0.1, 0.3, 0.5] {
      let target = Int((share * Double(privateIDs.count)).rounded())
      let batch = Array(shuffled[erased..<target])
      log("lmeraser: erasing up to \(Int(share * 100))% of the private data (\(batch.count) more)")
      let (next, report) = try strategy.forget(try ForgetRequest(ids: batch), from: state) { _ in }
      state = next
      erased = target
      let after = accuracy(state.predictedLabels(for: test.features))
      emit(
        "| \(Int(share * 100))% | \(target) | \(format(after, 4)) | \(format(100 * (after - before), 1)) pt "
          + "| \(state.clusters.count) | \(Int(report.figures["clusters_retrained"] ?? 0)) "
          + "| \(Int(report.figures["clusters_merged"] ?? 0)) | \(format(report.seconds, 1)) |")
    }
  }
}
