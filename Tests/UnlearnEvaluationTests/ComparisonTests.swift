import Foundation
import Numerics
import Testing
import UnlearnCore
import UnlearnData
import UnlearnEvaluation
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// The comparison harness on real data: the evidence must show membership where there is some
/// and its absence after retraining.
struct ComparisonTests {
  /// 300 training digits (150 to forget) and 600 unseen test digits, from a seeded shuffle.
  static func digitsComparison(seed: UInt64) throws -> Comparison {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    var generator = SeededGenerator(seed: seed)
    let order = Array(0..<data.count).fisherYatesShuffled(using: &generator)
    let training = data.subset(rows: Array(order[..<300]))
    let test = data.subset(rows: Array(order[300..<900]))
    return Comparison(
      training: training, test: test, forgetIDs: Array(training.ids[..<150]), sourceSHA256: [])
  }

  /// An over-fitted MLP exposes the samples it trained on (AUC well above 0.5); after Retrain
  /// removes them, the forget set looks like test data (AUC ≈ 0.5). With 150 forget and 600 test
  /// samples the AUC's standard error under no membership is about 0.026: "above chance" is more
  /// than three of them above 0.5, and "≈ 0.5" within three (measured: 0.61 before, 0.48 after).
  @Test(arguments: MembershipInferenceAttack.allCases)
  func retrainingRemovesTheMembershipSignalOfAnOverfittedModel(_ attack: MembershipInferenceAttack) throws {
    let comparison = try Self.digitsComparison(seed: 31)
    let configuration = ModelConfiguration(
      kind: .mlp, inverseRegularization: 1e6, hiddenLayers: [64], epochs: 60, batchSize: 16, seed: 5)
    let rows = try comparison.run(reference: Retrain(configuration: configuration), strategies: [])
    let retrain = try #require(rows.first)
    let before = attack == .loss ? retrain.original.lossAttackAUC : retrain.original.confidenceAttackAUC
    let after = attack == .loss ? retrain.unlearned.lossAttackAUC : retrain.unlearned.confidenceAttackAUC
    #expect(before > 0.58, "\(attack) AUC before forgetting \(before)")
    #expect(after.isApproximatelyEqual(to: 0.5, absoluteTolerance: 0.08), "\(attack) AUC after retraining \(after)")
    #expect(retrain.original.forgetAccuracy == 1, "an over-fitted model fits its training samples")
  }

  @Test func theRetrainRowIsTheReference() throws {
    let comparison = try Self.digitsComparison(seed: 32)
    let configuration = ModelConfiguration(kind: .logistic, seed: 1)
    let rows = try comparison.run(
      reference: Retrain(configuration: configuration), strategies: [Retrain(configuration: configuration)])
    #expect(rows.map(\.strategy) == ["retrain", "retrain"])
    for row in rows {
      #expect(row.agreementWithRetrain == 1 && row.meanKLFromRetrain == 0 && row.relativeParameterDistance == 0)
      #expect(row.exact && row.samplesRetrained == 150)
      #expect(row.unlearned.testAccuracy > 0.85)
    }
  }

  @Test func reportEncodesTheContractKeys() throws {
    let evidence = try JSONDecoder().decode(
      ModelEvidence.self,
      from: Data(
        #"{"test_accuracy":0.9,"retain_accuracy":1,"forget_accuracy":0.8,"mia_auc":0.5,"mia_auc_confidence":0.4}"#
          .utf8))
    let report = ComparisonReport(
      dataset: "d.csv", model: "logistic", trainCount: 10, testCount: 5, forgetCount: 2, seed: 1,
      forgetSelection: "random:2",
      results: [
        ComparisonResult(
          strategy: "retrain", fitSeconds: 1, forgetSeconds: 2, unlearned: evidence, original: evidence,
          agreementWithRetrain: 1, meanKLFromRetrain: 0, relativeParameterDistance: nil, samplesRetrained: 8,
          parametersRetrained: 3, exact: true, figures: [:])
      ])
    let object = try #require(
      try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any])
    for key in ["dataset", "model", "n_train", "n_test", "n_forget", "results"] {
      #expect(object[key] != nil, "\(key)")
    }
    let row = try #require((object["results"] as? [[String: Any]])?.first)
    for key in [
      "strategy", "fit_seconds", "forget_seconds", "test_accuracy", "forget_accuracy", "retain_accuracy",
      "agreement_with_retrain", "mia_auc", "samples_retrained", "parameters_retrained", "exact",
    ] {
      #expect(row[key] != nil, "\(key)")
    }
    #expect(row["exact"] as? Bool == true && row["mia_auc"] as? Double == 0.5)
    #expect(try JSONDecoder().decode(ComparisonReport.self, from: try JSONEncoder().encode(report)) == report)
  }
}
