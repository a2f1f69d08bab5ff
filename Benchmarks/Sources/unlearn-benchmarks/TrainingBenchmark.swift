import CUnlearnBLAS
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// Our logistic-regression fits against scikit-learn's on the same standardized data, in one run.
///
/// The data is loaded and standardized once on our side and handed to scikit-learn as the same
/// float64 matrix (`sklearn_fit.py --matrix`), so both fit exactly the same problem (C = 1). Both
/// sides time only the fit. Ours runs each solver to ‖∇L‖ ≤ 1e-8·‖∇L(0)‖ and reports its iterations
/// and passes over the data (gradient evaluations plus Hessian-vector products, each one pass;
/// Newton also builds and factors the Hessian every iteration). scikit-learn runs lbfgs at its
/// default tolerance (tol = 1e-4) and again at tol = 1e-8; for each, the table gives the relative
/// gradient norm of *our* objective at its parameters, so "faster" is never read without "to what
/// accuracy". The ratio is the solver `--solver automatic` picks against scikit-learn's default. m is
/// how many (s, y) pairs our L-BFGS keeps (scikit-learn's keeps 10).
enum TrainingBenchmark {
  struct SklearnResult: Decodable {
    let sklearn: String?
    /// The OpenBLAS kernel sets numpy and scipy run on, e.g. "SkylakeX".
    let blasCore: String?
    let seconds: Double?
    let repetitions: Int?
    let iterations: Int?
    let maxIter: Int?
    let parameters: [Double]?
    let error: String?

    enum CodingKeys: String, CodingKey {
      case sklearn
      case blasCore = "blas_core"
      case maxIter = "max_iter"
      case seconds, repetitions, iterations, parameters, error
    }
  }

  /// scikit-learn's iteration cap, which keeps its run at tol = 1e-8 within minutes. Ours run with
  /// the trainer's own caps, as `unlearn train` does: what a user waits for is what is measured.
  static let sklearnIterationCap = 10_000

  static func run(dataDirectory: String, datasets: [String], threads: Int) throws {
    openblas_set_num_threads(Int32(threads))
    emit("# logistic regression fit: Unlearn vs scikit-learn (C = 1, the same standardized features)")
    emit("OPENBLAS_NUM_THREADS=\(threads) for both; CPU: \(MachineDescription.summary)")
    emit("")
    emit(
      "| dataset | n × d, K | fit | iterations | passes (gradients + Hv) | ‖∇L‖/‖∇L(0)‖ | s | reps | / sklearn default |"
    )
    emit("|---|---|---|---|---|---|---|---|---|")
    var notes: [String] = []
    for name in datasets {
      let path = dataDirectory + "/" + name
      let dataset = try DatasetFile(path: path).load()
      let standardized = Standardizer(fitting: dataset.features).transform(dataset)
      let batch = LabelledBatch(
        features: standardized.features, labels: standardized.labels, classCount: standardized.classCount)
      let model = LogisticRegression(
        featureCount: dataset.featureCount, classCount: dataset.classCount, inverseRegularization: 1)
      let shape = "\(dataset.count) × \(dataset.featureCount), \(dataset.classCount)"
      let large = dataset.count * dataset.featureCount > 1_000_000
      let repetitions = large ? 1 : 5
      let picked = LogisticRegressionTrainer.preferredMethod(
        sampleCount: dataset.count, featureCount: dataset.featureCount, classCount: dataset.classCount)
      let parameterCount = model.parameterCount
      var ours: [(method: LogisticRegressionTrainer.Method, report: OptimizationReport, seconds: Double)] = []
      for method in [LogisticRegressionTrainer.Method.trustRegion, .lbfgs, .newton] {
        // A Newton iteration on P parameters builds and factors a P × P Hessian: past a few thousand
        // it runs for minutes, which is why `automatic` never picks it there.
        if method == .newton && parameterCount > 3_000 { continue }
        log("training: \(name), ours (\(method.rawValue)), \(repetitions) repetition(s)")
        var report: OptimizationReport?
        let measured = try Measurement.run(repetitions: repetitions, warmUp: !large) {
          report = try LogisticRegressionTrainer(method: method)
            .fit(model, on: batch).report
        }
        ours.append((method, report!, measured.median))
      }
      let matrixFile = try writeMatrix(standardized)
      defer { try? FileManager.default.removeItem(atPath: matrixFile) }
      log("training: \(name), scikit-learn at its default tolerance")
      let sklearnDefault = try runSklearn(
        matrix: matrixFile, tolerance: 1e-4, repetitions: repetitions, threads: threads)
      log("training: \(name), scikit-learn at tol = 1e-8")
      let sklearnTight = try runSklearn(
        matrix: matrixFile, tolerance: 1e-8, repetitions: large ? 1 : 3, threads: threads)
      let reference = ours[0].report.referenceGradientNorm
      func relativeGradient(_ parameters: [Double]) -> Double {
        var fitted = model
        fitted.parameters = parameters
        return BLAS.nrm2(fitted.lossAndGradient(on: batch).gradient) / reference
      }
      let baseline = sklearnDefault.seconds
      for (method, report, seconds) in ours {
        let reached = report.finalGradientNorm / report.referenceGradientNorm
        let passes = report.evaluations + report.hessianVectorProducts
        let memory =
          method == .lbfgs ? ", m = \(LogisticRegressionTrainer.lbfgsMemory(sampleCount: dataset.count))" : ""
        let label = "ours: \(method.rawValue)\(memory)" + (method == picked ? " (automatic)" : "")
        emit(
          "| \(name) | \(shape) | \(label) | \(report.iterations)\(report.isConverged ? "" : " (cap)") | "
            + "\(passes) (\(report.evaluations) + \(report.hessianVectorProducts)) | "
            + "\(String(format: "%.1e", reached)) | \(format(seconds, 3)) | \(repetitions) | "
            + "\(baseline.map { format(seconds / $0) } ?? "–") |")
      }
      for (label, result) in [
        ("scikit-learn lbfgs, tol 1e-4", sklearnDefault), ("scikit-learn lbfgs, tol 1e-8", sklearnTight),
      ] {
        guard let seconds = result.seconds, let parameters = result.parameters, parameters.count == parameterCount
        else {
          emit("| \(name) | \(shape) | \(label) | – | – | – | – | – | – |")
          notes.append("\(name), \(label): \(result.error ?? "no result")")
          continue
        }
        let capped = (result.iterations ?? 0) >= (result.maxIter ?? .max)
        emit(
          "| \(name) | \(shape) | \(label) | \(result.iterations ?? 0)\(capped ? " (cap)" : "") | – | "
            + "\(String(format: "%.1e", relativeGradient(parameters))) | \(format(seconds, 3)) | "
            + "\(result.repetitions ?? 0) | \(baseline.map { format(seconds / $0) } ?? "–") |")
      }
    }
    emit("")
    emit(
      "Times are medians (one run, no warm-up, on the sets with more than a million entries). Ours stops at "
        + "‖∇L‖ ≤ 1e-8·‖∇L(0)‖ or the trainer's cap (L-BFGS \(cap(.lbfgs)) iterations, trust-region "
        + "\(cap(.trustRegion)), Newton \(cap(.newton))), scikit-learn at its tol or "
        + "\(sklearnIterationCap) iterations; \"(cap)\" marks a run that stopped at its cap. Newton is "
        + "left out above 3,000 parameters.")
    for note in notes { emit("- \(note)") }
  }

  private static func cap(_ method: LogisticRegressionTrainer.Method) -> Int {
    LogisticRegressionTrainer.defaultMaximumIterations(method)
  }

  /// The standardized features and labels as `sklearn_fit.py --matrix` reads them.
  private static func writeMatrix(_ data: Dataset) throws -> String {
    let path = NSTemporaryDirectory() + "unlearn-training-\(ProcessInfo.processInfo.processIdentifier).bin"
    var bytes = Data()
    func append<T>(_ values: [T]) { values.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    append([Int64(data.count).littleEndian, Int64(data.featureCount).littleEndian])
    append(data.features.elements.map { $0.bitPattern.littleEndian })
    append(data.labels.map { Int64($0).littleEndian })
    try bytes.write(to: URL(fileURLWithPath: path))
    return path
  }

  private static func runSklearn(matrix: String, tolerance: Double, repetitions: Int, threads: Int) throws
    -> SklearnResult
  {
    let (result, failure) = try PythonScript.run(
      "sklearn_fit.py",
      arguments: [
        "--matrix", matrix, "--tol", String(tolerance), "--max-iter", String(sklearnIterationCap),
        "--repetitions", String(repetitions),
      ], threads: threads, as: SklearnResult.self)
    return result
      ?? SklearnResult(
        sklearn: nil, blasCore: nil, seconds: nil, repetitions: nil, iterations: nil, maxIter: nil, parameters: nil,
        error: failure)
  }
}
