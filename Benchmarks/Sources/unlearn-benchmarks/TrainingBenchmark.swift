import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// Our logistic-regression fit against scikit-learn's on the same standardized data, in one run.
///
/// Both sides time only the fit (data already loaded and standardized). Ours runs to
/// ‖∇L‖ ≤ 1e-8·‖∇L(0)‖; scikit-learn runs lbfgs with its default tol = 1e-4 (its faster setting).
/// The report gives the time ratio and how far scikit-learn's parameters are from our optimum
/// (relative L2 distance and relative gradient norm of our objective at its parameters), so "faster"
/// is never read without "to what accuracy". For a like-for-like time it also fits ours again with the
/// tolerance set to the relative gradient norm scikit-learn actually reached ("ours at sklearn's
/// accuracy"). OpenBLAS uses the thread count given (both sides). On the large datasets our fit is
/// capped at `iterationCap` L-BFGS iterations; the table then says how far it got.
enum TrainingBenchmark {
  struct SklearnResult: Decodable {
    let sklearn: String?
    /// The OpenBLAS kernel sets numpy and scipy run on, e.g. "SkylakeX".
    let blasCore: String?
    let seconds: Double?
    let repetitions: Int?
    let iterations: Int?
    let parameters: [Double]?
    let error: String?

    enum CodingKeys: String, CodingKey {
      case sklearn
      case blasCore = "blas_core"
      case seconds, repetitions, iterations, parameters, error
    }
  }

  static let iterationCap = 3000

  static func run(dataDirectory: String, datasets: [String], threads: Int) throws {
    openblas_set_num_threads(Int32(threads))
    emit("# logistic regression fit: Unlearn vs scikit-learn (C = 1, standardized features)")
    emit("OPENBLAS_NUM_THREADS=\(threads) for both; CPU: \(MachineDescription.summary)")
    emit("")
    emit(
      "| dataset | n × d, K | ours: method, iterations, ‖∇L‖/‖∇L(0)‖ | ours s | sklearn iterations | sklearn s | ours / sklearn "
        + "| sklearn ‖θ−θ*‖/‖θ*‖ | sklearn ‖∇L‖/‖∇L(0)‖ | ours at sklearn's accuracy s | same-accuracy ratio | reps |")
    emit("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in datasets {
      let path = dataDirectory + "/" + name
      let dataset = try DatasetFile(path: path).load()
      let standardized = Standardizer(fitting: dataset.features).transform(dataset)
      let batch = LabelledBatch(
        features: standardized.features, labels: standardized.labels, classCount: standardized.classCount)
      let model = LogisticRegression(
        featureCount: dataset.featureCount, classCount: dataset.classCount, inverseRegularization: 1)
      let large = dataset.count * dataset.featureCount > 1_000_000
      let repetitions = large ? 1 : 5
      log("training: \(name), ours, \(repetitions) repetition(s)")
      var trained = model
      var report: OptimizationReport?
      let ours = try Measurement.run(repetitions: repetitions, warmUp: !large) {
        (trained, report) = try LogisticRegressionTrainer(maximumIterations: large ? iterationCap : nil).fit(
          model, on: batch)
      }
      log("training: \(name), scikit-learn")
      let sklearn = try runSklearn(path: path, repetitions: repetitions, threads: threads)
      let shape = "\(dataset.count) × \(dataset.featureCount), \(dataset.classCount)"
      let reached = report!.finalGradientNorm / report!.referenceGradientNorm
      let oursColumn =
        "\(report!.method.rawValue), \(report!.iterations), \(String(format: "%.1e", reached))"
        + (report!.isConverged ? "" : " (cap, not converged)")
      guard let seconds = sklearn.seconds, let theirs = sklearn.parameters else {
        emit(
          "| \(name) | \(shape) | \(oursColumn) | \(format(ours.median, 3)) | – | – | – | – | – | – | – | \(repetitions) |"
        )
        log("scikit-learn unavailable: \(sklearn.error ?? "no result")")
        continue
      }
      var atTheirs = model
      atTheirs.parameters = theirs
      var distance = theirs
      BLAS.axpy(-1, trained.parameters, &distance)
      let relativeDistance = BLAS.nrm2(distance) / BLAS.nrm2(trained.parameters)
      let relativeGradient = BLAS.nrm2(atTheirs.lossAndGradient(on: batch).gradient) / report!.referenceGradientNorm
      log("training: \(name), ours to scikit-learn's accuracy")
      let sameAccuracy = try Measurement.run(repetitions: repetitions, warmUp: !large) {
        _ = try LogisticRegressionTrainer(relativeTolerance: relativeGradient).fit(model, on: batch)
      }
      emit(
        "| \(name) | \(shape) | \(oursColumn) | \(format(ours.median, 3)) | \(sklearn.iterations ?? 0) | "
          + "\(format(seconds, 3)) | \(format(ours.median / seconds)) | \(String(format: "%.1e", relativeDistance)) | "
          + "\(String(format: "%.1e", relativeGradient)) | \(format(sameAccuracy.median, 3)) | "
          + "\(format(sameAccuracy.median / seconds)) | \(repetitions) |")
    }
    emit("")
    emit(
      "Times are medians (one run, no warm-up, for the large datasets). Our tolerance: ‖∇L‖ ≤ 1e-8·‖∇L(0)‖, "
        + "at most \(iterationCap) iterations on the large datasets.")
  }

  private static func runSklearn(path: String, repetitions: Int, threads: Int) throws -> SklearnResult {
    let (result, failure) = try PythonScript.run(
      "sklearn_fit.py", arguments: ["--data", path, "--repetitions", String(repetitions)], threads: threads,
      as: SklearnResult.self)
    return result
      ?? SklearnResult(
        sklearn: nil, blasCore: nil, seconds: nil, repetitions: nil, iterations: nil, parameters: nil, error: failure)
  }
}
