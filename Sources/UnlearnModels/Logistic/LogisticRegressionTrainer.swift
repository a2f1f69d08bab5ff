import UnlearnCore

/// Fits `LogisticRegression` to the optimum of its objective, to ‖∇L‖ ≤ 1e-8·‖∇L(0)‖ by default.
///
/// The method follows cost (docs/architecture.md): one Newton iteration builds the Hessian
/// (≈ n·p²·K(K+1)/2 flops for softmax, n·p² binary) and factors it (P³/3 for P parameters),
/// one L-BFGS iteration costs about one gradient (≈ 4·n·p·K flops). `.automatic` picks Newton when
/// ~10 Newton iterations cost less than ~500 L-BFGS iterations, which holds for small P
/// (breast cancer, digits) and not for MNIST-sized softmax models. `.trustRegion` (TRON, one-pass
/// Hessian-vector products) is there to be chosen: on the data `unlearn-benchmarks training`
/// measures, its conjugate gradients took more passes over the data than L-BFGS needed to reach the
/// same tolerance, so `.automatic` never resolves to it.
public struct LogisticRegressionTrainer: Sendable {
  public enum Method: String, Sendable, Codable, CaseIterable {
    case automatic
    case newton
    case lbfgs
    case trustRegion = "trust-region"
  }

  public var method: Method
  public var relativeTolerance: Double
  public var maximumIterations: Int?

  public init(method: Method = .automatic, relativeTolerance: Double = 1e-8, maximumIterations: Int? = nil) {
    self.method = method
    self.relativeTolerance = relativeTolerance
    self.maximumIterations = maximumIterations
  }

  /// The method `.automatic` resolves to for this problem size.
  public static func preferredMethod(sampleCount n: Int, featureCount d: Int, classCount: Int) -> Method {
    let p = Double(d + 1)
    let k = Double(classCount == 2 ? 1 : classCount)
    let n = Double(n)
    let hessianFlops = classCount == 2 ? n * p * p : n * p * p * k * (k + 1) / 2
    let factorFlops = pow3(p * k) / 3
    let gradientFlops = 4 * n * p * k
    return 10 * (hessianFlops + factorFlops) < 500 * gradientFlops ? .newton : .lbfgs
  }

  /// Trains from `start` (warm start; θ = 0 by default) and returns the model and how it went.
  public func fit(
    _ model: LogisticRegression, on batch: LabelledBatch, from start: [Double]? = nil,
    progress: (OptimizationProgress) -> Void = { _ in }
  ) throws -> (model: LogisticRegression, report: OptimizationReport) {
    let objective = ModelObjective(model: model, batch: batch)
    let initial = start ?? [Double](repeating: 0, count: model.parameterCount)
    let resolved =
      method == .automatic
      ? Self.preferredMethod(sampleCount: batch.count, featureCount: model.featureCount, classCount: model.classCount)
      : method
    var trained = model
    let report: OptimizationReport
    switch resolved {
    case .newton, .automatic:
      let optimizer = NewtonOptimizer(
        criterion: ConvergenceCriterion(
          relativeTolerance: relativeTolerance, maximumIterations: maximumIterations ?? 100))
      (trained.parameters, report) = try optimizer.minimize(objective, from: initial, progress: progress)
    case .lbfgs:
      let optimizer = LBFGSOptimizer(
        criterion: ConvergenceCriterion(
          relativeTolerance: relativeTolerance, maximumIterations: maximumIterations ?? 20_000))
      (trained.parameters, report) = optimizer.minimize(objective, from: initial, progress: progress)
    case .trustRegion:
      let optimizer = TrustRegionNewtonOptimizer(
        criterion: ConvergenceCriterion(
          relativeTolerance: relativeTolerance, maximumIterations: maximumIterations ?? 1_000))
      (trained.parameters, report) = try optimizer.minimize(objective, from: initial, progress: progress)
    }
    return (trained, report)
  }
}

private func pow3(_ x: Double) -> Double { x * x * x }
