import Foundation

/// ε̂ summarized over the forget set.
public struct EpsilonAuditResult: Sendable, Codable, Equatable {
  /// N: unlearned and retrained models each.
  public let models: Int
  public let mean: Double
  public let median: Double
  /// The largest ε̂ N models can show, log(2N + 1).
  public let ceiling: Double

  public init(perExample: [Double], models: Int) {
    let sorted = perExample.sorted()
    self.models = models
    self.mean = perExample.reduce(0, +) / Double(max(perExample.count, 1))
    self.median =
      sorted.isEmpty
      ? 0
      : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    self.ceiling = log(2 * Double(models) + 1)
  }
}
