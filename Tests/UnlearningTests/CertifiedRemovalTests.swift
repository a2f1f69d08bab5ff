import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// Certified mode: the bound must hold, the budget must be kept, and exceeding it must retrain.
struct CertifiedRemovalTests {
  /// Seeded noise by default: the bound a removal charges depends on the noise, so tests that check
  /// a removal's bound against the budget need the same noise every run (the seed the model uses).
  static func strategy(sigma: Double, secretNoise: Bool = false) throws -> NewtonRemoval {
    NewtonRemoval(
      configuration: ModelConfiguration(kind: .logistic, seed: 3),
      certification: try Certification(epsilon: 1, delta: 1e-4, sigma: sigma, testNoiseSeed: secretNoise ? nil : 3))
  }

  static let data = Result { try CSVLoader().load(path: TestData.bundled("breast_cancer.csv")) }

  /// Guo et al.'s data-dependent bound is an upper bound of the true residual ‖∇L_b(θ⁻)‖.
  @Test(arguments: [1, 2, 3])
  func residualBoundHoldsAndIsCharged(_ removed: Int) throws {
    let data = try Self.data.get()
    let state = try Self.strategy(sigma: 10).fit(data, sourceSHA256: []) { _ in }
    #expect(state.head.linearTerm?.count == state.parameterCount)
    #expect(state.model.configuration.normalizesRows)
    let ids = RetrainTests.randomIDs(removed, of: data, seed: UInt64(removed))
    let (next, report) = try state.forgetting(try ForgetRequest(ids: ids))
    let bound = try #require(report.figures["residual_bound"])
    let residual = try #require(report.figures["gradient_residual"])
    #expect(residual <= bound, "true residual \(residual) above the bound \(bound)")
    #expect(report.figures["newton_steps"] == 1 && !report.exact)
    #expect(next.certificate?.budgetSpent == bound)
    #expect(
      abs(try #require(report.figures["budget_remaining"]) - (state.strategy.certification!.budget - bound)) < 1e-15)
    // The reported residual without the noise term differs from the true one by the noise.
    #expect(report.figures["gradient_residual_without_noise"] != nil)
  }

  /// With a budget too small for any removal, forgetting retrains from scratch with fresh noise.
  @Test func exceedingTheBudgetRetrainsExactly() throws {
    let data = try Self.data.get()
    let state = try Self.strategy(sigma: 1e-6).fit(data, sourceSHA256: []) { _ in }
    let (next, report) = try state.forgetting(try ForgetRequest(ids: ["4", "9"]))
    #expect(report.exact && report.samplesRetrained == data.count - 2)
    #expect(next.certificate?.budgetSpent == 0 && next.certificate?.retrainings == 1)
    #expect(next.head.linearTerm != state.head.linearTerm)
    #expect(next.model.standardizer != state.model.standardizer)  // refitted on D \ F
    #expect(report.notes.contains { $0.contains("retrained from scratch") })
  }

  /// The noise is secret: two trainings with the same options (and seed) draw different noise,
  /// unless a test asks for seeded noise. It is kept in the state and read back.
  @Test func noiseIsFreshPerTrainingAndPersisted() throws {
    let data = try Self.data.get()
    let a = try Self.strategy(sigma: 2, secretNoise: true).fit(data, sourceSHA256: []) { _ in }
    let b = try Self.strategy(sigma: 2, secretNoise: true).fit(data, sourceSHA256: []) { _ in }
    #expect(a.head.linearTerm != nil && a.head.linearTerm != b.head.linearTerm)
    let c = try Self.strategy(sigma: 2).fit(data, sourceSHA256: []) { _ in }
    let d = try Self.strategy(sigma: 2).fit(data, sourceSHA256: []) { _ in }
    #expect(c.head == d.head)
    let once = try a.forgetting(try ForgetRequest(ids: ["7"])).state
    let read = try #require(
      try StrategyCatalog.state(
        from: try StateFile.decode(try StateFile.encode(try once.archive()), path: "s"), path: "s")
        as? NewtonState)
    #expect(read.head == once.head && read.certificate == once.certificate)
    #expect(read.strategy.certification == once.strategy.certification)
    let fromFile = try read.forgetting(try ForgetRequest(ids: ["8"]))
    let fromMemory = try once.forgetting(try ForgetRequest(ids: ["8"]))
    #expect(
      abs(try #require(fromFile.report.figures["residual_bound"]) - fromMemory.report.figures["residual_bound"]!)
        <= 1e-9 * fromMemory.report.figures["residual_bound"]!)
  }

  @Test func refusesSoftmaxAndBadParameters() throws {
    let digits = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    #expect(throws: StrategyError.self) { try Self.strategy(sigma: 1).fit(digits, sourceSHA256: []) { _ in } }
    #expect(throws: StrategyError.self) { try Certification(epsilon: 0, delta: 1e-4, sigma: 1) }
    #expect(throws: StrategyError.self) { try Certification(epsilon: 1, delta: 1, sigma: 1) }
    #expect(throws: StrategyError.self) { try StrategyOptions(certified: true, epsilon: 1).certification() }
    #expect(throws: StrategyError.self) { try StrategyOptions(epsilon: 1).certification() }
    #expect(throws: StrategyError.self) {
      try StrategyCatalog.checkOptions(StrategyOptions(certified: true), usedBy: ["retrain"])
    }
  }
}
