import Foundation
import UnlearnCore
import UnlearnData
import Unlearning

/// The empirical ε̂ of the NeurIPS 2023 machine-unlearning challenge (Triantafillou et al.,
/// arXiv 2406.09073; docs/methods.md): for each forget example, how well can an attacker tell the
/// outputs of models that unlearned it from those of models retrained without it?
///
/// N unlearned and N retrained models come from 2N distinct seeds (the two sets must be
/// independent draws, or Retrain against itself would look perfect). For forget example i, each model gives a
/// score (the log-probability of the true class); for every threshold t an attacker calls
/// "unlearned" above it (or, the other attacker, below it), with false-positive rate FPR (retrained called unlearned) and
/// false-negative rate FNR. Then
///
///     ε̂_i = max over t of max(log(1 − δ − FPR) − log FNR, log(1 − δ − FNR) − log FPR),
///
/// terms with a non-positive argument left out. With N models a rate of 0 is only "below 1/N", so
/// rates are estimated as (k + ½)/(N + 1) (never 0 or 1): ε̂ is then at most log(2N + 1), the most
/// N models can show. Lower is better; identical distributions give ε̂ near 0.
///
/// Deterministic training (the convex models do not depend on the seed) makes both sets point
/// masses: any difference at all between unlearned and retrained outputs then shows as the
/// maximum. That is the honest answer for an approximate method without noise.
public enum EpsilonAudit {
  /// ε̂ per forget example from scores[model][example] of the unlearned and retrained models.
  public static func perExample(unlearned: [[Double]], retrained: [[Double]], delta: Double = 0) -> [Double] {
    precondition(!unlearned.isEmpty && unlearned.count == retrained.count, "need N unlearned and N retrained models")
    let examples = unlearned[0].count
    return (0..<examples).map { i in
      let u = unlearned.map { $0[i] }
      let r = retrained.map { $0[i] }
      // The attacker may call "unlearned" above a threshold or below it.
      return max(
        epsilon(unlearned: u, retrained: r, delta: delta),
        epsilon(unlearned: u.map { -$0 }, retrained: r.map { -$0 }, delta: delta))
    }
  }

  /// ε̂ of one example from the two score samples.
  static func epsilon(unlearned: [Double], retrained: [Double], delta: Double) -> Double {
    let n = Double(unlearned.count)
    func rate(_ count: Int) -> Double { (Double(count) + 0.5) / (n + 1) }
    let thresholds = Set(unlearned + retrained).sorted() + [.infinity]
    var best = 0.0
    for t in thresholds {
      let falsePositive = rate(retrained.filter { $0 >= t }.count)
      let falseNegative = rate(unlearned.filter { $0 < t }.count)
      if 1 - delta - falsePositive > 0 {
        best = max(best, log(1 - delta - falsePositive) - log(falseNegative))
      }
      if 1 - delta - falseNegative > 0 {
        best = max(best, log(1 - delta - falseNegative) - log(falsePositive))
      }
    }
    return best
  }

  /// The log-probability of each forget example's class: the attack's score.
  static func scores(_ probabilities: Matrix, labels: [Int]) -> [Double] {
    MembershipInferenceAttack.loss.scores(probabilities: probabilities, labels: labels)
  }
}
