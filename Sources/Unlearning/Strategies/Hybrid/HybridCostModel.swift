import Foundation

/// How Hybrid chooses between its exact and approximate paths, and what it has learned so far
/// (Li et al., "A hybrid framework for effective and efficient machine unlearning", arXiv
/// 2412.14505: the boundary between retraining and parameter modification).
///
/// For a batch of revocations the two costs are estimated from workloads and measured rates:
///
///     Ĉ_exact  = c_exact  · W_exact,   W_exact  = Σ_affected shards Σ_{r ≥ r₀} |prefix_r|·e_r/e
///     Ĉ_approx = c_approx · W_approx,  W_approx = Σ_affected shards |remaining samples of the shard|
///
/// (W_exact in `ShardModel` sample passes, prefix sizes for a logistic shard; r₀ the earliest
/// affected slice, or the first slice an earlier approximate update left without a checkpoint).
/// The rates c are work-seconds per unit: both are measured at fit (the approximate one on a copy
/// of one shard) and refreshed after every request that takes the path, as the mean of the old
/// rate and the new measurement.
///
/// The exact path is taken while Ĉ_exact ≤ ρ·Ĉ_approx: exactness is worth up to ρ times the
/// approximate path's cost. ρ adapts to the accuracy each path delivers on a held-out probe
/// (samples of other shards, which the shard never trained on): when an approximate update costs
/// more accuracy than exact retraining does on average by over the tolerance (and over two
/// standard errors of the probe's measurement), ρ doubles (up to
/// `maximumBoundary`); when it stays within, ρ shrinks by a quarter (down to 1 — exact always wins
/// a tie). So neither the costs nor the boundary are constants. ρ learns only from approximate
/// runs, so its start matters: it is 2 by default (`--initial-boundary`), low enough that the
/// approximate path gets tried where it pays.
public struct HybridCostModel: Sendable, Codable, Equatable {
  /// Work-seconds per sample pass of exact retraining.
  public var exactSecondsPerUnit: Double
  /// Work-seconds per remaining sample of an affected shard on the approximate path.
  public var approximateSecondsPerUnit: Double
  /// ρ: the exact path is taken while its estimate is at most ρ times the approximate one's.
  public var boundary: Double
  /// The mean accuracy lost on the probe (before − after) by each path, and how many times each
  /// path was measured.
  public var exactAccuracyLoss = 0.0
  public var exactRuns = 0
  public var approximateAccuracyLoss = 0.0
  public var approximateRuns = 0

  public static let maximumBoundary = 64.0

  enum CodingKeys: String, CodingKey {
    case boundary
    case exactSecondsPerUnit = "exact_seconds_per_unit"
    case approximateSecondsPerUnit = "approximate_seconds_per_unit"
    case exactAccuracyLoss = "exact_accuracy_loss"
    case exactRuns = "exact_runs"
    case approximateAccuracyLoss = "approximate_accuracy_loss"
    case approximateRuns = "approximate_runs"
  }

  public init(exactSecondsPerUnit: Double, approximateSecondsPerUnit: Double, boundary: Double) {
    self.exactSecondsPerUnit = exactSecondsPerUnit
    self.approximateSecondsPerUnit = approximateSecondsPerUnit
    self.boundary = boundary
  }

  /// The path a batch takes, with the estimates it was chosen by.
  public struct Decision: Sendable, Equatable {
    public var exact: Bool
    public var exactWorkload: Double
    public var approximateWorkload: Double
    public var estimatedExactSeconds: Double
    public var estimatedApproximateSeconds: Double
    public var boundary: Double
    /// Why, in words, for the report.
    public var reason: String
  }

  /// The decision for the given workloads under `policy`.
  public func decide(exactWorkload: Double, approximateWorkload: Double, policy: Hybrid.Policy) -> Decision {
    let exactSeconds = exactSecondsPerUnit * exactWorkload
    let approximateSeconds = approximateSecondsPerUnit * approximateWorkload
    let comparison =
      "estimated \(Self.format(exactSeconds)) s exact vs \(Self.format(approximateSeconds)) s approximate, "
      + "boundary ρ = \(Self.format(boundary))"
    let exact: Bool
    let reason: String
    switch policy {
    case .exact:
      (exact, reason) = (true, "policy exact forces retraining (\(comparison))")
    case .approximate:
      (exact, reason) = (false, "policy approximate forces the Newton step and amendment (\(comparison))")
    case .adaptive:
      exact = exactSeconds <= boundary * approximateSeconds
      reason =
        exact
        ? "retraining is light enough: \(comparison), exact ≤ ρ × approximate"
        : "retraining is too heavy: \(comparison), exact > ρ × approximate"
    }
    return Decision(
      exact: exact, exactWorkload: exactWorkload, approximateWorkload: approximateWorkload,
      estimatedExactSeconds: exactSeconds, estimatedApproximateSeconds: approximateSeconds, boundary: boundary,
      reason: reason)
  }

  /// Folds in what a path measured: its work-seconds over its workload, and the accuracy it lost
  /// on the probe with that figure's standard error. After an approximate run, moves the boundary
  /// as the type's comment says; a loss counts as beyond the tolerance only when it exceeds it by
  /// two standard errors (a 512-sample probe moves by a point on a handful of samples).
  public mutating func record(
    exact: Bool, workload: Double, seconds: Double, accuracyLoss: Double, standardError: Double = 0,
    tolerance: Double
  ) {
    if workload > 0, seconds > 0, seconds.isFinite {
      let rate = seconds / workload
      if exact {
        exactSecondsPerUnit = (exactSecondsPerUnit + rate) / 2
      } else {
        approximateSecondsPerUnit = (approximateSecondsPerUnit + rate) / 2
      }
    }
    guard accuracyLoss.isFinite else { return }
    if exact {
      exactRuns += 1
      exactAccuracyLoss += (accuracyLoss - exactAccuracyLoss) / Double(exactRuns)
    } else {
      approximateRuns += 1
      approximateAccuracyLoss += (accuracyLoss - approximateAccuracyLoss) / Double(approximateRuns)
      let excess = accuracyLoss - (exactRuns > 0 ? exactAccuracyLoss : 0)
      let noise = standardError.isFinite ? 2 * standardError : 0
      boundary = excess > tolerance + noise ? min(Self.maximumBoundary, 2 * boundary) : max(1, 0.75 * boundary)
    }
  }

  static func format(_ value: Double) -> String {
    String(format: "%.3g", value)
  }
}
