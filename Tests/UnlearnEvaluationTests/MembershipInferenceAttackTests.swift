import Foundation
import Numerics
import Testing
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import _UnlearnTestSupport

/// The attacks must see membership where there is some and none where there is none.
struct MembershipInferenceAttackTests {
  /// Bundled digits and a seeded shuffle of its rows.
  static func shuffledDigits(seed: UInt64) throws -> (Dataset, [Int]) {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    var generator = SeededGenerator(seed: seed)
    return (data, Array(0..<data.count).fisherYatesShuffled(using: &generator))
  }

  /// An MLP over-fitted on 150 digits (weak regularization, many epochs) against 600 unseen ones.
  @Test(arguments: MembershipInferenceAttack.allCases)
  func overfittedModelExposesItsTrainingPoints(_ attack: MembershipInferenceAttack) throws {
    let (data, order) = try Self.shuffledDigits(seed: 21)
    let members = data.subset(rows: Array(order[..<150]))
    let outsiders = data.subset(rows: Array(order[150..<750]))
    let model = try ModelTrainer(
      configuration: ModelConfiguration(
        kind: .mlp, inverseRegularization: 1e6, hiddenLayers: [64], epochs: 60, batchSize: 16, seed: 5)
    ).train(on: members, dataFileSHA256: [])
    let auc = attack.auc(
      members: (model.probabilities(for: members.features), members.labels),
      nonMembers: (model.probabilities(for: outsiders.features), outsiders.labels))
    #expect(auc > 0.6, "\(attack) AUC \(auc)")
  }

  /// Two random halves of data the model never saw: membership labels are random, AUC ≈ 0.5.
  @Test(arguments: MembershipInferenceAttack.allCases)
  func randomMembershipLabelsGiveChanceAUC(_ attack: MembershipInferenceAttack) throws {
    let (data, order) = try Self.shuffledDigits(seed: 22)
    let training = data.subset(rows: Array(order[..<400]))
    let unseen = Array(order[400...])
    let model = try ModelTrainer(configuration: ModelConfiguration(kind: .logistic, seed: 1))
      .train(on: training, dataFileSHA256: [])
    let half = unseen.count / 2
    let a = data.subset(rows: Array(unseen[..<half]))
    let b = data.subset(rows: Array(unseen[half...]))
    let auc = attack.auc(
      members: (model.probabilities(for: a.features), a.labels),
      nonMembers: (model.probabilities(for: b.features), b.labels))
    // With ~700 samples per side the AUC's standard error is about 0.015.
    #expect(auc.isApproximatelyEqual(to: 0.5, absoluteTolerance: 0.06), "\(attack) AUC \(auc)")
  }

  @Test func lossScoreIsLogProbabilityOfTheTrueClass() {
    let probabilities = Matrix([[0.7, 0.3], [0.2, 0.8]])
    let scores = MembershipInferenceAttack.loss.scores(probabilities: probabilities, labels: [0, 0])
    #expect(scores[0].isApproximatelyEqual(to: log(0.7), absoluteTolerance: 1e-15))
    #expect(scores[1].isApproximatelyEqual(to: log(0.2), absoluteTolerance: 1e-15))
    #expect(MembershipInferenceAttack.confidence.scores(probabilities: probabilities, labels: [0, 0]) == [0.7, 0.8])
  }
}

struct ModelAgreementTests {
  @Test func agreementKLAndDistance() {
    #expect(ModelAgreement.agreement([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75)
    let p = Matrix([[0.5, 0.5], [1, 0]])
    #expect(ModelAgreement.meanKullbackLeibler(p, p) == 0)
    let q = Matrix([[0.25, 0.75], [0.5, 0.5]])
    let expected = (0.5 * log(2) + 0.5 * log(0.5 / 0.75) + log(2)) / 2
    #expect(ModelAgreement.meanKullbackLeibler(p, q).isApproximatelyEqual(to: expected, absoluteTolerance: 1e-15))
    #expect(ModelAgreement.relativeParameterDistance([3, 4], reference: [0, 0]) == 5)
    #expect(ModelAgreement.relativeParameterDistance([1, 1], reference: [1, 0]) == 1)
  }
}
