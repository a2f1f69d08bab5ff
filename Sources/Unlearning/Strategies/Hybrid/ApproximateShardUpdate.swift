import UnlearnCore
import UnlearnData
import UnlearnModels

/// Hybrid's approximate path on one shard: subtract the removed samples' contribution with a
/// Newton (influence) step, then amend (Li et al., arXiv 2412.14505, §4.2: direct parameter
/// modification, then an optimized amendment on the remaining data).
///
/// The step acts on the part of the shard model that is convex in its parameters — the whole
/// logistic model, or an MLP's output layer on its frozen hidden activations (as `NewtonRemoval`):
///
///     θ⁻ = θ + H'⁻¹ Σ_{i∈F} ∇ℓ_i(θ),   H' = ∇²L(θ; shard \ F)
///
/// (Koh & Liang, ICML 2017), solved by conjugate gradients on Hessian-vector products over the
/// shard's remaining samples, so nothing P × P is built or factored. The amendment recovers what
/// the one step misses: for a logistic shard `amendment` full Newton–CG steps θ ← θ − H'⁻¹∇L'(θ)
/// on the remaining samples (each kept only if it lowers the objective); for an MLP `amendment`
/// epochs of Adam over them, which also moves the hidden layers. Either costs a few passes over
/// one shard, where exact retraining costs `e_r` epochs over every prefix from the affected slice.
///
/// The checkpoints from the earliest affected slice on were trained with the removed samples:
/// they are dropped (nothing kept still holds those samples' imprint beyond the approximate
/// model), so the shard is marked approximate (`ShardModel.isExact` is false) until a later exact
/// path or `Hybrid.reExact` retrains it from its first missing checkpoint.
struct ApproximateShardUpdate {
  var configuration: ModelConfiguration
  /// Logistic: Newton–CG steps; MLP: epochs of fine-tuning.
  var amendment: Int
  var maxConjugateGradientIterations = 100
  var conjugateGradientTolerance = 1e-6

  struct Outcome: Sendable {
    var shard: ShardModel
    /// Hessian-vector products spent on the step and the amendment.
    var conjugateGradientIterations: Int
    /// False when the model has no convex head (a binary MLP): the amendment alone ran.
    var tookNewtonStep: Bool
  }

  /// Updates `shard` (its slices already without the removed ids) for removing `removed`, given
  /// its `remaining` samples (raw features). `seed` seeds the MLP amendment's shuffling.
  func apply(
    to shard: ShardModel, earliestAffectedSlice earliest: Int, removed: Dataset, remaining: Dataset,
    sourceSHA256: [String], seed: UInt64
  ) throws -> Outcome {
    var shard = shard
    shard.checkpoints.removeSubrange(min(earliest, shard.checkpoints.count)...)
    guard var model = shard.model, remaining.count > 0 else {
      shard.model = nil
      shard.checkpoints = []
      return Outcome(shard: shard, conjugateGradientIterations: 0, tookNewtonStep: false)
    }
    var products = 0
    let head = try? NewtonState.head(of: model)
    if var head {
      let removedBatch = NewtonState.batch(removed, model: model)
      let remainingBatch = NewtonState.batch(remaining, model: model)
      var contribution = head.meanDataLossAndGradient(on: removedBatch).gradient
      BLAS.scal(Double(removed.count), &contribution)
      let step = solve(head, on: remainingBatch, contribution)
      products += step.iterations
      var parameters = head.parameters
      BLAS.axpy(1, step.x, &parameters)
      head.parameters = parameters
      if configuration.kind == .logistic {
        var (loss, gradient) = head.lossAndGradient(on: remainingBatch)
        for _ in 0..<amendment {
          let newton = solve(head, on: remainingBatch, gradient)
          products += newton.iterations
          var candidate = head
          var candidateParameters = head.parameters
          BLAS.axpy(-1, newton.x, &candidateParameters)
          candidate.parameters = candidateParameters
          let (candidateLoss, candidateGradient) = candidate.lossAndGradient(on: remainingBatch)
          guard candidateLoss < loss else { break }
          (head, loss, gradient) = (candidate, candidateLoss, candidateGradient)
        }
      }
      model.classifier = NewtonState.classifier(model.classifier, withHead: head)
    }
    if configuration.kind == .mlp, amendment > 0, case .mlp(let network) = model.classifier {
      var generator = SeededGenerator(seed: seed)
      let batch = LabelledBatch(
        features: model.prepared(remaining.features), labels: remaining.labels, classCount: remaining.classCount)
      let tuned = AdamTrainer(
        epochs: amendment, batchSize: configuration.batchSize, learningRate: configuration.learningRate
      ).fit(network, on: batch, using: &generator).model
      model.classifier = .mlp(tuned)
    }
    model.fingerprint = DataFingerprint(fileSHA256: sourceSHA256, trainingIDs: shard.sliceIDs.flatMap { $0 })
    model.summary = TrainingSummary(
      method: head == nil ? "amendment" : "newton-cg+amendment", iterations: amendment,
      finalLoss: model.summary.finalLoss, relativeGradientNorm: nil, isConverged: true, seconds: 0)
    shard.model = model
    return Outcome(shard: shard, conjugateGradientIterations: products, tookNewtonStep: head != nil)
  }

  /// H'⁻¹v by conjugate gradients, H' the head's Hessian (regularizer included) on `batch`.
  private func solve(_ head: LogisticRegression, on batch: LabelledBatch, _ v: [Double])
    -> ConjugateGradient.Solution
  {
    ConjugateGradient.solve(
      v, maxIterations: maxConjugateGradientIterations, relativeTolerance: conjugateGradientTolerance
    ) { head.hessianVectorProduct(on: batch, $0) }
  }
}
