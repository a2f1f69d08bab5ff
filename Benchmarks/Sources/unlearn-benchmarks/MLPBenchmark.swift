import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels

/// Seconds per epoch and test accuracy of the MLP on Fashion-MNIST (60k train, 10k test),
/// 784-256-10, Adam, batch 128, standardized features, against PyTorch (CPU) on the same network
/// in the same run when torch is installed.
enum MLPBenchmark {
  struct TorchResult: Decodable {
    let torch: String?
    let secondsPerEpoch: Double?
    let testAccuracy: Double?
    let error: String?

    enum CodingKeys: String, CodingKey {
      case torch, error
      case secondsPerEpoch = "seconds_per_epoch"
      case testAccuracy = "test_accuracy"
    }
  }

  static func run(dataDirectory: String, epochs: Int, threads: Int) throws {
    openblas_set_num_threads(Int32(threads))
    let trainPath = dataDirectory + "/fashion-mnist/train-images-idx3-ubyte.gz"
    let testPath = dataDirectory + "/fashion-mnist/t10k-images-idx3-ubyte.gz"
    emit("# MLP 784-256-10 on Fashion-MNIST: Adam, batch 128, \(epochs) epochs, OPENBLAS_NUM_THREADS=\(threads)")
    emit("CPU: \(MachineDescription.summary)")
    emit("")
    let train = try DatasetFile(path: trainPath).load()
    let test = try DatasetFile(path: testPath).load().aligningClasses(to: train.classNames)
    log("mlp: training ours")
    let trained = try ModelTrainer(
      configuration: ModelConfiguration(kind: .mlp, hiddenLayers: [256], epochs: epochs, batchSize: 128, seed: 1)
    ).train(on: train, dataFileSHA256: [])
    let predicted = trained.predictedLabels(for: test.features)
    let accuracy = ClassificationMetrics(
      trueLabels: test.labels, predictedLabels: predicted, classNames: test.classNames
    ).accuracy
    let ours = trained.summary.secondsPerEpoch ?? .nan
    log("mlp: PyTorch, if installed")
    let torch = try runTorch(train: trainPath, test: testPath, epochs: epochs, threads: threads)
    emit("| implementation | precision | seconds per epoch | test accuracy | ours / PyTorch |")
    emit("|---|---|---|---|---|")
    emit("| Unlearn MLP | float64 | \(format(ours, 3)) | \(format(accuracy, 4)) | – |")
    if let seconds = torch.secondsPerEpoch, let torchAccuracy = torch.testAccuracy {
      emit(
        "| PyTorch \(torch.torch ?? "") | float32 | \(format(seconds, 3)) | \(format(torchAccuracy, 4)) | "
          + "\(format(ours / seconds)) |")
    } else {
      emit("| PyTorch | – | not run: \(torch.error ?? "unknown") | – | – |")
    }
    emit("")
    emit("Seconds per epoch: mean over the \(epochs) epochs of one training run (feature scaling excluded).")
  }

  private static func runTorch(train: String, test: String, epochs: Int, threads: Int) throws -> TorchResult {
    let (result, failure) = try PythonScript.run(
      "torch_mlp.py",
      arguments: ["--train", train, "--test", test, "--epochs", String(epochs), "--threads", String(threads)],
      threads: threads, as: TorchResult.self)
    return result ?? TorchResult(torch: nil, secondsPerEpoch: nil, testAccuracy: nil, error: failure)
  }
}
