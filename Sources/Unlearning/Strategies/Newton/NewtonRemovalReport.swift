/// What one Newton removal did, typed; `figures` gives it under the report keys of DESIGN.md §6
/// (`ForgetReport.figures`), booleans as 0 and 1.
struct NewtonRemovalReport: Equatable {
  /// Certified mode's accounting for one removal (`Certification`).
  struct Charge: Equatable {
    /// Guo et al.'s data-dependent bound on the gradient residual.
    var residualBound: Double
    /// What was charged: the larger of the bound and the measured residual.
    var charged: Double
    /// σε/c.
    var limit: Double
    var spent: Double
    var remaining: Double { limit - spent }
  }

  /// ‖∇L'(θ)‖ at the parameters the request started from.
  var gradientNormBefore: Double
  /// ‖∇L'(θ⁻)‖ after the steps (for a certified retraining, ‖∇L‖ of the new fit).
  var gradientResidual = 0.0
  /// Certified mode: the residual without the noise term bᵀθ.
  var gradientResidualWithoutNoise: Double?
  var batchPath = false
  /// Every rebuild of the factor, in order: `refactored` when there is one.
  var refactorReasons: [NewtonRemoval.RefactorReason] = []
  var newtonSteps = 0
  /// Σ t·‖d‖ over the steps taken.
  var stepNorm = 0.0
  /// The damping of the influence step, when the full step raised L'.
  var stepScale: Double?
  var conjugateGradientSteps: Int?
  var hessianVectorProducts: Int?
  var charge: Charge?
  var finetuneEpochs: Int?
  /// Columns of Woodbury terms the factor carries, and of downdates set aside by the batch path.
  var downdateRank = 0
  var unappliedDowndateRank = 0
  /// Certified mode: the removal would have exceeded the budget, and the model was retrained.
  var retrainedFromScratch = false

  var figures: [String: Double] {
    var figures = ["gradient_norm_before": gradientNormBefore, "gradient_residual": gradientResidual]
    if let stepScale { figures["step_scale"] = stepScale }
    if let charge {
      figures["residual_bound"] = charge.residualBound
      figures["budget_charged"] = charge.charged
      figures["budget_limit"] = charge.limit
      figures["budget_spent"] = charge.spent
      figures["budget_remaining"] = charge.remaining
    }
    if retrainedFromScratch { return figures }
    if let conjugateGradientSteps { figures["conjugate_gradient_steps"] = Double(conjugateGradientSteps) }
    if let hessianVectorProducts { figures["hessian_vector_products"] = Double(hessianVectorProducts) }
    if let finetuneEpochs { figures["finetune_epochs"] = Double(finetuneEpochs) }
    if let gradientResidualWithoutNoise { figures["gradient_residual_without_noise"] = gradientResidualWithoutNoise }
    figures["downdate_rank"] = Double(downdateRank)
    figures["batch_path"] = batchPath ? 1 : 0
    figures["unapplied_downdate_rank"] = Double(unappliedDowndateRank)
    figures["refactored"] = refactorReasons.isEmpty ? 0 : 1
    figures["newton_steps"] = Double(newtonSteps)
    figures["step_norm"] = stepNorm
    return figures
  }
}
