import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// PUMA — Performance Unchanged Model Augmentation (Wu, Hashemi, Srinivasa, AAAI 2022;
/// docs/methods.md): remove samples by an influence (Newton) step, then reweight the remaining data so the
/// validation loss does not rise.
///
/// With θ⁻ the `NewtonRemoval` result on D' = D \ F and H' its Hessian (the cached, downdated
/// factor), sample i's influence on the validation loss per unit of extra weight is
/// I_i = −∇ℓ_i(θ⁻)ᵀ H'⁻¹ ∇L_val(θ⁻) (upweighting i by ε_i moves θ by −ε_i H'⁻¹∇ℓ_i). The weights ε
/// minimize the predicted change Σ_i ε_i I_i under ‖ε‖₂ ≤ `weightBound`, ε_i ≥ −1
/// (`SampleReweighting`, projected gradient steps with step size `eta`), and one combined update
/// applies them: θ = θ⁻ − H'⁻¹ Σ_i ε_i ∇ℓ_i(θ⁻). All products go through the factor and one gemm
/// each (`perSampleGradientProducts`, `weightedGradientSum`); no per-sample gradient is formed.
///
/// The validation set is held out from training: the samples whose id hash falls below
/// `validationFraction` (stable across runs), or a separate file. A deletion of a validation sample
/// just drops it from the validation set. Like Newton, the result is approximate; the model it
/// leaves is the optimum of the reweighted objective (to first order), so its gradient residual on
/// the unweighted remaining data is not zero — reported, with the predicted and measured change of
/// the validation loss.
public struct PUMA: UnlearningStrategy {
  public static let name = "puma"

  public let newton: NewtonRemoval
  public let validationFraction: Double
  /// A separate validation set (instead of holding out a fraction), raw features.
  public let validation: Dataset?
  let reweighting: SampleReweighting

  public var configuration: ModelConfiguration { newton.configuration }

  /// As Newton removal's: PUMA keeps the same factor.
  public func estimatedPeakBytes(featureCount: Int, classCount: Int) -> Int? {
    newton.estimatedPeakBytes(featureCount: featureCount, classCount: classCount)
  }
  public var weightBound: Double { reweighting.bound }
  public var eta: Double { reweighting.eta }

  public init(
    configuration: ModelConfiguration, validationFraction: Double = 0.1, validation: Dataset? = nil,
    weightBound: Double = 1, eta: Double = 1
  ) {
    precondition(validationFraction > 0 && validationFraction < 1, "the validation fraction must be in (0, 1)")
    precondition(weightBound > 0 && eta > 0, "PUMA needs a positive weight bound and step size")
    newton = NewtonRemoval(configuration: configuration)
    self.validationFraction = validationFraction
    self.validation = validation
    reweighting = SampleReweighting(bound: weightBound, eta: eta)
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> PUMAState
  {
    if let validation {
      guard validation.featureCount == training.featureCount, validation.classNames == training.classNames else {
        throw StrategyError(
          "the validation data has \(validation.featureCount) features and classes \(validation.classNames); "
            + "the training data \(training.featureCount) and \(training.classNames)")
      }
      return PUMAState(
        strategy: self, inner: try newton.fit(training, sourceSHA256: sourceSHA256, progress: progress),
        validation: validation)
    }
    // The same stable id-hash split LMEraser uses for public samples, here for held-out ones.
    let (heldOut, kept) = PublicSplit(fraction: validationFraction).rows(of: training)
    guard !heldOut.isEmpty, kept.count >= 2 else {
      throw StrategyError(
        "puma: holding out \(validationFraction) of \(training.count) samples leaves \(heldOut.count) for validation "
          + "and \(kept.count) for training; change --validation-fraction or pass --validation FILE")
    }
    return PUMAState(
      strategy: self,
      inner: try newton.fit(training.subset(rows: kept), sourceSHA256: sourceSHA256, progress: progress),
      validation: training.subset(rows: heldOut))
  }

  public func forget(_ request: ForgetRequest, from state: PUMAState, progress: (TrainingProgress) -> Void)
    throws -> (state: PUMAState, report: ForgetReport)
  {
    let start = ContinuousClock.now
    let validationIDs = Set(state.validation.ids)
    let inValidation = request.ids.filter(validationIDs.contains)
    let inTraining = request.ids.filter { !validationIDs.contains($0) }
    var next = state
    if !inValidation.isEmpty {
      let dropped = Set(inValidation)
      next.validation = state.validation.subset(
        rows: state.validation.ids.indices.filter { !dropped.contains(state.validation.ids[$0]) })
    }
    guard !inTraining.isEmpty else {
      return (
        next,
        ForgetReport(
          strategy: Self.name, requested: request.ids.count, forgotten: inValidation.count, skipped: 0, exact: true,
          samplesRetrained: 0, parametersRetrained: 0, seconds: (ContinuousClock.now - start).seconds,
          remaining: next.trainingSet.count, figures: [:],
          notes: ["only validation samples: dropped from the validation set; the model never trained on them"])
      )
    }
    let lossBefore = state.validationLoss()
    var (removed, newtonReport) = try newton.forget(
      try ForgetRequest(ids: inTraining, skippingAbsentIDs: request.skipsAbsentIDs), from: state.inner,
      progress: progress)
    removed.compact()  // the reweighting below runs over the remaining rows themselves
    next.inner = removed
    var report = newtonReport
    report.strategy = Self.name
    report.requested = request.ids.count
    report.forgotten += inValidation.count
    let lossNewton = next.validationLoss()
    var puma = PUMAReport(validationLossBefore: lossBefore.loss, validationLossNewton: lossNewton.loss)
    report.figures.merge(puma.figures) { $1 }
    guard next.validation.count > 0, newtonReport.forgotten > 0 else {
      report.notes.append("no validation samples left: the Newton removal only, no reweighting")
      report.seconds = (ContinuousClock.now - start).seconds
      return (next, report)
    }
    // Predicted change of the removal alone: ∇L_val(θ*)ᵀ(θ⁻ − θ*).
    var shift = removed.head.parameters
    BLAS.axpy(-1, state.inner.head.parameters, &shift)
    let predictedRemoval = BLAS.dot(lossBefore.gradient, shift)

    let head = removed.head
    let v = removed.factorization.solve(lossNewton.gradient)
    let influences = head.perSampleGradientProducts(on: removed.batch, v).map { -$0 }
    let weights = reweighting.weights(influences: influences)
    let predictedReweighting = BLAS.dot(weights, influences)
    let step = removed.factorization.solve(head.weightedGradientSum(on: removed.batch, weights: weights))
    var updated = head
    var parameters = head.parameters
    BLAS.axpy(-1, step, &parameters)
    updated.parameters = parameters
    next.inner.move(to: updated)
    let lossAfter = next.validationLoss().loss

    puma.validationLossAfter = lossAfter
    puma.validationLossChangePredicted = predictedRemoval + predictedReweighting
    puma.validationLossChangeMeasured = lossAfter - lossBefore.loss
    puma.reweightingChangePredicted = predictedReweighting
    puma.reweightingChangeMeasured = lossAfter - lossNewton.loss
    (puma.weightNorm, puma.weightBound) = (BLAS.nrm2(weights), reweighting.bound)
    puma.weightsChanged = weights.filter { $0 != 0 }.count
    report.figures.merge(puma.figures) { $1 }
    report.figures["gradient_residual"] = BLAS.nrm2(next.inner.gradient)
    report.notes.append(
      "reweighted \(weights.filter { $0 != 0 }.count) remaining samples (‖ε‖ = \(BLAS.nrm2(weights)) ≤ "
        + "\(reweighting.bound)) to keep the validation loss: predicted change \(predictedRemoval + predictedReweighting), "
        + "measured \(lossAfter - lossBefore.loss)")
    report.remaining = next.trainingSet.count
    report.seconds = (ContinuousClock.now - start).seconds
    return (next, report)
  }
}
