import UnlearnCore
import UnlearnData
import UnlearnModels

/// Hybrid's approximate path on one shard: remove the samples' contribution with a Newton step,
/// then amend (Li et al., arXiv 2412.14505: direct parameter
/// modification, then an optimized amendment on the remaining data).
///
/// The step acts on the part of the shard model that is convex in its parameters — the whole
/// logistic model, or an MLP's output layer on its frozen hidden activations (as `NewtonRemoval`) —
/// and is a Newton step on the shard's retraining objective L'(θ) = L(θ; shard \ F):
///
///     θ⁻ = θ − H'⁻¹ ∇L'(θ),   ∇L'(θ) = ∇L(θ; shard) − Σ_{i∈F} ∇ℓ_i(θ),   H' = ∇²L'(θ)
///
/// At the trained optimum θ* (a logistic shard), ∇L(θ*; shard) = 0 and this is the influence
/// update θ* + H'⁻¹ Σ_F ∇ℓ_i(θ*) (Koh & Liang, ICML 2017). An MLP's head after Adam is not at its
/// optimum, and there the influence form alone steps uphill by the removed share of the
/// remaining gradient (large removals cost accuracy on the probe); the full step also
/// completes the head's fit on the remaining samples. H'⁻¹ is applied by conjugate gradients on
/// Hessian-vector products over the shard's remaining samples, so nothing P × P is built or
/// factored; a step is kept only if it lowers L' (halved once otherwise).
///
/// The amendment recovers what one step misses: for a logistic shard `amendment` further
/// Newton–CG steps; for an MLP `amendment` epochs of Adam over the remaining samples, which also
/// moves the hidden layers. Either costs a few passes over one shard, where exact retraining costs
/// `e_r` epochs over every prefix from the affected slice.
///
/// The checkpoints from the earliest affected slice on were trained with the removed samples:
/// they are dropped (nothing kept still holds those samples' imprint beyond the approximate
/// model), so the shard is marked approximate (`ShardModel.isExact` is false) until a later exact
/// path or `Hybrid.reExact` retrains it from its first missing checkpoint.
struct ApproximateShardUpdate {
  var configuration: ModelConfiguration
  /// Logistic: Newton–CG steps; MLP: epochs of fine-tuning.
  var amendment: Int
  /// CG stops at ‖H'x − g‖ ≤ 10⁻⁴‖g‖ or 20 products: an inexact (truncated) Newton step (Dembo,
  /// Eisenstat & Steihaug 1982) is all an approximate path needs, and the amendment follows. An
  /// MLP head's Hessian is ill-conditioned (the softmax's shared direction has only the
  /// regularizer's curvature), so more products buy little: on mnist5k, 50 did not reach 10⁻⁴ either.
  var maxConjugateGradientIterations = 20
  var conjugateGradientTolerance = 1e-4

  struct Outcome: Sendable {
    var shard: ShardModel
    /// Hessian-vector products spent on the step and the amendment.
    var conjugateGradientIterations: Int
    /// False when the model has no convex head (a binary MLP): the amendment alone ran.
    var tookNewtonStep: Bool
    /// Parameters that moved: the head's, or the whole network's after an MLP amendment (0 for a
    /// shard left without samples).
    var parametersChanged: Int
  }

  /// Updates `shard` (its slices already without the removed ids) given its `remaining` samples
  /// (raw features). `seed` seeds the MLP amendment's shuffling.
  func apply(
    to shard: ShardModel, earliestAffectedSlice earliest: Int, remaining: Dataset,
    sourceSHA256: [String], seed: UInt64
  ) throws -> Outcome {
    var shard = shard
    shard.checkpoints.removeSubrange(min(earliest, shard.checkpoints.count)...)
    guard var model = shard.model, remaining.count > 0 else {
      shard.model = nil
      shard.checkpoints = []
      return Outcome(shard: shard, conjugateGradientIterations: 0, tookNewtonStep: false, parametersChanged: 0)
    }
    // Scaled once: the step's head batch and the amendment both start from it.
    let prepared = model.prepared(remaining.features)
    var products = 0
    let head = try? NewtonState.head(of: model)
    if var head {
      let remainingBatch = LabelledBatch(
        features: NewtonState.headFeatures(ofPrepared: prepared, model: model), labels: remaining.labels,
        classCount: remaining.classCount)
      // One Newton step for every model, then the logistic amendment's further steps.
      let steps = 1 + (configuration.kind == .logistic ? amendment : 0)
      var (loss, gradient) = head.lossAndGradient(on: remainingBatch)
      for _ in 0..<steps {
        let newton = solve(head, on: remainingBatch, gradient)
        products += newton.iterations
        // Kept only if it lowers the objective (halved once if the full step does not).
        var accepted = false
        for scale in [1.0, 0.5] {
          var candidate = head
          var parameters = head.parameters
          BLAS.axpy(-scale, newton.x, &parameters)
          candidate.parameters = parameters
          let (candidateLoss, candidateGradient) = candidate.lossAndGradient(on: remainingBatch)
          if candidateLoss < loss {
            (head, loss, gradient) = (candidate, candidateLoss, candidateGradient)
            accepted = true
            break
          }
        }
        if !accepted { break }
      }
      model.classifier = NewtonState.classifier(model.classifier, withHead: head)
    }
    var parametersChanged = head?.parameterCount ?? 0
    if configuration.kind == .mlp, amendment > 0, case .mlp(let network) = model.classifier {
      var generator = SeededGenerator(seed: seed)
      let batch = LabelledBatch(features: prepared, labels: remaining.labels, classCount: remaining.classCount)
      let tuned = AdamTrainer(
        epochs: amendment, batchSize: configuration.batchSize, learningRate: configuration.learningRate
      ).fit(network, on: batch, using: &generator).model
      model.classifier = .mlp(tuned)
      parametersChanged = tuned.parameterCount
    }
    model.fingerprint = DataFingerprint(fileSHA256: sourceSHA256, trainingIDs: shard.sliceIDs.flatMap { $0 })
    model.summary = TrainingSummary(
      method: head == nil ? "amendment" : "newton-cg+amendment", iterations: amendment,
      finalLoss: model.summary.finalLoss, relativeGradientNorm: nil, isConverged: true, seconds: 0)
    shard.model = model
    return Outcome(
      shard: shard, conjugateGradientIterations: products, tookNewtonStep: head != nil,
      parametersChanged: parametersChanged)
  }

  /// H'⁻¹v by Jacobi-preconditioned conjugate gradients, H' the head's Hessian (regularizer included) on `batch`.
  private func solve(_ head: LogisticRegression, on batch: LabelledBatch, _ v: [Double])
    -> ConjugateGradient.Solution
  {
    let curvature = head.curvature(on: batch)
    return ConjugateGradient.solve(
      v, maxIterations: maxConjugateGradientIterations, relativeTolerance: conjugateGradientTolerance,
      diagonal: head.hessianDiagonal(on: batch, curvature: curvature)
    ) { head.hessianVectorProduct(on: batch, $0, curvature: curvature) }
  }
}
