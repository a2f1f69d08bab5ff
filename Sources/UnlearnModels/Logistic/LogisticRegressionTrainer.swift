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
/// same tolerance, so `.automatic` never resolves to it. L-BFGS keeps `lbfgsMemory(sampleCount:)`
/// pairs: more pairs than the textbook 5–30 buy fewer passes on ill-conditioned data for little.
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

  /// The iteration cap when `maximumIterations` is nil: Newton and trust-region iterations are
  /// few and costly, L-BFGS's many and cheap.
  public static func defaultMaximumIterations(_ method: Method) -> Int {
    switch method {
    case .newton, .automatic: 100
    case .lbfgs: 20_000
    case .trustRegion: 1_000
    }
  }

  /// How many (s, y) pairs L-BFGS keeps for n samples: n/16, at least 30 and at most 300.
  ///
  /// The two-loop recursion costs 4·m·P flops per iteration against 4·n·P for the pass over the
  /// data, but it streams 2m stored vectors from memory where the pass runs in cache-blocked
  /// kernels, several times slower per flop; m = n/16 keeps it a fraction of the pass. More pairs
  /// bring L-BFGS closer to full BFGS, which on ill-conditioned data takes far fewer iterations.
  /// The cap bounds the pairs' memory at 600 vectors of P.
  public static func lbfgsMemory(sampleCount n: Int) -> Int {
    min(300, max(30, n / 16))
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
          relativeTolerance: relativeTolerance,
          maximumIterations: maximumIterations ?? Self.defaultMaximumIterations(.newton)))
      (trained.parameters, report) = try optimizer.minimize(objective, from: initial, progress: progress)
    case .lbfgs:
      let optimizer = LBFGSOptimizer(
        criterion: ConvergenceCriterion(
          relativeTolerance: relativeTolerance,
          maximumIterations: maximumIterations ?? Self.defaultMaximumIterations(.lbfgs)),
        memory: Self.lbfgsMemory(sampleCount: batch.count))
      (trained.parameters, report) = optimizer.minimize(objective, from: initial, progress: progress)
    case .trustRegion:
      let optimizer = TrustRegionNewtonOptimizer(
        criterion: ConvergenceCriterion(
          relativeTolerance: relativeTolerance,
          maximumIterations: maximumIterations ?? Self.defaultMaximumIterations(.trustRegion)))
      (trained.parameters, report) = try optimizer.minimize(objective, from: initial, progress: progress)
    }
    return (trained, report)
  }
}

private func pow3(_ x: Double) -> Double { x * x * x }
