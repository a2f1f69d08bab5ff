import Foundation
import Numerics
import Testing
import UnlearnEvaluation

struct EpsilonAuditTests {
  /// Scores[model][example]: example 0 separates perfectly (either direction), example 1 is the
  /// same for both sets.
  @Test func separatedExamplesReachTheCeilingAndIdenticalOnesZero() {
    let unlearned: [[Double]] = (0..<9).map { (j: Int) -> [Double] in
      let spread = 0.01 * Double(j)
      return [1 + spread, 5, -1 - spread]
    }
    let retrained: [[Double]] = (0..<9).map { (j: Int) -> [Double] in
      let spread = 0.01 * Double(j)
      return [-spread, 5, spread]
    }
    let epsilons = EpsilonAudit.perExample(unlearned: unlearned, retrained: retrained)
    let ceiling = log(2 * 9.0 + 1)
    #expect(epsilons[0].isApproximatelyEqual(to: ceiling, absoluteTolerance: 1e-12))
    #expect(abs(epsilons[1]) < 1e-12)
    #expect(
      epsilons[2].isApproximatelyEqual(to: ceiling, absoluteTolerance: 1e-12),
      "an attacker may call 'unlearned' below a threshold too")
    let summary = EpsilonAuditResult(perExample: epsilons, models: 9)
    #expect(
      summary.median == epsilons[0] && summary.ceiling.isApproximatelyEqual(to: ceiling, absoluteTolerance: 1e-12))
  }

  /// Overlapping samples give something in between.
  @Test func overlappingSamplesGiveAnIntermediateValue() {
    let unlearned: [[Double]] = [[0], [1], [2], [3], [4], [5]]
    let retrained: [[Double]] = [[2.5], [3.5], [4.5], [5.5], [6.5], [7.5]]
    let epsilon = EpsilonAudit.perExample(unlearned: unlearned, retrained: retrained)[0]
    #expect(epsilon > 0.5 && epsilon < log(13))
  }
}
