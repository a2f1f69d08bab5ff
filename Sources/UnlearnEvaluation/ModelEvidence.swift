import UnlearnCore
import UnlearnData

/// How one model behaves on the test set T, the retained training samples R and the forget set F
/// (docs/methods.md): accuracy on each, and how well the membership-inference attacks separate F
/// from T. After forgetting, F should look like T does — as it does to a model retrained on R.
public struct ModelEvidence: Sendable, Codable, Equatable {
  public let testAccuracy: Double
  public let retainAccuracy: Double
  public let forgetAccuracy: Double
  /// AUC of the loss-threshold attack (Yeom et al. 2018) telling F (members) from T.
  public let lossAttackAUC: Double
  /// AUC of the confidence attack telling F from T.
  public let confidenceAttackAUC: Double

  enum CodingKeys: String, CodingKey {
    case testAccuracy = "test_accuracy"
    case retainAccuracy = "retain_accuracy"
    case forgetAccuracy = "forget_accuracy"
    case lossAttackAUC = "mia_auc"
    case confidenceAttackAUC = "mia_auc_confidence"
  }

  /// Evidence from a model's class probabilities on each set (rows in the sets' order).
  public init(_ outputs: SetOutputs, sets: EvaluationSets) {
    func accuracy(_ probabilities: Matrix, _ data: Dataset) -> Double {
      ClassificationMetrics(
        trueLabels: data.labels, predictedLabels: probabilities.indicesOfRowMaxima(), classNames: data.classNames
      ).accuracy
    }
    testAccuracy = accuracy(outputs.test, sets.test)
    retainAccuracy = accuracy(outputs.retain, sets.retain)
    forgetAccuracy = accuracy(outputs.forget, sets.forget)
    let members = (outputs.forget, sets.forget.labels)
    let nonMembers = (outputs.test, sets.test.labels)
    lossAttackAUC = MembershipInferenceAttack.loss.auc(members: members, nonMembers: nonMembers)
    confidenceAttackAUC = MembershipInferenceAttack.confidence.auc(members: members, nonMembers: nonMembers)
  }
}
