import UnlearnCore
import UnlearnModels

/// When a request downdates the factor, folds the downdates into a new one, steps around them, or
/// refactors. Every refactor has a `RefactorReason`: the ones decided before the steps are here; a
/// stall after them refactors in `finishStall`.
extension NewtonRemoval {
  /// How a request's downdate U_F (its samples' Hessian factors) reaches the factor.
  enum DowndatePath: Equatable {
    /// Applied through the Woodbury identity (O(P²) per column of U_F).
    case woodbury
    /// The Woodbury terms, the unapplied downdates and this request's are folded into a new
    /// factor of the downdated Hessian (`DowndatedCholesky.refolded`, no pass over the data).
    case fold(WoodburyRefusal)
    /// Set aside: the cached factor without it preconditions Newton–CG steps on H'.
    case batch(WoodburyRefusal)
    /// The Hessian of the remaining data is rebuilt at the current θ and refactored.
    case refactor(RefactorReason)
  }

  /// Why a request's downdate is not appended to the Woodbury terms.
  enum WoodburyRefusal: Equatable, CustomStringConvertible {
    /// The accumulated downdate rank would pass `limit`.
    case rankLimit(rank: Int, limit: Int)
    /// Applying a downdate of this rank would cost more than `batchPathSteps` conjugate-gradient
    /// iterations.
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

  /// The path for `downdate` of a request on `state` (`next`: the state with its samples removed),
  /// by a cost model in flops (n remaining samples, p inputs + 1, K outputs, P = p·K):
  ///
  /// - Woodbury: P² per column of U_F (one read of H⁻¹ each).
  /// - Batch path: `batchPathSteps` conjugate-gradient iterations, each a Hessian-vector product
  ///   (4·n·p·K: X·V, then Xᵀ·R) and a solve with the factor (P²).
  /// - Fold: RᵀR formed, the downdates subtracted, factored and inverted — (2/3)P³ (4/3 with the
  ///   inverse) + P² per column of the Woodbury terms + 2P² per sample of the others — counted at
  ///   half weight for running in blocked BLAS-3 kernels at about twice the flop rate of a pass
  ///   (`unlearn-benchmarks newton` shows the paths side by side), then two steps with the new
  ///   factor (a pass and a solve each).
  /// - Refactor: the Hessian rebuilt from the data (n·p²·K(K+1)/2), factored and inverted.
  ///
  /// The Woodbury downdate is refused when it would cost more than the batch path (`costly`) or
  /// take the accumulated rank past `refactorRank` (the Woodbury terms would outgrow half of H⁻¹).
  /// Refused, the fold is taken where it is cheaper than a refactorization and, unless the batch
  /// path is not allowed, than the batch path for this request and those of its size that the fold
  /// makes room for (refactorRank/columns of them, at least this one); else the batch path. The
  /// batch path is not allowed in certified mode (its bound is for the exact H') or when the factor
  /// would then miss the downdates of more than a quarter of the remaining samples (it then differs
  /// from H' too much to iterate with). Neither allowed: a refactorization past `refactorRank`, a
  /// Woodbury downdate below it. Many outputs over few features (K = 26, p = 17: a single deletion
  /// adds rank 26 against P/2 = 221) reach the limit every few deletions; the fold keeps them
  /// Woodbury downdates.
  func path(for downdate: KroneckerFactor, from state: NewtonState, next: NewtonState) -> DowndatePath {
    let head = state.head
    let limit = refactorRank ?? head.parameterCount / 2
    let rank = state.factorization.rank + downdate.columns
    let order = Double(head.parameterCount)
    let (n, p, k) = (Double(next.trainingSet.count), Double(head.featureCount + 1), Double(head.outputCount))
    let iteration = 4 * n * p * k + order * order
    let costly = Double(downdate.columns) * order * order > Self.batchPathSteps * iteration
    let unappliedSamples = next.unappliedDowndates.reduce(0) { $0 + $1.groupCount } + downdate.groupCount
    let batchAllowed = usesBatchPath && certification == nil && 4 * unappliedSamples <= next.trainingSet.count
    guard costly && batchAllowed || rank > limit else { return .woodbury }
    let refusal: WoodburyRefusal = rank > limit ? .rankLimit(rank: rank, limit: limit) : .costly(rank: downdate.columns)
    let inverseCost = state.factorization.keepsInverse ? order * order * order * 2 / 3 : 0
    let factorCost = order * order * order / 3 + inverseCost
    let foldFlops =
      order * order * order / 3 + factorCost + order * order * Double(state.factorization.rank)
      + 2 * order * order * Double(unappliedSamples)
    let foldCost = foldFlops / 2 + 2 * iteration
    let refactorCost = n * p * p * k * (k + 1) / 2 + factorCost
    let requestsMadeRoomFor = max(1, Double(limit) / Double(max(downdate.columns, 1)))
    if foldsDowndates && foldCost < refactorCost
      && (!batchAllowed || foldCost <= Self.batchPathSteps * iteration * requestsMadeRoomFor)
    {
      return .fold(refusal)
    }
    if batchAllowed { return .batch(refusal) }
    guard rank > limit else { return .woodbury }
    let refused =
      certification != nil
      ? " (certified mode)"
      : usesBatchPath ? " and the factor would miss more than a quarter of the remaining samples' downdates" : ""
    return .refactor(.rankLimit(rank: rank, limit: limit, refused: refused))
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
    case .fold(let reason):
      do {
        removal.next.factorization = try removal.next.factorization.refolded(
          subtracting: removal.next.unappliedDowndates + [downdate])
      } catch let error as LinearAlgebraError {
        return try refactorForStep(removal: &removal, reason: .notPositiveDefinite("\(error)"))
      }
      removal.next.unappliedDowndates.removeAll()
      if removal.next.curvaturePairs.count > 0 { removal.next.curvaturePairs.downdate(by: downdate.dense) }
      removal.report.folded = true
      removal.notes.append(
        "\(reason), so the downdates were folded into a new factor of the downdated Hessian, without a pass over "
          + "the data")
      let next = removal.next
      return next.curvaturePairs.solve(next.gradient) { next.factorization.solve($0) }
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
