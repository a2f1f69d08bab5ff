import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// Retrain is the reference every other strategy is judged against, so it must be exactly
/// "training on D \ F": same configuration, same seed, same bits.
struct RetrainTests {
  static let digits = Result { try CSVLoader().load(path: TestData.bundled("digits.csv")) }

  /// A seeded sample of `count` rows' ids.
  static func randomIDs(_ count: Int, of data: Dataset, seed: UInt64) -> [SampleID] {
    var generator = SeededGenerator(seed: seed)
    return Array(Array(0..<data.count).fisherYatesShuffled(using: &generator).prefix(count)).map { data.ids[$0] }
  }

  static let configurations = [
    ModelConfiguration(kind: .logistic, inverseRegularization: 0.5, seed: 3),
    ModelConfiguration(kind: .mlp, hiddenLayers: [32], epochs: 3, batchSize: 64, seed: 3),
  ]

  @Test(arguments: configurations)
  func forgettingEqualsTrainingOnTheReducedDataBitForBit(_ configuration: ModelConfiguration) throws {
    let data = try Self.digits.get().subset(rows: Array(0..<600))
    let forget = Self.randomIDs(30, of: data, seed: 11)
    let strategy = Retrain(configuration: configuration)
    let fitted = try strategy.fit(data, sourceSHA256: ["abc"]) { _ in }
    let (unlearned, report) = try strategy.forget(try ForgetRequest(ids: forget), from: fitted) { _ in }

    let forgotten = Set(forget)
    let reduced = data.subset(rows: data.ids.indices.filter { !forgotten.contains(data.ids[$0]) })
    let direct = try ModelTrainer(configuration: configuration).train(on: reduced, dataFileSHA256: ["abc"])
    #expect(unlearned.model.classifier == direct.classifier)
    #expect(unlearned.model.standardizer == direct.standardizer)
    #expect(unlearned.model.fingerprint == direct.fingerprint)
    #expect(unlearned.trainingSet.data == reduced)
    #expect(report.exact && report.forgotten == 30 && report.samplesRetrained == 570 && report.remaining == 570)
    #expect(report.parametersRetrained == direct.classifier.base.parameterCount)
    // The forget changed the model: the test cannot pass by returning the fitted state.
    #expect(unlearned.model.classifier != fitted.model.classifier)
  }

  @Test func twoRequestsEqualOneRequestForTheirUnion() throws {
    let data = try Self.digits.get().subset(rows: Array(0..<400))
    let ids = Self.randomIDs(20, of: data, seed: 12)
    let strategy = Retrain(configuration: ModelConfiguration(kind: .logistic, seed: 1))
    let fitted = try strategy.fit(data, sourceSHA256: []) { _ in }
    let first = try strategy.forget(try ForgetRequest(ids: Array(ids[..<7])), from: fitted) { _ in }.state
    let second = try strategy.forget(try ForgetRequest(ids: Array(ids[7...])), from: first) { _ in }.state
    let union = try strategy.forget(try ForgetRequest(ids: ids.reversed()), from: fitted) { _ in }.state
    #expect(second.model.classifier == union.model.classifier)
    #expect(second.trainingSet.data == union.trainingSet.data)
  }

  @Test func absentIDsAreErrorsUnlessSkipped() throws {
    let data = try Self.digits.get().subset(rows: Array(0..<200))
    let strategy = Retrain(configuration: ModelConfiguration(kind: .logistic, seed: 1))
    let fitted = try strategy.fit(data, sourceSHA256: []) { _ in }
    let once = try strategy.forget(try ForgetRequest(ids: ["5", "6"]), from: fitted) { _ in }.state

    let unknown = #expect(throws: ForgetError.self) {
      try strategy.forget(try ForgetRequest(ids: ["7", "no-such-id"]), from: once) { _ in }
    }
    #expect(unknown?.code == .unknownID && unknown?.ids == ["no-such-id"])
    #expect(unknown?.description.contains("--skip-absent") == true)

    let again = #expect(throws: ForgetError.self) {
      try strategy.forget(try ForgetRequest(ids: ["6"]), from: once) { _ in }
    }
    #expect(again?.code == .alreadyForgotten && again?.ids == ["6"])

    let duplicate = #expect(throws: ForgetError.self) { try ForgetRequest(ids: ["1", "2", "1"]) }
    #expect(duplicate?.code == .duplicateID)
    #expect(duplicate?.description.contains("entries 1 and 3") == true)
    #expect(throws: ForgetError.self) { try ForgetRequest(ids: []) }

    let (skipped, report) = try strategy.forget(
      try ForgetRequest(ids: ["6", "7", "no-such-id"], skippingAbsentIDs: true), from: once
    ) { _ in }
    #expect(report.forgotten == 1 && report.skipped == 2 && report.requested == 3)
    #expect(skipped.trainingSet.data.count == 197)

    let (nothing, emptyReport) = try strategy.forget(
      try ForgetRequest(ids: ["6"], skippingAbsentIDs: true), from: once
    ) { _ in }
    #expect(emptyReport.forgotten == 0 && emptyReport.samplesRetrained == 0 && !emptyReport.notes.isEmpty)
    #expect(nothing.model == once.model)

    let everything = #expect(throws: ForgetError.self) {
      try strategy.forget(try ForgetRequest(ids: once.trainingSet.data.ids), from: once) { _ in }
    }
    #expect(everything?.code == .wouldEmptyTrainingSet)
  }
}
