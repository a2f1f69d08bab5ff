import UnlearnCore
import UnlearnModels

extension NewtonRemoval {
  /// Certified mode's accounting for a removal whose step has been taken (`Certification`): charges
  /// the larger of the bound and the measured residual to the budget, or, when that would pass
  /// σε/c, retrains from scratch with fresh noise (exact, budget back to 0) and returns true.
  func charge(
    _ bound: Double, of certification: Certification, in removal: inout Removal,
    progress: (TrainingProgress) -> Void
  ) throws -> Bool {
    guard var certificate = removal.next.certificate else { return false }
    let charge = max(bound, removal.residual)
    if certificate.budgetSpent + charge > certification.budget {
      removal.next.compact()  // a state's batch rows are its training set's storage rows
      removal.next = try trainFromScratch(
        removal.next.trainingSet, retraining: certificate.retrainings + 1, progress: progress)
      removal.report.charge = .init(residualBound: bound, charged: charge, limit: certification.budget, spent: 0)
      removal.report.gradientResidual = BLAS.nrm2(removal.next.gradient)
      removal.report.retrainedFromScratch = true
      removal.notes.append(
        "retrained from scratch with fresh noise: this removal's charge \(charge) (the larger of its bound "
          + "\(bound) and the measured residual \(removal.residual)) would have raised the spent budget "
          + "\(certificate.budgetSpent) past σε/c = \(certification.budget)")
      return true
    }
    certificate.budgetSpent += charge
    removal.next.certificate = certificate
    removal.report.charge = .init(
      residualBound: bound, charged: charge, limit: certification.budget, spent: certificate.budgetSpent)
    return false
  }
}
