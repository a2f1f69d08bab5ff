import RealModule
import UnlearnCore

/// Black-box membership-inference attacks that score how "member-like" a sample looks to a model,
/// evaluated by the AUC of separating a member set (e.g. the forget set) from non-members (a test set).
///
/// - `loss` (Yeom et al., "Privacy risk in machine learning", CSF 2018): score = −ℓ = log p_y; a
///   model fits its training samples better, so members have lower loss.
/// - `confidence`: score = max_k p_k, the model's confidence whatever the label (Salem et al., NDSS 2019).
///
/// After a good unlearning, the forget set's AUC against test data should be as close to the
/// retrained model's as the original model's is far from it (docs/methods.md).
public enum MembershipInferenceAttack: String, Sendable, Codable, CaseIterable {
  case loss
  case confidence

  /// Per-sample scores from n × K probabilities and the true classes.
  public func scores(probabilities: Matrix, labels: [Int]) -> [Double] {
    precondition(probabilities.rows == labels.count, "\(probabilities.rows) rows, \(labels.count) labels")
    switch self {
    case .loss:
      // log p_y, with p clamped away from 0 so a confident mistake scores finitely.
      return labels.indices.map { Double.log(max(probabilities[$0, labels[$0]], 1e-300)) }
    case .confidence:
      return (0..<probabilities.rows).map { probabilities.row($0).max() ?? 0 }
    }
  }

  /// AUC of telling members from non-members by this attack's score.
  public func auc(
    members: (probabilities: Matrix, labels: [Int]), nonMembers: (probabilities: Matrix, labels: [Int])
  ) -> Double {
    AreaUnderCurve.compute(
      positives: scores(probabilities: members.probabilities, labels: members.labels),
      negatives: scores(probabilities: nonMembers.probabilities, labels: nonMembers.labels))
  }
}
