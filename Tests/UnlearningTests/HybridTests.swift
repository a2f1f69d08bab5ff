import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// Hybrid: its exact path is SISA's forget bit for bit, its approximate path moves a shard toward
/// retraining, and the adaptive policy retrains light workloads and updates heavy ones.
struct HybridTests {
  static let configurations = [
    ModelConfiguration(kind: .logistic, seed: 4),
    ModelConfiguration(kind: .mlp, hiddenLayers: [16], epochs: 4, batchSize: 32, seed: 4),
  ]
  static let mlp = ModelConfiguration(
    kind: .mlp, hiddenLayers: [32], epochs: 10, batchSize: 32, learningRate: 0.01, seed: 5)

  static func data(_ count: Int = 400) throws -> Dataset {
    try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<count))
  }

  static func expectSameShards(_ a: [ShardModel], _ b: [ShardModel], _ comment: Comment? = nil) {
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) {
      #expect(x.sliceIDs == y.sliceIDs, comment)
      #expect(x.checkpoints == y.checkpoints, "shard \(x.index) checkpoints")
      #expect(x.model?.classifier == y.model?.classifier, "shard \(x.index) model")
      #expect(x.model?.standardizer == y.model?.standardizer, "shard \(x.index) scaling")
    }
  }

  @Test(arguments: configurations)
  func exactPathEqualsSISABitForBit(_ configuration: ModelConfiguration) throws {
    let data = try Self.data()
    let ids = RetrainTests.randomIDs(5, of: data, seed: 8)
    let sisa = SISA(configuration: configuration, shards: 3, slices: 4)
    let hybrid = Hybrid(configuration: configuration, shards: 3, slices: 4, policy: .exact)
    let expected = try sisa.forget(try ForgetRequest(ids: ids), from: try sisa.fit(data, sourceSHA256: []) { _ in }) {
      _ in
    }
    let (state, report) = try hybrid.forget(
      try ForgetRequest(ids: ids), from: try hybrid.fit(data, sourceSHA256: []) { _ in }
    ) { _ in }
    Self.expectSameShards(state.shards, expected.state.shards)
    #expect(report.exact && report.report(HybridReport.self)?.pathExact == true && state.approximateShards.isEmpty)
    #expect(report.samplesRetrained == expected.report.samplesRetrained)
    #expect(state.predictedLabels(for: data.features) == expected.state.predictedLabels(for: data.features))
  }

  @Test func fitMeasuresBothRates() throws {
    let state = try Hybrid(configuration: Self.mlp, shards: 3, slices: 4).fit(try Self.data(), sourceSHA256: []) {
      _ in
    }
    #expect(state.costs.exactSecondsPerUnit > 0 && state.costs.exactSecondsPerUnit.isFinite)
    #expect(state.costs.approximateSecondsPerUnit > 0 && state.costs.approximateSecondsPerUnit.isFinite)
    #expect(state.costs.boundary == 2 && state.approximateShards.isEmpty)
  }

  /// The decision with the rates fixed (so it depends on the workloads, not on how busy the
  /// machine is): one sample-epoch costs 1 µs on both paths, an exact unit (samples × e_r / e) is
  /// e sample-epochs, and the approximate path costs 2.5 sample-epochs per remaining sample (the
  /// step's forward pass and products plus one amendment epoch; fit measured 1.75 on mnist5k and
  /// 2.6 on Fashion-MNIST for an MLP 784-128-10). Initial ρ = 2.
  static func fixedRates(_ state: inout HybridState) {
    state.costs = HybridCostModel(
      exactSecondsPerUnit: Double(mlp.epochs) * 1e-6, approximateSecondsPerUnit: 2.5e-6, boundary: 2)
  }

  @Test func adaptiveRetrainsASingleDeletionInALateSlice() throws {
    let data = try Self.data(600)
    let hybrid = Hybrid(configuration: Self.mlp, shards: 3, slices: 4)
    var state = try hybrid.fit(data, sourceSHA256: []) { _ in }
    Self.fixedRates(&state)
    let id = try #require(data.ids.first { hybrid.sisa.assignment.place($0).slice == 3 })
    let (after, report) = try hybrid.forget(try ForgetRequest(ids: [id]), from: state) { _ in }
    #expect(report.exact && report.report(HybridReport.self)?.pathExact == true, "\(report.notes)")
    #expect(report.report(HybridReport.self)?.slicesRetrained == 1 && after.approximateShards.isEmpty)
    let estimatedExact = try #require(report.report(HybridReport.self)?.estimatedExactSeconds)
    let estimatedApproximate = try #require(report.report(HybridReport.self)?.estimatedApproximateSeconds)
    #expect(estimatedExact <= 2 * estimatedApproximate && estimatedExact > estimatedApproximate)
    // The same as SISA's forget.
    let sisa = hybrid.sisa
    let expected = try sisa.forget(try ForgetRequest(ids: [id]), from: try sisa.fit(data, sourceSHA256: []) { _ in }) {
      _ in
    }
    Self.expectSameShards(after.shards, expected.state.shards)
  }

  @Test func adaptiveUpdatesALargeBatchSpreadOverEveryShardThenReExactEqualsSISA() throws {
    let data = try Self.data(600)
    let hybrid = Hybrid(configuration: Self.mlp, shards: 3, slices: 4)
    var state = try hybrid.fit(data, sourceSHA256: []) { _ in }
    Self.fixedRates(&state)
    let ids = RetrainTests.randomIDs(60, of: data, seed: 13)
    let places = ids.map { hybrid.sisa.assignment.place($0) }
    #expect(Set(places.map(\.shard)) == [0, 1, 2] && places.contains { $0.slice == 0 })
    let (after, report) = try hybrid.forget(try ForgetRequest(ids: ids), from: state) { _ in }
    let typed = try #require(report.report(HybridReport.self))
    #expect(!report.exact && typed.pathExact == false, "\(report.notes)")
    #expect(typed.figures == report.figures, "the typed report reads back from the figures it writes")
    #expect(typed.estimatedExactSeconds! > 2 * typed.estimatedApproximateSeconds!)
    #expect(after.approximateShards == [0, 1, 2] && typed.approximateShards == 3)
    #expect(typed.hessianVectorProducts! > 0)
    // Checkpoints from the earliest affected slice on were trained with the removed samples: gone.
    for (index, shard) in after.shards.enumerated() {
      let first = places.filter { $0.shard == index }.map(\.slice).min()!
      #expect(shard.checkpoints.count == first)
      #expect(shard.model?.fingerprint.sampleCount == shard.count)
    }
    // Still a useful classifier on the samples nobody trained on (digits is easy: > 0.8).
    let held = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(1200..<1797))
    let accuracy = zip(after.predictedLabels(for: held.features), held.labels).filter { $0 == $1 }.count
    #expect(Double(accuracy) / Double(held.count) > 0.8)

    // Persisted, the approximate marks and the learned costs survive.
    let bytes = try StateFile.encode(try after.archive())
    let read = try #require(
      try StrategyCatalog.state(from: try StateFile.decode(bytes, path: "h"), path: "h") as? HybridState)
    #expect(read.approximateShards == [0, 1, 2] && read.costs == after.costs)
    #expect(read.predictedLabels(for: held.features) == after.predictedLabels(for: held.features))

    // Re-exact: what SISA's forget of the same ids gives, bit for bit.
    let (exact, reExactReport) = try hybrid.reExact(read)
    #expect(exact.approximateShards.isEmpty && reExactReport.report(HybridReport.self)?.shardsRetrained == 3)
    let sisa = hybrid.sisa
    let expected = try sisa.forget(try ForgetRequest(ids: ids), from: try sisa.fit(data, sourceSHA256: []) { _ in }) {
      _ in
    }
    Self.expectSameShards(exact.shards, expected.state.shards)
  }

  /// Logistic shards (4 of 400 samples removed): the Newton step alone moves θ toward the shard
  /// retrained without the samples, and with the default amendment (one more Newton–CG step on the remaining samples)
  /// θ⁻ is ≥ 10× closer to it than the trained θ* is.
  @Test func newtonStepAndAmendmentMoveEachShardTowardRetraining() throws {
    let data = try Self.data()
    let configuration = ModelConfiguration(kind: .logistic, inverseRegularization: 0.5, seed: 6)
    let sisa = SISA(configuration: configuration, shards: 2, slices: 2)
    // From the last slice: a deletion from the first refits the shard's feature scaling, and θ
    // would be compared in other coordinates.
    let ids = RetrainTests.randomIDs(40, of: data, seed: 2).filter { sisa.assignment.place($0).slice == 1 }.prefix(4)
      .map { $0 }
    let retrained = try sisa.forget(try ForgetRequest(ids: ids), from: try sisa.fit(data, sourceSHA256: []) { _ in }) {
      _ in
    }.state
    for (amendment, factor) in [(0, 1.0), (1, 10.0)] {
      let hybrid = Hybrid(
        configuration: configuration, shards: 2, slices: 2, policy: .approximate, amendment: amendment)
      let state = try hybrid.fit(data, sourceSHA256: []) { _ in }
      let (after, report) = try hybrid.forget(try ForgetRequest(ids: ids), from: state) { _ in }
      #expect(!report.exact)
      for index in Set(ids.map { sisa.assignment.place($0).shard }) {
        let target = try #require(retrained.shards[index].model?.classifier.base.parameters)
        let before = try #require(state.shards[index].model?.classifier.base.parameters)
        let stepped = try #require(after.shards[index].model?.classifier.base.parameters)
        let original = RandomMatrices.relativeDifference(before, target)
        let updated = RandomMatrices.relativeDifference(stepped, target)
        #expect(updated * factor < original, "amendment \(amendment), shard \(index): \(updated) vs \(original)")
      }
    }
  }

  /// Deleting every sample of one shard on the approximate path leaves that shard without a model;
  /// the others still predict.
  @Test func approximatePathCanEmptyAShard() throws {
    let data = try Self.data()
    let hybrid = Hybrid(
      configuration: ModelConfiguration(kind: .logistic, seed: 4), shards: 2, slices: 2, policy: .approximate)
    let state = try hybrid.fit(data, sourceSHA256: []) { _ in }
    let ids = state.shards[0].sliceIDs.flatMap { $0 }
    let (after, report) = try hybrid.forget(try ForgetRequest(ids: ids), from: state) { _ in }
    #expect(!report.exact && report.forgotten == ids.count)
    #expect(after.shards[0].model == nil && after.shards[0].count == 0 && after.shards[1].model != nil)
    #expect(after.predictedLabels(for: data.features).count == data.count)
  }

  @Test func boundaryAdaptsToTheAccuracyTheApproximatePathDelivers() {
    var costs = HybridCostModel(exactSecondsPerUnit: 2, approximateSecondsPerUnit: 1, boundary: 4)
    costs.record(exact: true, workload: 10, seconds: 40, accuracyLoss: 0.002, tolerance: 0.01)
    #expect(costs.exactSecondsPerUnit == 3 && costs.boundary == 4)
    costs.record(exact: false, workload: 10, seconds: 30, accuracyLoss: 0.05, tolerance: 0.01)
    #expect(costs.approximateSecondsPerUnit == 2 && costs.boundary == 8)
    costs.record(exact: false, workload: 10, seconds: 20, accuracyLoss: 0.004, tolerance: 0.01)
    #expect(costs.boundary == 6)
    // A loss beyond the tolerance but within two standard errors of it is noise: ρ still shrinks.
    costs.record(exact: false, workload: 10, seconds: 20, accuracyLoss: 0.03, standardError: 0.01, tolerance: 0.01)
    #expect(costs.boundary == 4.5)
    for _ in 0..<20 { costs.record(exact: false, workload: 1, seconds: 2, accuracyLoss: 0, tolerance: 0.01) }
    #expect(costs.boundary == 1)
    // At ρ = 1 a tie (3·2 s vs 2·3 s) goes to exact; the policies force their path whatever the estimates.
    #expect(costs.exactSecondsPerUnit == 3 && costs.approximateSecondsPerUnit == 2)
    #expect(costs.decide(exactWorkload: 2, approximateWorkload: 3, policy: .adaptive).exact)
    #expect(!costs.decide(exactWorkload: 100, approximateWorkload: 1, policy: .adaptive).exact)
    #expect(costs.decide(exactWorkload: 100, approximateWorkload: 1, policy: .exact).exact)
    #expect(!costs.decide(exactWorkload: 0, approximateWorkload: 1, policy: .approximate).exact)
  }
}
