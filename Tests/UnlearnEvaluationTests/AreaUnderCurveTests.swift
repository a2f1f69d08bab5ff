import Numerics
import Testing
import UnlearnCore
import UnlearnEvaluation

struct AreaUnderCurveTests {
  @Test func matchesHandCountedPairs() {
    // scikit-learn's roc_auc_score example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] → 0.75.
    #expect(AreaUnderCurve.compute(positives: [0.35, 0.8], negatives: [0.1, 0.4]) == 0.75)
    #expect(AreaUnderCurve.compute(positives: [3, 4], negatives: [1, 2]) == 1)
    #expect(AreaUnderCurve.compute(positives: [1, 2], negatives: [3, 4]) == 0)
  }

  @Test func tiesCountHalf() {
    #expect(AreaUnderCurve.compute(positives: [1, 1], negatives: [1, 1, 1]) == 0.5)
    // One tie out of four pairs, the rest won: (3 + 0.5) / 4.
    #expect(AreaUnderCurve.compute(positives: [2, 5], negatives: [2, 1]) == 0.875)
  }

  @Test func agreesWithBruteForcePairCountingOnRandomScores() {
    var generator = SeededGenerator(seed: 8)
    let positives = (0..<300).map { _ in Double(generator.nextInt(below: 40)) }
    let negatives = (0..<200).map { _ in Double(generator.nextInt(below: 40)) - 3 }
    var wins = 0.0
    for p in positives {
      for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
    }
    let bruteForce = wins / Double(positives.count * negatives.count)
    #expect(
      AreaUnderCurve.compute(positives: positives, negatives: negatives).isApproximatelyEqual(
        to: bruteForce, absoluteTolerance: 1e-12))
  }
}
