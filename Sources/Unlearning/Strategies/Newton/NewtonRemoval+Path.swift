import UnlearnCore
import UnlearnModels

/// When a request downdates the factor, steps around it, or refactors. Every refactor has a
/// `RefactorReason`: the ones decided before the steps are here; a stall after them refactors in
/// `finishStall`.
extension NewtonRemoval {
  /// How a request's downdate U_F (its samples' Hessian factors) reaches the factor.
  enum DowndatePath: Equatable {
    /// Applied through the Woodbury identity (O(P²) per column of U_F).
    case woodbury
    /// Set aside: the cached factor without it preconditions Newton–CG steps on H'.
    case batch(BatchReason)
    /// The Hessian of the remaining data is rebuilt at the current θ and refactored.
    case refactor(RefactorReason)
  }

  /// Why a request takes the batch path.
  enum BatchReason: Equatable, CustomStringConvertible {
    /// The accumulated downdate rank would pass `limit`.
    case rankLimit(rank: Int, limit: Int)
    /// Applying a downdate of this rank would cost more than `batchPathSteps` batch-path units.
    case costly(rank: Int)

    var description: String {
      switch self {
      case .rankLimit(let rank, let limit): "the downdate rank \(rank) would pass \(limit)"
      case .costly(let rank):
        "applying a downdate of rank \(rank) would cost more than \(Int(NewtonRemoval.batchPathSteps)) "
          + "conjugate-gradient iterations"
      }
    }
  }

  /// Why the factor is rebuilt: every trigger in one place. Each is reported as `refactored`.
  enum RefactorReason: Equatable, CustomStringConvertible {
    /// Past `refactorRank` where the batch path is not allowed; `refused` says why not ("" when the
    /// batch path is off).
    case rankLimit(rank: Int, limit: Int, refused: String)
    /// The Woodbury downdate of the factor was not positive definite.
    case notPositiveDefinite(String)
    /// Steps with the cached factor, then conjugate gradients, ended above the request's target.
    case stalled(residual: Double, target: Double)

    var description: String {
      switch self {
      case .rankLimit(let rank, let limit, let refused):
        "refactored the Hessian of the remaining data: the accumulated downdate rank \(rank) would pass \(limit)"
          + refused
      case .notPositiveDefinite(let error):
        "refactored the Hessian of the remaining data: the downdate was not positive definite (\(error))"
      case .stalled(let residual, let target):
        "refactored the Hessian at the current parameters: the residual stalled at \(residual), above this "
          + "request's target \(target)"
      }
    }
  }

  /// The path for `downdate` of a request on `state` (`next`: the state with its samples removed).
  ///
  /// The Woodbury downdate reads H⁻¹ once per column of U_F (P² each); the batch path's unit of
  /// work, what one of its conjugate-gradient iterations costs, is a pass over the data (2·n·p·K)
  /// and a solve with the factor (P²). The batch path is taken when the downdate would pass
  /// `refactorRank`, or cost more than `batchPathSteps` such units — unless in certified mode (its
  /// bound is for the exact H') or when the factor would then miss the downdates of more than a
  /// quarter of the remaining samples (it then differs from H' too much to iterate with). Past
  /// `refactorRank` without it: a refactorization.
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
      if batchAllowed { return .batch(.rankLimit(rank: rank, limit: limit)) }
      let refused =
        certification != nil
        ? " (certified mode)"
        : usesBatchPath ? " and the factor would miss more than a quarter of the remaining samples' downdates" : ""
      return .refactor(.rankLimit(rank: rank, limit: limit, refused: refused))
    }
    if costly && batchAllowed { return .batch(.costly(rank: downdate.columns)) }
    return .woodbury
  }

  /// Takes `path` for the removal's downdate and returns the influence step H'⁻¹∇L'(θ) where the
  /// path gives one (nil on the batch path, which takes its own steps). A Woodbury downdate that
  /// is not positive definite, like the refactor path, rebuilds the factor at the starting θ.
  func applyDowndate(_ path: DowndatePath, to removal: inout Removal) throws -> [Double]? {
    let downdate = removal.downdate
    switch path {
    case .batch(let reason):
      removal.next.unappliedDowndates.append(downdate)
      if removal.next.curvaturePairs.count > 0 { removal.next.curvaturePairs.downdate(by: downdate.dense) }
      removal.report.batchPath = true
      removal.notes.append(
        "batch path: \(reason), so the cached factor, without this request's downdate, served as the preconditioner")
      return nil
    case .refactor(let reason):
      return try refactorForStep(removal: &removal, reason: reason)
    case .woodbury:
      do {
        if removal.next.curvaturePairs.count > 0 { removal.next.curvaturePairs.downdate(by: downdate.dense) }
        let pairs = removal.next.curvaturePairs
        let gradient = removal.next.gradient
        return try pairs.solve(gradient) { try removal.next.factorization.downdate(by: downdate, thenSolve: $0) }
      } catch let error as LinearAlgebraError {
        return try refactorForStep(removal: &removal, reason: .notPositiveDefinite("\(error)"))
      }
    }
  }

  /// Rebuilds the factor of H(D \ F) at the parameters the request started from, and solves for
  /// the step with it.
  private func refactorForStep(removal: inout Removal, reason: RefactorReason) throws -> [Double] {
    removal.notes.append(reason.description)
    removal.report.refactored = true
    try removal.next.refactor(at: removal.start)
    return removal.next.factorization.solve(removal.next.gradient)
  }
}
