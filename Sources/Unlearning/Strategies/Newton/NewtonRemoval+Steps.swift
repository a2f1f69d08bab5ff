import UnlearnCore
import UnlearnModels

/// The steps of a removal: the influence step and its refinement with the cached factor, the
/// batch path's Newton–CG steps, and what happens when either stalls.
extension NewtonRemoval {
  /// θ ← θ − t·H'⁻¹∇L'(θ) with t = 1, or — where the full step raises L', far from the optimum
  /// (an MLP's output layer after Adam) — t halved until L' falls. Certified mode always takes the
  /// full step its bound is computed for.
  func takeInfluenceStep(_ step: [Double], in removal: inout Removal) {
    let scale = removal.next.descend(&removal.head, along: step, alwaysFull: certification != nil)
    if scale < 1 {
      removal.report.stepScale = scale
      removal.notes.append("the full Newton step raised the objective on the remaining data; took \(scale) of it")
    }
    removal.residual = BLAS.nrm2(removal.next.gradient)
    removal.report.stepNorm = scale * BLAS.nrm2(step)
    removal.report.newtonSteps = 1
    removal.stalled = scale < 1
  }

  /// Refinement: where the loss is far from quadratic over the step (weak regularization, nearly
  /// separable classes, large removals) one step leaves a sizeable residual, so further steps
  /// θ ← θ − H'⁻¹∇L'(θ) with the same factor (one gradient pass and one solve each) run until the
  /// target or `maxSteps` steps. A step that would raise the residual is not taken; that, or
  /// `maxSteps` steps above the target, is a stall.
  func refine(_ removal: inout Removal) {
    while removal.report.newtonSteps < maxSteps && removal.residual > removal.target {
      let refinement = removal.next.solve(removal.next.gradient)
      var candidate = removal.head
      var parameters = removal.head.parameters
      BLAS.axpy(-1, refinement, &parameters)
      candidate.parameters = parameters
      let (loss, gradient) = removal.next.objective(of: candidate)
      let residual = BLAS.nrm2(gradient)
      guard residual < removal.residual else {
        removal.notes.append(
          "refinement stopped after \(removal.report.newtonSteps) steps: another step would raise the residual")
        removal.stalled = true
        return
      }
      (removal.head, removal.next.loss, removal.next.gradient, removal.residual) = (candidate, loss, gradient, residual)
      removal.report.stepNorm += BLAS.nrm2(refinement)
      removal.report.newtonSteps += 1
    }
    if maxSteps > 1 && removal.report.newtonSteps == maxSteps && removal.residual > removal.target {
      // Steps that each lower the residual a little are a stall too: the cached Hessian is off.
      removal.notes.append("refinement stopped after \(maxSteps) steps above the target \(removal.target)")
      removal.stalled = true
    }
  }

  /// The batch path: Newton steps with the exact Hessian of the remaining data, each solved by
  /// conjugate gradients preconditioned by the cached factor without this request's downdate.
  func takeBatchSteps(_ removal: inout Removal) {
    let outcome = newtonConjugateGradientSteps(
      from: &removal.head, in: &removal.next, target: removal.target, maxSteps: maxSteps)
    removal.residual = BLAS.nrm2(removal.next.gradient)
    removal.report.stepNorm = outcome.stepNorm
    removal.report.newtonSteps = outcome.steps
    removal.report.conjugateGradientSteps = outcome.steps
    removal.report.hessianVectorProducts = outcome.products
    removal.notes.append(
      "took \(outcome.steps) Newton steps with the Hessian of the remaining data (conjugate gradients, "
        + "\(outcome.products) Hessian-vector products, preconditioned by the cached factor)")
    removal.stalled = removal.residual > removal.target
  }

  /// A stall above the target is finished with the Hessian at the current θ, never left: left
  /// there, θ stays off the optimum and every later request's step overshoots in turn (removing a
  /// sample that alone carries a rare pixel moves the weights of the samples sharing it across
  /// their sigmoids, where the cached Hessian is off). First by Newton–CG steps, without building
  /// the Hessian, until what stalled requests spent on them since the last factorization reaches
  /// that factorization's cost (ski rental, Karlin et al. 1988: the stalls cost at most twice the
  /// cheaper policy; a state read from disk does not know the cost and goes straight on); then by
  /// rebuilding the factor at θ and taking damped Newton steps with it. Not in certified mode,
  /// which takes exactly one step.
  func finishStall(_ removal: inout Removal) throws {
    guard certification == nil && removal.stalled && removal.residual > removal.target else { return }
    if !removal.report.batchPath && removal.next.conjugateGradientSeconds < removal.next.factorizationSeconds {
      let clock = ContinuousClock()
      let start = clock.now
      let outcome = newtonConjugateGradientSteps(
        from: &removal.head, in: &removal.next, target: removal.target, maxSteps: maxSteps)
      removal.next.conjugateGradientSeconds += (clock.now - start).seconds
      removal.residual = BLAS.nrm2(removal.next.gradient)
      removal.report.stepNorm += outcome.stepNorm
      removal.report.newtonSteps += outcome.steps
      if outcome.steps > 0 {
        removal.report.conjugateGradientSteps = outcome.steps
        removal.report.hessianVectorProducts = outcome.products
        removal.notes.append(
          "the cached Hessian stalled; took \(outcome.steps) Newton steps with the Hessian at the current "
            + "parameters (conjugate gradients, \(outcome.products) Hessian-vector products, preconditioned by "
            + "the cached factor)")
      }
      guard removal.residual > removal.target else { return }
    }
    let reason = RefactorReason.stalled(residual: removal.residual, target: removal.target)
    try removal.next.refactor(at: removal.head)
    removal.report.refactored = true
    removal.notes.append(reason.description)
    var steps = 0
    while steps < maxSteps && removal.residual > removal.target {
      let direction = removal.next.factorization.solve(removal.next.gradient)
      guard let t = removal.next.dampedStep(&removal.head, along: direction) else {
        removal.notes.append("damped Newton stopped after \(steps) steps with the new Hessian: no step lowers L'")
        break
      }
      removal.residual = BLAS.nrm2(removal.next.gradient)
      removal.report.stepNorm += t * BLAS.nrm2(direction)
      steps += 1
      removal.report.newtonSteps += 1
    }
  }

  /// Damped Newton steps on L' with the Hessian at the current parameters, never built (Newton–CG,
  /// Nocedal & Wright, §7.1): each direction solves H(θ; D \ F)·d = ∇L'(θ) by conjugate gradients with
  /// exact Hessian-vector products (two passes over the remaining data each), preconditioned by the
  /// cached factor. Each solve is inexact (Dembo, Eisenstat & Steihaug 1982): it stops at a relative
  /// residual η, loose (½) while the loss is far from quadratic over the step and tightened as the
  /// steps converge (Eisenstat & Walker 1996, choice 2: η = 0.9·(‖∇L'_k‖/‖∇L'_{k−1}‖)², safeguarded,
  /// at most ½), never tighter than what reaching `target` needs (η ≥ ½·target/‖∇L'‖). Each step is
  /// damped (`NewtonState.dampedStep`). The first step is always tried (a request removes its
  /// samples' pull even where earlier requests left a residual above `target`); later ones stop at
  /// `target`, after `maxSteps` steps, or when no step lowers L'. Every product (p, H(θ)p) joins the
  /// state's curvature pairs, which correct later solves with the factor as a limited-memory BFGS
  /// update of it (`CurvaturePairs`).
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
      guard let t = next.dampedStep(&head, along: solution.x) else { break }
      let previous = residual
      residual = BLAS.nrm2(next.gradient)
      // Eisenstat & Walker (1996), choice 2 with γ = 0.9, α = 2, and its safeguard.
      forcing = min(0.5, max(0.9 * (residual / previous) * (residual / previous), 0.9 * forcing * forcing))
      stepNorm += t * BLAS.nrm2(solution.x)
      steps += 1
    }
    return (steps, products, stepNorm)
  }
}
