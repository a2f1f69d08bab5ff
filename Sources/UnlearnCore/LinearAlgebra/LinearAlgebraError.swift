/// A LAPACK routine refused the data it was given.
///
/// These are properties of the numbers (a Hessian that is not positive definite, a singular system),
/// not programmer errors, so they are thrown, and the message says what to try next.
public struct LinearAlgebraError: Error, Hashable, Sendable, CustomStringConvertible {
  private enum Kind: Hashable, Sendable {
    case notPositiveDefinite
    case singular
    case nonFinite
    case noConvergence
  }

  private let kind: Kind
  /// The routine that failed, e.g. `dpotrf`.
  public let routine: String
  /// LAPACK's `info` value (or the index of the offending entry for `nonFinite`).
  public let info: Int

  private init(_ kind: Kind, routine: String, info: Int) {
    self.kind = kind
    self.routine = routine
    self.info = info
  }

  /// The leading minor of order `info` is not positive definite.
  public static func notPositiveDefinite(routine: String, info: Int) -> Self {
    .init(.notPositiveDefinite, routine: routine, info: info)
  }
  /// `U(info, info)` is exactly zero: the matrix is singular.
  public static func singular(routine: String, info: Int) -> Self {
    .init(.singular, routine: routine, info: info)
  }
  /// An input entry is NaN or infinite.
  public static func nonFinite(routine: String, info: Int) -> Self {
    .init(.nonFinite, routine: routine, info: info)
  }
  /// The iterative algorithm failed to converge.
  public static func noConvergence(routine: String, info: Int) -> Self {
    .init(.noConvergence, routine: routine, info: info)
  }

  public var isNotPositiveDefinite: Bool { kind == .notPositiveDefinite }
  public var isSingular: Bool { kind == .singular }
  public var isNonFinite: Bool { kind == .nonFinite }

  public var description: String {
    switch kind {
    case .notPositiveDefinite:
      return "\(routine): the matrix is not positive definite (leading minor of order \(info) failed); "
        + "increase the L2 regularization (smaller C) or check the data for duplicated or constant features"
    case .singular:
      return "\(routine): the matrix is singular (pivot \(info) is exactly zero); "
        + "check for linearly dependent rows or columns"
    case .nonFinite:
      return "\(routine): entry \(info) of the input is NaN or infinite; check the data and the step that produced it"
    case .noConvergence:
      return "\(routine): the algorithm did not converge (info \(info)); check the matrix for extreme scaling"
    }
  }
}
