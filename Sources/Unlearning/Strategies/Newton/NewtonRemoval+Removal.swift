import UnlearnCore
import UnlearnModels

extension NewtonRemoval {
  /// One request's removal in progress: the state it builds, the parameters it moves, the
  /// residual it steps toward, and what its report will say.
  struct Removal {
    /// The state being built: the samples removed, `loss` and `gradient` those of L' at `head`.
    var next: NewtonState
    /// The parameters being moved; written into `next` when the steps are done.
    var head: LogisticRegression
    /// The parameters the request started from.
    let start: LogisticRegression
    /// The removed samples' Hessian factor U_F (Σ_F ∇²ℓ_i = U_F·U_Fᵀ) at `start`.
    let downdate: KroneckerFactor
    /// Steps stop once ‖∇L'‖ ≤ target.
    let target: Double
    /// ‖∇L'(head)‖.
    var residual: Double
    /// Whether steps with the cached factor stopped above the target.
    var stalled = false
    var report: NewtonRemovalReport
    var notes: [String] = []
  }

  /// Removes `resolution`'s samples from `state`'s training set and the kept objective:
  /// L'(θ) = L(θ; D) − Σ_F ℓ_i(θ) and ∇L'(θ) = ∇L(θ; D) − Σ_F ∇ℓ_i(θ), from the kept L and ∇L, no
  /// pass over the remaining data. The target is the largest of `residualTarget`·‖∇L'(θ)‖, the
  /// residual the state already had (a request removes its samples' pull, it does not chase what
  /// earlier requests left) and the accuracy retraining itself reaches (tolerance·‖∇L(0)‖).
  func begin(removing resolution: TrainingSet.Resolution, from state: NewtonState) -> Removal {
    let head = state.head
    let forgotten = state.batch.subset(resolution.rows)
    let removedTerms = head.dataLossAndGradient(on: forgotten)
    var next = state
    next.loss = state.loss - removedTerms.loss
    BLAS.axpy(-1, removedTerms.gradient, &next.gradient)
    let gradientBefore = BLAS.nrm2(next.gradient)
    next.trainingSet.remove(resolution, compacting: false)
    let pending = next.trainingSet.pendingRemovalCount
    if finetuneEpochs > 0 || Double(pending) > NewtonState.compactionFraction * Double(next.trainingSet.storage.count) {
      next.compact()
    }
    let target = max(
      residualTarget * gradientBefore, BLAS.nrm2(state.gradient), configuration.relativeTolerance * state.gradientScale)
    return Removal(
      next: next, head: head, start: head, downdate: head.hessianKroneckerFactor(on: forgotten), target: target,
      residual: gradientBefore, report: NewtonRemovalReport(gradientNormBefore: gradientBefore))
  }
}
