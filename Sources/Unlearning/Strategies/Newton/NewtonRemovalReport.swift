/// What one Newton removal did, typed: `ForgetReport.figures` holds it under the keys of DESIGN.md
/// §6 (booleans as 0 and 1), and `ForgetReport.newton` reads it back from them. Written out by hand
/// rather than through a `StrategyReport` field list: a certified retraining's report leaves the
/// step figures out, and whether it is one comes from the forget report (`exact`).
public struct NewtonRemovalReport: Sendable, Equatable {
  /// Certified mode's accounting for one removal (`Certification`).
  public struct Charge: Sendable, Equatable {
    /// Guo et al.'s data-dependent bound on the gradient residual.
    public var residualBound: Double
    /// What was charged: the larger of the bound and the measured residual.
    public var charged: Double
    /// σε/c.
    public var limit: Double
    public var spent: Double
    public var remaining: Double { limit - spent }
  }

  /// ‖∇L'(θ)‖ at the parameters the request started from.
  public var gradientNormBefore: Double
  /// ‖∇L'(θ⁻)‖ after the steps (for a certified retraining, ‖∇L‖ of the new fit).
  public var gradientResidual = 0.0
  /// Certified mode: the residual without the noise term bᵀθ.
  public var gradientResidualWithoutNoise: Double?
  /// The request stepped around its downdate (`NewtonRemoval.DowndatePath.batch`).
  public var batchPath = false
  /// The factor was rebuilt (`NewtonRemoval.RefactorReason` says why, in the notes).
  public var refactored = false
  /// The accumulated downdates were folded into a new factor (`NewtonRemoval.DowndatePath.fold`).
  public var folded = false
  public var newtonSteps = 0
  /// Σ t·‖d‖ over the steps taken.
  public var stepNorm = 0.0
  /// The damping of the influence step, when the full step raised L'.
  public var stepScale: Double?
  public var conjugateGradientSteps: Int?
  public var hessianVectorProducts: Int?
  public var charge: Charge?
  public var finetuneEpochs: Int?
  /// Columns of Woodbury terms the factor carries, and of downdates set aside by the batch path.
  public var downdateRank = 0
  public var unappliedDowndateRank = 0
  /// Certified mode: the removal would have exceeded the budget, and the model was retrained
  /// (the report is then exact, and gives the charge and the new fit's residual only).
  public var retrainedFromScratch = false

  init(gradientNormBefore: Double) {
    self.gradientNormBefore = gradientNormBefore
  }

  public var figures: [String: Double] {
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
    figures["refactored"] = refactored ? 1 : 0
    figures["folded"] = folded ? 1 : 0
    figures["newton_steps"] = Double(newtonSteps)
    figures["step_norm"] = stepNorm
    return figures
  }

  /// The report `figures` holds; nil when they are not a Newton removal's (`retrainedFromScratch`
  /// is the forget report's `exact`).
  init?(figures: [String: Double], retrainedFromScratch: Bool) {
    guard let before = figures["gradient_norm_before"], let residual = figures["gradient_residual"] else {
      return nil
    }
    func integer(_ key: String) -> Int? { figures[key].map { Int($0) } }
    gradientNormBefore = before
    gradientResidual = residual
    gradientResidualWithoutNoise = figures["gradient_residual_without_noise"]
    stepScale = figures["step_scale"]
    if let bound = figures["residual_bound"], let charged = figures["budget_charged"],
      let limit = figures["budget_limit"], let spent = figures["budget_spent"]
    {
      charge = Charge(residualBound: bound, charged: charged, limit: limit, spent: spent)
    }
    self.retrainedFromScratch = retrainedFromScratch
    if retrainedFromScratch { return }
    guard let steps = integer("newton_steps") else { return nil }
    newtonSteps = steps
    batchPath = figures["batch_path"] == 1
    refactored = figures["refactored"] == 1
    folded = figures["folded"] == 1
    stepNorm = figures["step_norm"] ?? 0
    conjugateGradientSteps = integer("conjugate_gradient_steps")
    hessianVectorProducts = integer("hessian_vector_products")
    finetuneEpochs = integer("finetune_epochs")
    downdateRank = integer("downdate_rank") ?? 0
    unappliedDowndateRank = integer("unapplied_downdate_rank") ?? 0
  }
}

extension ForgetReport {
  /// The Newton removal's own report, typed; nil for other strategies.
  public var newton: NewtonRemovalReport? {
    strategy == NewtonRemoval.name ? NewtonRemovalReport(figures: figures, retrainedFromScratch: exact) : nil
  }
}
