/// The area under the ROC curve of a score that should rank positives above negatives.
///
/// Computed exactly as the Mann–Whitney statistic, AUC = P(score⁺ > score⁻) + ½·P(score⁺ = score⁻):
/// sort all scores once, give tied scores their average rank, and
/// AUC = (R⁺ − n⁺(n⁺ + 1)/2) / (n⁺·n⁻), where R⁺ is the rank sum of the positives. O((n⁺ + n⁻) log).
/// 0.5 means the score cannot tell the groups apart; 1 means it separates them perfectly.
public enum AreaUnderCurve {
  public static func compute(positives: [Double], negatives: [Double]) -> Double {
    precondition(!positives.isEmpty && !negatives.isEmpty, "AUC needs at least one positive and one negative score")
    precondition(
      positives.allSatisfy { !$0.isNaN } && negatives.allSatisfy { !$0.isNaN }, "AUC scores must not be NaN")
    let labelled = positives.map { ($0, true) } + negatives.map { ($0, false) }
    let sorted = labelled.sorted { $0.0 < $1.0 }
    var positiveRankSum = 0.0
    var start = 0
    while start < sorted.count {
      var end = start
      while end + 1 < sorted.count && sorted[end + 1].0 == sorted[start].0 { end += 1 }
      let averageRank = Double(start + end + 2) / 2  // ranks are 1-based
      for index in start...end where sorted[index].1 { positiveRankSum += averageRank }
      start = end + 1
    }
    let nPositive = Double(positives.count)
    let nNegative = Double(negatives.count)
    return (positiveRankSum - nPositive * (nPositive + 1) / 2) / (nPositive * nNegative)
  }
}
