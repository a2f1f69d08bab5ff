import UnlearnCore
import UnlearnData
import UnlearnModels

/// Newton / influence removal for logistic regression and, on its output layer, the MLP (Koh &
/// Liang, "Understanding Black-box Predictions via Influence Functions", ICML 2017; Guo, Goldstein,
/// Hannun & van der Maaten, "Certified Data Removal from Machine Learning Models", ICML 2020).
///
/// Removing the set F from a model at θ is Newton steps on the objective retraining minimizes,
/// L'(θ) = L(θ; D \ F):
///
///     θ⁻ = θ − H'⁻¹·∇L'(θ),   ∇L'(θ) = ∇L(θ; D) − Σ_{i∈F} ∇ℓ_i(θ),   H' = H − Σ_{i∈F} ∇²ℓ_i,
///
/// at the optimum the influence-function update θ* + H'⁻¹ Σ_F ∇ℓ_i(θ*). The Hessian is factored
/// once, at fit; a request downdates the factor by its samples' curvature U_F·U_Fᵀ (Woodbury, O(P²)
/// per column), steps around it when that costs more (the batch path), or refactors
/// (`path(for:from:next:)`; after a stall, `finishStall`). Steps continue to the request's target
/// (`begin`). Contract: the report's `gradient_residual` is the exact ‖∇L'(θ⁻)‖ (one pass); the
/// result is approximate (a certified retraining is exact); no term of a forgotten sample survives
/// in a written state (the factor is folded first). Certified mode: `Certification`.
/// docs/methods.md gives the reasoning.
public struct NewtonRemoval: UnlearningStrategy {
  public static let name = "newton"
  /// The most conjugate-gradient iterations (each a Hessian-vector product and a solve with the
  /// cached factorization) per Newton step of `newtonConjugateGradientSteps`; they usually stop
  /// much earlier, at the step's forcing tolerance.
  static let conjugateGradientIterations = 30
  /// A request takes the batch path when applying its downdate would cost more than this many
  /// units of the batch path's work (see above and `path(for:from:next:)`).
  static let batchPathSteps = 8.0

  /// Why certified removal refuses feature scaling fitted on the training data.
  static let certifiedScalingMessage =
    "--certified needs feature scaling that does not depend on the training data: statistics fitted on it keep "
    + "a dependence on samples removed later, which the (ε, δ) guarantee does not cover. Use --scaling none "
    + "(rows are then scaled to unit length, as in Guo et al.) or --scaling FILE with statistics computed elsewhere"

  /// The Hessian, factored in place, and H⁻¹ when `invertsFactor` — else the upper triangle packed
  /// for writing: P × P matrices of Float64 (three, or two), with P = (inputs + 1) × outputs of the
  /// part the step updates (the whole logistic model — one output when binary — or an MLP's output
  /// layer).
  public func estimatedPeakBytes(featureCount: Int, classCount: Int) -> Int? {
    let inputs = configuration.kind == .mlp ? (configuration.hiddenLayers.last ?? featureCount) : featureCount
    let outputs = configuration.kind == .logistic && classCount == 2 ? 1 : classCount
    let p = (inputs + 1) * outputs
    return (invertsFactor ? 3 : 2) * 8 * p * p
  }

  public var configuration: ModelConfiguration
  /// Refactor once the accumulated downdate rank exceeds this; nil = half the parameter count.
  public var refactorRank: Int?
  /// At most this many steps per request (1 = the pure Newton / influence step).
  public var maxSteps: Int
  /// Stop taking steps once ‖∇L'(θ)‖ ≤ residualTarget · ‖∇L'(θ_before)‖.
  public var residualTarget: Double
  /// Certified (ε, δ) removal, or nil.
  public var certification: Certification?
  /// MLP: epochs of fine-tuning the whole network on the remaining data after the step (0: none).
  public var finetuneEpochs: Int
  /// Whether large requests take the batch path (see above and `path(for:from:next:)`): with it off,
  /// a request past `refactorRank` refactors and every other one is a Woodbury downdate. Not
  /// persisted: states read back take it.
  public var usesBatchPath = true
  /// Whether a request past `refactorRank` may fold the downdates into a new factor where that is
  /// cheaper (see `path(for:from:next:)`). Not persisted: states read back take it.
  public var foldsDowndates = true
  /// Whether H⁻¹ is formed after each factorization (2P³/3 flops and P² more memory), so that a
  /// solve is one symmetric product and a downdate one read of H⁻¹'s rows (`DowndatedCholesky`).
  /// Off where the state is only written (`unlearn train`): a state file keeps the factor and the
  /// store none, and a state read back solves by substitution until its next refactorization.
  /// Not persisted: states read back take it.
  public var invertsFactor = true

  /// A strategy for `configuration`. With `certification` (logistic only), rows are L2-normalized
  /// and every request takes exactly one step; `finetuneEpochs` applies to the MLP only.
  public init(
    configuration: ModelConfiguration, refactorRank: Int? = nil, maxSteps: Int = 8, residualTarget: Double = 1e-2,
    certification: Certification? = nil, finetuneEpochs: Int = 0
  ) {
    precondition(
      certification == nil || configuration.kind == .logistic, "certified newton removal needs a logistic model")
    precondition(finetuneEpochs == 0 || configuration.kind == .mlp, "fine-tuning applies to the MLP")
    precondition(maxSteps >= 1 && residualTarget >= 0, "newton removal needs maxSteps ≥ 1 and residualTarget ≥ 0")
    var configuration = configuration
    if certification != nil { configuration.normalizesRows = true }
    self.configuration = configuration
    self.refactorRank = refactorRank
    self.maxSteps = certification == nil ? maxSteps : 1
    self.residualTarget = residualTarget
    self.certification = certification
    self.finetuneEpochs = finetuneEpochs
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> NewtonState
  {
    // Checked at a first training only: a certified state written before scalings were checked
    // keeps retraining as it was trained.
    if certification != nil && configuration.scaling.dependsOnTrainingData {
      throw StrategyError(Self.certifiedScalingMessage)
    }
    return try trainFromScratch(
      TrainingSet(data: training, sourceSHA256: sourceSHA256), retraining: 0, progress: progress)
  }

  /// Trains on the set's samples (scaling refitted on them), draws the certified noise of the
  /// `retraining`-th training, and builds the Hessian factor, gradient and Gram matrix.
  func trainFromScratch(_ set: TrainingSet, retraining: Int, progress: (TrainingProgress) -> Void) throws
    -> NewtonState
  {
    let data = set.data
    if certification != nil && data.classCount > 2 {
      throw StrategyError(
        "certified newton removal supports binary models only in this build; the data has \(data.classCount) classes "
          + "(drop --certified, or train one binary model per class)")
    }
    let parameterCount = (data.featureCount + 1) * (data.classCount == 2 ? 1 : data.classCount)
    let noise = certification?.noise(count: parameterCount, retraining: retraining)
    let trained = try ModelTrainer(configuration: configuration).train(
      on: data, dataFileSHA256: set.sourceSHA256, linearTerm: noise, progress: progress)
    let head = try NewtonState.head(of: trained, linearTerm: noise)
    let batch = NewtonState.batch(data, model: trained)
    let clock = ContinuousClock()
    let factorStart = clock.now
    let factorization = try LAPACK.cholesky(head.hessian(on: batch, includingRegularization: true))
    let inverted = DowndatedCholesky(base: factorization, keepsInverse: invertsFactor, blockSize: head.outputCount)
    let factorizationSeconds = (clock.now - factorStart).seconds
    var zero = LogisticRegression(
      featureCount: head.featureCount, classCount: head.classCount, inverseRegularization: head.inverseRegularization
    )
    zero.linearTerm = noise
    let designNormBound = certification == nil ? nil : try NewtonState.designNorm(of: batch)
    let (loss, gradient) = head.lossAndGradient(on: batch)
    var state = NewtonState(
      strategy: self, trainingSet: set, model: trained, head: head, factorization: inverted,
      loss: loss, gradient: gradient,
      gradientScale: BLAS.nrm2(zero.lossAndGradient(on: batch).gradient), batch: batch,
      certificate: certification.map { _ in NewtonState.Certificate(budgetSpent: 0, retrainings: retraining) },
      designNormBound: designNormBound)
    state.factorizationSeconds = factorizationSeconds
    return state
  }

  /// Removes the request's samples in phases: `begin` (the kept objective without them), the
  /// downdate path (`path`, `applyDowndate`), the steps (`takeInfluenceStep` and `refine`, or the
  /// batch path's `takeBatchSteps`), certified accounting (`charge`), `finishStall`, and for the
  /// MLP `fineTune`.
  public func forget(_ request: ForgetRequest, from state: NewtonState, progress: (TrainingProgress) -> Void)
    throws -> (state: NewtonState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    func report(of removal: Removal?, exact: Bool, samplesRetrained: Int, parameters: Int) -> ForgetReport {
      ForgetReport(
        strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
        skipped: resolution.skippedCount, exact: exact, samplesRetrained: samplesRetrained,
        parametersRetrained: parameters, seconds: (clock.now - start).seconds,
        remaining: (removal?.next ?? state).trainingSet.count, figures: removal?.report.figures ?? [:],
        notes: removal?.notes ?? ["nothing to forget: every id was absent and skipped"])
    }
    guard !resolution.rows.isEmpty else {
      return (state, report(of: nil, exact: false, samplesRetrained: 0, parameters: 0))
    }

    var removal = begin(removing: resolution, from: state)
    if let step = try applyDowndate(path(for: removal.downdate, from: state, next: removal.next), to: &removal) {
      let bound = state.designNormBound.map {
        Certification.residualBound(
          step: step, design: removal.next.batch.design, excluding: removal.next.trainingSet.pendingRemovals,
          designNormBound: $0)
      }
      takeInfluenceStep(step, in: &removal)
      if let certification, let bound, try charge(bound, of: certification, in: &removal, progress: progress) {
        let next = removal.next
        return (
          next,
          report(of: removal, exact: true, samplesRetrained: next.trainingSet.count, parameters: next.parameterCount)
        )
      }
      refine(&removal)
    } else {
      takeBatchSteps(&removal)
    }
    try finishStall(&removal)
    removal.next.setHead(removal.head)
    let retrained = try fineTune(&removal, requestNumber: state.trainingSet.forgotten.count + 1)

    removal.report.gradientResidual = removal.residual
    if let noise = removal.next.head.linearTerm {
      // The true residual without the noise term bᵀθ, reported apart from the bound.
      var withoutNoise = removal.next.gradient
      BLAS.axpy(-1, noise, &withoutNoise)
      removal.report.gradientResidualWithoutNoise = BLAS.nrm2(withoutNoise)
    }
    removal.report.downdateRank = removal.next.factorization.rank
    removal.report.unappliedDowndateRank = removal.next.unappliedRank
    return (
      removal.next,
      report(
        of: removal, exact: false, samplesRetrained: retrained?.samples ?? 0,
        parameters: retrained?.parameters ?? removal.start.parameterCount)
    )
  }

  /// MLP with `finetuneEpochs`: a few epochs on the remaining data move the hidden layers too, so
  /// the head's Hessian is rebuilt on the new hidden activations afterwards. Returns the samples
  /// and parameters retrained; nil without fine-tuning.
  func fineTune(_ removal: inout Removal, requestNumber: Int) throws -> (samples: Int, parameters: Int)? {
    guard finetuneEpochs > 0, case .mlp(let network) = removal.next.model.classifier else { return nil }
    var generator = SeededGenerator(seed: configuration.seed &+ UInt64(requestNumber))
    let data = removal.next.trainingSet.data  // compacted by `begin`: no copy
    let remaining = LabelledBatch(
      features: removal.next.model.prepared(data.features), labels: data.labels, classCount: data.classCount)
    let tuned = AdamTrainer(
      epochs: finetuneEpochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate
    ).fit(network, on: remaining, using: &generator).model
    var deployed = removal.next.model
    deployed.classifier = .mlp(tuned)
    try removal.next.setModel(deployed)
    removal.next.batch = NewtonState.batch(data, model: removal.next.model)
    try removal.next.refactor(at: removal.next.head)
    (removal.next.loss, removal.next.gradient) = removal.next.objective(of: removal.next.head)
    removal.residual = BLAS.nrm2(removal.next.gradient)
    removal.report.finetuneEpochs = finetuneEpochs
    removal.notes.append(
      "fine-tuned the whole network for \(finetuneEpochs) epochs, then refactored the output layer's Hessian")
    return (data.count, tuned.parameterCount)
  }
}
