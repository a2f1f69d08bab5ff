import UnlearnCore
import UnlearnData
import UnlearnModels

/// Newton / influence removal for logistic regression and, on its output layer, the MLP (Koh & Liang, "Understanding Black-box
/// Predictions via Influence Functions", ICML 2017; Guo, Goldstein, Hannun & van der Maaten,
/// "Certified Data Removal from Machine Learning Models", ICML 2020). docs/methods.md.
///
/// Removing the set F from a model at θ is one Newton step on the retraining objective
/// L'(θ) = L(θ; D \ F), the objective Retrain minimizes:
///
///     θ⁻ = θ − H'⁻¹·∇L'(θ),   ∇L'(θ) = ∇L(θ; D) − Σ_{i∈F} ∇ℓ_i(θ),   H' = H − Σ_{i∈F} ∇²ℓ_i.
///
/// At the optimum θ* of L(·; D), ∇L(θ*; D) = 0 and this is the influence-function update
/// θ* + H'⁻¹ Σ_F ∇ℓ_i(θ*); the state keeps ∇L(θ; D) exact (one pass after every removal), so
/// repeated requests stay consistent with one request for their union up to the method's own
/// second-order error.
///
/// Refinement: where the loss is far from quadratic over the step (weak regularization, nearly
/// separable classes, large removals), one step leaves a sizeable residual — removing 1% of the
/// digits at C = 1 moves θ by 11% and one step only reduces ‖∇L'‖ 7×. The strategy then takes
/// further steps θ ← θ − H'⁻¹∇L'(θ) with the same factorization (each one gradient pass and one
/// product with the kept H⁻¹, no new factorization) until ‖∇L'(θ)‖ ≤
/// `residualTarget`·‖∇L'(θ_before)‖ or `maxSteps` steps; `maxSteps = 1` is the pure influence
/// step. It never refines past the accuracy retraining itself reaches, ‖∇L'‖ ≤ tolerance·‖∇L(0)‖
/// (the configuration's training tolerance), nor below the residual ‖∇L(θ_before; D)‖ the state
/// already had: a request removes its samples' pull, it does not chase what earlier requests left
/// (when a sample's own gradient is tiny, that
/// would demand a 100-fold cut of the earlier residual, which Newton steps often cannot give once θ
/// is off the optimum where the loss is far from quadratic — on mnist5k even a freshly built
/// Hessian's full step raises the objective there — so each attempt is a solve and a gradient
/// pass, then rejected). The report gives the steps taken.
///
/// Stalls: when the cached Hessian stalls — its full step raises L', a refinement step would
/// raise the residual, or `maxSteps` refinement steps end above the target — and the residual is
/// still above the target, Newton steps continue with the
/// Hessian at the current θ. Either without building it: conjugate gradients with exact
/// Hessian-vector products, preconditioned by the cached factorization, each step damped (t halved
/// until L' falls), up to `maxSteps` more (the report gives `conjugate_gradient_steps` and
/// `hessian_vector_products`); or by rebuilding and refactoring it (`refactored`; mnist5k 12–20 s
/// on two or one thread, about two retrainings) and taking damped steps with it. Once θ has moved
/// into a region where the cached Hessian is off, later requests would stall too: so the
/// conjugate-gradient directions p and their exact products H(θ)p are kept
/// (`NewtonState.curvaturePairs`, the last `conjugateGradientIterations`, dropped at a
/// refactorization) and correct every later solve with the factorization as a limited-memory BFGS
/// update of it (`CurvaturePairs`; each request first subtracts its removed samples' Hessians from
/// the kept products). On mnist5k, after the stall at the 25th of 50 single-sample requests, 17
/// of the last 25 requests took 200–900 ms of conjugate gradients without the correction, and 2
/// with it (median of the 50 requests: 66 ms → 43–49 ms). Conjugate gradients are used until
/// stalled requests have spent on them what the factorization cost, then it is rebuilt (ski
/// rental: the stalls cost at most twice the cheaper of the two policies); conjugate gradients
/// that stall as well fall back to the rebuild. A state read from disk does not know what its
/// factorization cost and rebuilds at its first stall. Without either, θ stayed off the optimum
/// (mnist5k: from ‖∇L'‖ ≈ 10⁻⁵ to 0.1–2 for every later request, each step of which overshot in
/// turn).
///
/// Cost per request: the Hessian is built and Cholesky-factored once, at fit, and inverted
/// (H⁻¹, twice the factorization's work). A removal subtracts Σ_F ∇²ℓ_i = U_F·U_Fᵀ (rank 1 per
/// sample for binary, K per sample for softmax, in Kronecker form from
/// `LogisticRegression.hessianKroneckerFactor`), solved with the Woodbury identity
/// (`DowndatedCholesky`): one pass over one triangle of H⁻¹ gives the new columns H⁻¹U_F and
/// H⁻¹∇L' together, O(P²) per sample for P parameters instead of the O(P³) refactorization. A
/// state read from disk does not invert (that would cost a request or two more than it saves) and
/// solves by substitution with the factor until its next refactorization. Per-sample Hessians of later
/// requests are taken at the current θ, the cached Hessian at the point it was built: the same
/// second-order approximation the step already makes.
///
/// Batch path: when a request would take the accumulated rank past `refactorRank` (default P/2:
/// by then the Woodbury terms cost about as much as another pass over the factor), or when applying
/// its downdate (P² per column of U) would cost more than `batchPathSteps` conjugate-gradient
/// iterations of this path, its downdate is not applied. The cached factor without it is still a
/// good preconditioner for H' — the two differ by the removed samples' curvature, concentrated in
/// a few directions — so the request takes Newton steps with the exact Hessian of the remaining
/// data, each solved by conjugate gradients preconditioned by the factor
/// (`newtonConjugateGradientSteps`), where applying the downdate or refactoring would cost
/// O(P²·rank) or O(n·P² + P³). Conjugate gradients find the directions the factor gets wrong in a
/// few products; iterating with the factor alone (θ ← θ − H₀⁻¹∇L′) contracts only by the factor's
/// worst direction per step. The unapplied downdates are kept
/// (`NewtonState.unappliedDowndates`) and folded into the factor before a state is written; once
/// they would cover more than a quarter of the remaining samples (the factor then differs from H' too
/// much to be worth iterating with), or in certified mode (whose bound is for the exact H'), the
/// Hessian of the remaining data is rebuilt at the current θ and refactored instead. The report says which path
/// ran (`batch_path`, `refactored`) and why.
///
/// What is kept: the remaining samples, the model, ∇L(θ; D \ F), and the factor. Before a state
/// is written, the Woodbury terms — which encode the forgotten samples' features — are folded into
/// the factor by rank-one Cholesky downdates, so the persisted factor is that of H(D \ F) and no
/// term of a forgotten sample survives. Two caveats, reported as "approximate": the factored
/// Hessian was evaluated at a θ trained with F, and the feature scaling (per-feature mean and
/// standard deviation) is the one fitted on the original training set — an aggregate over n
/// samples, refreshed only by retraining.
///
/// Certified mode (`certification` set; see `Certification` for the guarantee and its
/// assumptions): binary models only, rows L2-normalized, objective perturbation bᵀθ, exactly one
/// step per request, the larger of the data-dependent residual bound and the measured residual
/// charged to a budget, and retraining from scratch (exact, fresh noise) when a removal would
/// exceed it.
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

  /// The Hessian as it is built, its Cholesky factor and H⁻¹: three P × P matrices of Float64, with
  /// P = (inputs + 1) × outputs of the part the step updates (the whole logistic model — one output
  /// when binary — or an MLP's output layer).
  public func estimatedPeakBytes(featureCount: Int, classCount: Int) -> Int? {
    let inputs = configuration.kind == .mlp ? (configuration.hiddenLayers.last ?? featureCount) : featureCount
    let outputs = configuration.kind == .logistic && classCount == 2 ? 1 : classCount
    let p = (inputs + 1) * outputs
    return 3 * 8 * p * p
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
    let inverted = DowndatedCholesky(base: factorization, keepsInverse: true, blockSize: head.outputCount)
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

  /// How a request's downdate U (its samples' Hessian factors) reaches the factor.
  enum DowndatePath: Equatable {
    /// Applied through the Woodbury identity (O(P²) per column of U).
    case woodbury
    /// Set aside: the cached factor without it preconditions Newton–CG steps on H' (see above).
    case batch(reason: String)
    /// The Hessian of the remaining data is rebuilt at the current θ and refactored.
    case refactor(reason: String)
  }

  /// The path for `downdate` of a request on `state` (`next`: the state with its samples removed).
  /// The Woodbury downdate reads H⁻¹ once per column of U (P² each); the batch path's unit of work,
  /// what one of its conjugate-gradient iterations costs, is a pass over the data (2·n·p·K) and a
  /// solve with the factor (P²). The batch path is taken when the downdate
  /// would pass `refactorRank`, or cost more than `batchPathSteps` such units — unless in certified
  /// mode (its bound is for the exact H') or when the factor would then miss the downdates of more
  /// than a quarter of the remaining samples. Past `refactorRank` without it: a refactorization.
  func path(for downdate: KroneckerFactor, from state: NewtonState, next: NewtonState) -> DowndatePath {
    let head = state.head
    let limit = refactorRank ?? head.parameterCount / 2
    let rank = state.factorization.rank + downdate.columns
    let order = Double(head.parameterCount)
    let stepCost =
      2 * Double(next.trainingSet.count) * Double(head.featureCount + 1) * Double(head.outputCount) + order * order
    let costly = Double(downdate.columns) * order * order > Self.batchPathSteps * stepCost
    let unappliedSamples = next.unappliedDowndates.reduce(0) { $0 + $1.groupCount } + downdate.groupCount
    let batchAllowed = usesBatchPath && certification == nil && 4 * unappliedSamples <= next.trainingSet.count
    if rank > limit {
      if batchAllowed { return .batch(reason: "the downdate rank \(rank) would pass \(limit)") }
      let why =
        certification != nil
        ? " (certified mode)"
        : usesBatchPath ? " and the factor would miss more than a quarter of the remaining samples' downdates" : ""
      return .refactor(reason: "the accumulated downdate rank \(rank) would pass \(limit)\(why)")
    }
    if costly && batchAllowed {
      return .batch(
        reason:
          "applying a downdate of rank \(downdate.columns) would cost more than \(Int(Self.batchPathSteps)) conjugate-gradient iterations"
      )
    }
    return .woodbury
  }

  /// Damped Newton steps on L' with the Hessian at the current parameters, never built (Newton–CG,
  /// Nocedal & Wright, §7.1): each direction solves H(θ; D \ F)·d = ∇L'(θ) by conjugate gradients with
  /// exact Hessian-vector products (two passes over the remaining data each), preconditioned by the
  /// cached factor. Each solve is inexact (Dembo, Eisenstat & Steihaug 1982): it stops at a relative
  /// residual η, loose (½) while the loss is far from quadratic over the step and tightened as the
  /// steps converge (Eisenstat & Walker 1996, choice 2: η = 0.9·(‖∇L'_k‖/‖∇L'_{k−1}‖)², safeguarded,
  /// at most ½), never tighter than what reaching `target` needs (η ≥ ½·target/‖∇L'‖). Each step is
  /// damped (t halved until L' falls). The first step is always tried (a request removes its
  /// samples' pull even where earlier requests left a residual above `target`); later ones stop at
  /// `target`, after `maxSteps` steps, or when no step lowers L'. Every product (p, H(θ)p) joins the
  /// state's curvature pairs, which correct later solves with the factor.
  func newtonConjugateGradientSteps(
    from head: inout LogisticRegression, in next: inout NewtonState, target: Double, maxSteps: Int
  ) -> (steps: Int, products: Int, stepNorm: Double) {
    var (steps, products, stepNorm) = (0, 0, 0.0)
    var residual = BLAS.nrm2(next.gradient)
    var forcing = 0.5
    while steps < maxSteps && (steps == 0 || residual > target) {
      let current = head
      var curvature = current.curvature(on: next.batch)
      if let pending = next.trainingSet.pendingRemovals {
        // Rows of removed samples not yet compacted away add nothing to H(θ; D \ F).
        for row in pending.indices where pending[row] {
          for c in 0..<curvature.columns { curvature[row, c] = 0 }
        }
      }
      // The solve preconditions with the pairs as they were when it started (`state`); its own
      // products join `next`'s pairs for the steps and requests after it.
      let state = next
      let solution = ConjugateGradient.solve(
        state.gradient, maxIterations: Self.conjugateGradientIterations,
        relativeTolerance: min(0.5, max(forcing, 0.5 * target / residual)),
        preconditioner: { state.solve($0) },
        product: { direction in
          let product = current.hessianVectorProduct(on: state.batch, direction, curvature: curvature)
          next.curvaturePairs.append(step: direction, product: product)
          return product
        })
      products += solution.iterations
      let before = (head: head, loss: next.loss, gradient: next.gradient)
      let t = next.descend(&head, along: solution.x, alwaysFull: false)
      guard next.loss < before.loss else {
        (head, next.loss, next.gradient) = before
        break
      }
      let previous = residual
      residual = BLAS.nrm2(next.gradient)
      // Eisenstat & Walker (1996), choice 2 with γ = 0.9, α = 2, and its safeguard.
      forcing = min(0.5, max(0.9 * (residual / previous) * (residual / previous), 0.9 * forcing * forcing))
      stepNorm += t * BLAS.nrm2(solution.x)
      steps += 1
    }
    return (steps, products, stepNorm)
  }

  public func forget(_ request: ForgetRequest, from state: NewtonState, progress: (TrainingProgress) -> Void)
    throws -> (state: NewtonState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    var next = state
    func report(exact: Bool, samplesRetrained: Int, parameters: Int, figures: [String: Double], notes: [String])
      -> ForgetReport
    {
      ForgetReport(
        strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
        skipped: resolution.skippedCount, exact: exact, samplesRetrained: samplesRetrained,
        parametersRetrained: parameters, seconds: (clock.now - start).seconds,
        remaining: next.trainingSet.count, figures: figures, notes: notes)
    }
    guard !resolution.rows.isEmpty else {
      return (
        next,
        report(
          exact: false, samplesRetrained: 0, parameters: 0, figures: [:],
          notes: ["nothing to forget: every id was absent and skipped"])
      )
    }
    let head = state.head
    let forgotten = state.batch.subset(resolution.rows)
    // L'(θ) = L(θ; D) − Σ_F ℓ_i(θ) and ∇L'(θ) = ∇L(θ; D) − Σ_F ∇ℓ_i(θ), from the kept L and ∇L.
    let removedTerms = head.dataLossAndGradient(on: forgotten)
    var gradient = state.gradient
    BLAS.axpy(-1, removedTerms.gradient, &gradient)
    let objectiveBefore = state.loss - removedTerms.loss
    let gradientBefore = BLAS.nrm2(gradient)

    next.trainingSet.remove(resolution, compacting: false)
    var notes: [String] = []
    let pending = next.trainingSet.pendingRemovalCount
    if finetuneEpochs > 0
      || Double(pending) > NewtonState.compactionFraction * Double(next.trainingSet.storage.count)
    {
      next.compact()
    }

    let downdate = head.hessianKroneckerFactor(on: forgotten)
    var woodburyStep: [Double]?
    let path = self.path(for: downdate, from: state, next: next)
    switch path {
    case .batch(let reason):
      next.unappliedDowndates.append(downdate)
      if next.curvaturePairs.count > 0 { next.curvaturePairs.downdate(by: downdate.dense) }
      notes.append(
        "batch path: \(reason), so the cached factor, without this request's downdate, served as the preconditioner"
      )
    case .refactor(let reason):
      notes.append("refactored the Hessian of the remaining data: \(reason)")
    case .woodbury:
      do {
        if next.curvaturePairs.count > 0 { next.curvaturePairs.downdate(by: downdate.dense) }
        let pairs = next.curvaturePairs
        woodburyStep = try pairs.solve(gradient) { try next.factorization.downdate(by: downdate, thenSolve: $0) }
      } catch let error as LinearAlgebraError {
        notes.append("refactored the Hessian of the remaining data: the downdate was not positive definite (\(error))")
      }
    }
    let batchPath = if case .batch = path { true } else { false }
    let refactored = woodburyStep == nil && !batchPath
    var figures: [String: Double] = ["gradient_norm_before": gradientBefore]
    let target = max(
      residualTarget * gradientBefore, BLAS.nrm2(state.gradient), configuration.relativeTolerance * state.gradientScale)
    var updated = head
    (next.loss, next.gradient) = (objectiveBefore, gradient)
    var residual = gradientBefore
    var stepNorm = 0.0
    var steps = 0
    var stalled = false
    if batchPath {
      // The cached factor, without this request's downdate, preconditions exact Newton steps.
      let outcome = newtonConjugateGradientSteps(from: &updated, in: &next, target: target, maxSteps: maxSteps)
      (residual, stepNorm, steps) = (BLAS.nrm2(next.gradient), outcome.stepNorm, outcome.steps)
      figures["conjugate_gradient_steps"] = Double(outcome.steps)
      figures["hessian_vector_products"] = Double(outcome.products)
      notes.append(
        "took \(outcome.steps) Newton steps with the Hessian of the remaining data (conjugate gradients, "
          + "\(outcome.products) Hessian-vector products, preconditioned by the cached factor)")
      stalled = residual > target
    }
    let step: [Double]
    if let woodburyStep {
      step = woodburyStep
    } else if batchPath {
      step = []  // none: the batch path took its steps above
    } else {
      try next.refactor(at: head)
      step = next.factorization.solve(gradient)
    }

    let bound = state.designNormBound.map {
      Certification.residualBound(
        step: step, design: next.batch.design, excluding: next.trainingSet.pendingRemovals, designNormBound: $0)
    }

    // θ ← θ − t·H'⁻¹∇L'(θ), then refinement steps with the same factorization while the residual
    // is above the target (never in certified mode: maxSteps = 1 there). t = 1 unless the full
    // step raises L' — far from the optimum (an MLP's output layer after Adam on Fashion-MNIST:
    // ‖∇L'‖ = 1.7·10⁴) the cached Hessian overshoots — then t halves until L' falls (certified mode
    // always takes the full step its bound is computed for).
    if !batchPath {
      let scale = next.descend(&updated, along: step, alwaysFull: certification != nil)
      if scale < 1 {
        figures["step_scale"] = scale
        notes.append("the full Newton step raised the objective on the remaining data; took \(scale) of it")
      }
      residual = BLAS.nrm2(next.gradient)
      stepNorm = scale * BLAS.nrm2(step)
      steps = 1
      stalled = scale < 1
    }
    if let certification, var certificate = state.certificate, let bound {
      // Charged: the larger of the bound and the measured residual (see `Certification`).
      let charge = max(bound, residual)
      figures["residual_bound"] = bound
      figures["budget_charged"] = charge
      figures["budget_limit"] = certification.budget
      if certificate.budgetSpent + charge > certification.budget {
        next.compact()  // a state's batch rows are its training set's storage rows
        next = try trainFromScratch(next.trainingSet, retraining: certificate.retrainings + 1, progress: progress)
        figures["budget_spent"] = 0
        figures["budget_remaining"] = certification.budget
        figures["gradient_residual"] = BLAS.nrm2(next.gradient)
        notes.append(
          "retrained from scratch with fresh noise: this removal's charge \(charge) (the larger of its bound "
            + "\(bound) and the measured residual \(residual)) would have raised the spent budget "
            + "\(certificate.budgetSpent) past σε/c = \(certification.budget)")
        return (
          next,
          report(
            exact: true, samplesRetrained: next.trainingSet.count, parameters: next.parameterCount,
            figures: figures, notes: notes)
        )
      }
      certificate.budgetSpent += charge
      next.certificate = certificate
      figures["budget_spent"] = certificate.budgetSpent
      figures["budget_remaining"] = certification.budget - certificate.budgetSpent
    }
    while !batchPath && steps < maxSteps && residual > target {
      // Kept only if it lowers the residual (far from the optimum the stale Hessian can overshoot).
      let refinement = next.solve(next.gradient)
      var candidate = updated
      var candidateParameters = updated.parameters
      BLAS.axpy(-1, refinement, &candidateParameters)
      candidate.parameters = candidateParameters
      let (candidateLoss, candidateGradient) = next.objective(of: candidate)
      let candidateResidual = BLAS.nrm2(candidateGradient)
      guard candidateResidual < residual else {
        notes.append("refinement stopped after \(steps) steps: another step would raise the residual")
        stalled = true
        break
      }
      (updated, next.loss, next.gradient, residual) = (candidate, candidateLoss, candidateGradient, candidateResidual)
      stepNorm += BLAS.nrm2(refinement)
      steps += 1
    }
    if !batchPath && maxSteps > 1 && steps == maxSteps && residual > target {
      // Steps that each lower the residual a little are a stall too: the cached Hessian is off.
      notes.append("refinement stopped after \(steps) steps above the target \(target)")
      stalled = true
    }
    var refreshed = false
    // Ski rental (Karlin et al. 1988): conjugate-gradient steps until what stalled requests spent
    // on them since the last factorization reaches that factorization's cost, then a refactoring.
    // Either way the stalls cost at most twice the cheaper of the two.
    if certification == nil && !batchPath && stalled && residual > target
      && next.conjugateGradientSeconds < next.factorizationSeconds
    {
      // The cached Hessian cannot finish this request: the loss is far from quadratic over the
      // step (on mnist5k, removing a sample that alone carries a rare pixel moves the weights of
      // the samples sharing it across their sigmoids). Left there, θ stays off the optimum with a
      // residual 10⁴ times the usual and every later request's step overshoots in turn. So Newton
      // steps continue with the Hessian at the current θ, first without building it.
      let conjugateStart = clock.now
      defer { next.conjugateGradientSeconds += (clock.now - conjugateStart).seconds }
      let outcome = newtonConjugateGradientSteps(from: &updated, in: &next, target: target, maxSteps: maxSteps)
      residual = BLAS.nrm2(next.gradient)
      stepNorm += outcome.stepNorm
      steps += outcome.steps
      let (conjugateSteps, products) = (outcome.steps, outcome.products)
      if conjugateSteps > 0 {
        figures["conjugate_gradient_steps"] = Double(conjugateSteps)
        figures["hessian_vector_products"] = Double(products)
        notes.append(
          "the cached Hessian stalled; took \(conjugateSteps) Newton steps with the Hessian at the current parameters "
            + "(conjugate gradients, \(products) Hessian-vector products, preconditioned by the cached factor)")
      }
    }
    if certification == nil && stalled && residual > target {
      // Conjugate gradients did not reach the target either: rebuild and refactor the Hessian at
      // the current θ (as much as a retraining or more) and take damped Newton steps with it.
      try next.refactor(at: updated)
      refreshed = true
      notes.append(
        "refactored the Hessian at the current parameters: the residual stalled at "
          + "\(residual), above this request's target \(target)")
      var refreshedSteps = 0
      while refreshedSteps < maxSteps && residual > target {
        let direction = next.factorization.solve(next.gradient)
        let before = (head: updated, loss: next.loss, gradient: next.gradient)
        let t = next.descend(&updated, along: direction, alwaysFull: false)
        guard next.loss < before.loss else {
          (updated, next.loss, next.gradient) = before
          notes.append("damped Newton stopped after \(refreshedSteps) steps with the new Hessian: no step lowers L'")
          break
        }
        residual = BLAS.nrm2(next.gradient)
        stepNorm += t * BLAS.nrm2(direction)
        refreshedSteps += 1
        steps += 1
      }
    }
    next.setHead(updated)
    var parametersRetrained = head.parameterCount
    var samplesRetrained = 0
    if finetuneEpochs > 0, case .mlp(let network) = next.model.classifier {
      // A few epochs on the remaining data move the hidden layers too, so the head's Hessian is
      // rebuilt on the new hidden activations afterwards.
      var generator = SeededGenerator(seed: configuration.seed &+ UInt64(state.trainingSet.forgotten.count + 1))
      let data = next.trainingSet.data  // compacted above: no copy
      let remaining = LabelledBatch(
        features: next.model.prepared(data.features), labels: data.labels, classCount: data.classCount)
      let tuned = AdamTrainer(
        epochs: finetuneEpochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate
      ).fit(network, on: remaining, using: &generator).model
      var deployed = next.model
      deployed.classifier = .mlp(tuned)
      try next.setModel(deployed)
      next.batch = NewtonState.batch(data, model: next.model)
      try next.refactor(at: next.head)
      (next.loss, next.gradient) = next.objective(of: next.head)
      residual = BLAS.nrm2(next.gradient)
      parametersRetrained = tuned.parameterCount
      samplesRetrained = data.count
      figures["finetune_epochs"] = Double(finetuneEpochs)
      notes.append(
        "fine-tuned the whole network for \(finetuneEpochs) epochs, then refactored the output layer's Hessian")
    }

    figures["gradient_residual"] = residual
    if let noise = next.head.linearTerm {
      // The true residual without the noise term bᵀθ, reported apart from the bound.
      var withoutNoise = next.gradient
      BLAS.axpy(-1, noise, &withoutNoise)
      figures["gradient_residual_without_noise"] = BLAS.nrm2(withoutNoise)
    }
    figures["downdate_rank"] = Double(next.factorization.rank)
    figures["batch_path"] = batchPath ? 1 : 0
    figures["unapplied_downdate_rank"] = Double(next.unappliedRank)
    figures["refactored"] = refactored || refreshed ? 1 : 0
    figures["newton_steps"] = Double(steps)
    figures["step_norm"] = stepNorm
    return (
      next,
      report(
        exact: false, samplesRetrained: samplesRetrained, parameters: parametersRetrained, figures: figures,
        notes: notes)
    )
  }
}
