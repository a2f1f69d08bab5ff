import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

/// SISA is exact: after a deletion, each affected shard is what training it from scratch on its
/// remaining samples gives, and nothing kept still depends on a deleted sample.
struct SISATests {
  static let configurations = [
    ModelConfiguration(kind: .logistic, seed: 2),
    ModelConfiguration(kind: .mlp, hiddenLayers: [16], epochs: 4, batchSize: 32, seed: 2),
  ]

  static func data() throws -> Dataset {
    try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<400))
  }

  @Test(arguments: configurations)
  func affectedShardsEqualTrainingFromScratch(_ configuration: ModelConfiguration) throws {
    let data = try Self.data()
    let strategy = SISA(configuration: configuration, shards: 3, slices: 4)
    let state = try strategy.fit(data, sourceSHA256: []) { _ in }
    let ids = RetrainTests.randomIDs(4, of: data, seed: 21)
    let (unlearned, report) = try strategy.forget(try ForgetRequest(ids: ids), from: state) { _ in }
    #expect(report.exact && report.forgotten == 4)

    // From scratch on the remaining samples: the same strategy fitted on D \ F.
    let forgotten = Set(ids)
    let reduced = data.subset(rows: data.ids.indices.filter { !forgotten.contains(data.ids[$0]) })
    let scratch = try strategy.fit(reduced, sourceSHA256: []) { _ in }
    let affected = Set(ids.map { strategy.assignment.place($0).shard })
    for index in 0..<3 {
      #expect(unlearned.shards[index].model?.classifier == scratch.shards[index].model?.classifier, "shard \(index)")
      #expect(unlearned.shards[index].checkpoints == scratch.shards[index].checkpoints, "shard \(index)")
      if !affected.contains(index) {
        #expect(unlearned.shards[index] == state.shards[index], "untouched shard \(index) changed")
        #expect(report.report(SISAReport.self)?.shards == 3)
      }
    }
    #expect(report.report(SISAReport.self)?.shardsRetrained == affected.count)
    #expect(unlearned.predictedLabels(for: data.features) == scratch.predictedLabels(for: data.features))
  }

  @Test func assignmentIsStableAcrossRunsAndOrders() throws {
    let assignment = ShardAssignment(shards: 5, slices: 4)
    // Pinned: a change here would move every stored sample to another shard.
    #expect(assignment.place("0") == assignment.place(SampleID("0")))
    let places = (0..<200).map { assignment.place(SampleID(row: $0)) }
    #expect(Set(places.map(\.shard)) == Set(0..<5) && Set(places.map(\.slice)) == Set(0..<4))
    let data = try Self.data()
    let strategy = SISA(configuration: ModelConfiguration(kind: .logistic, seed: 1), shards: 4, slices: 2)
    let forward = try strategy.fit(data, sourceSHA256: []) { _ in }
    let reversed = try strategy.fit(data.subset(rows: Array((0..<data.count).reversed())), sourceSHA256: []) { _ in }
    for index in 0..<4 {
      #expect(Set(forward.shards[index].sliceIDs.flatMap { $0 }) == Set(reversed.shards[index].sliceIDs.flatMap { $0 }))
    }
  }

  /// The persisted state holds no checkpoint whose prefix held a deleted id: every stored
  /// checkpoint's hash matches the ids that remain in its slices (checked on reading), and the
  /// deleted ids appear in no slice.
  @Test func persistedCheckpointsHoldNoDeletedSample() throws {
    let data = try Self.data()
    let strategy = SISA(configuration: ModelConfiguration(kind: .logistic, seed: 1), shards: 2, slices: 3)
    let state = try strategy.fit(data, sourceSHA256: []) { _ in }
    let ids = RetrainTests.randomIDs(3, of: data, seed: 5)
    let unlearned = try state.forgetting(try ForgetRequest(ids: ids)).state
    let bytes = try StateFile.encode(try unlearned.archive())
    let read = try #require(
      try StrategyCatalog.state(from: try StateFile.decode(bytes, path: "s"), path: "s") as? SISAState)
    for shard in read.shards {
      for id in ids { #expect(!shard.sliceIDs.flatMap { $0 }.contains(id)) }
    }
    #expect(read.shards == unlearned.shards)
    let settings = String(
      decoding: try #require(try StateFile.decode(bytes, path: "s").blob("settings")), as: UTF8.self)
    for id in ids { #expect(!settings.contains("\"\(id.rawValue)\"")) }
    // Old checkpoints (trained with the deleted samples) are gone: hashes differ from the original.
    let before = Set(state.shards.flatMap { $0.checkpoints.map(\.prefixSHA256) })
    let after = Set(read.shards.flatMap { $0.checkpoints.map(\.prefixSHA256) })
    let touched = Set(ids.map { strategy.assignment.place($0) }.map(\.shard))
    for index in touched {
      let firstSlice = ids.map { strategy.assignment.place($0) }.filter { $0.shard == index }.map(\.slice).min()!
      for r in firstSlice..<3 { #expect(!before.contains(read.shards[index].checkpoints[r].prefixSHA256)) }
    }
    #expect(!after.isEmpty)
  }
}

extension SISATests {
  /// Training shards on two threads gives the same models as one after another.
  @Test(arguments: configurations)
  func parallelShardsGiveTheSameState(_ configuration: ModelConfiguration) throws {
    let data = try Self.data()
    let ids = RetrainTests.randomIDs(6, of: data, seed: 3)
    var results: [SISAState] = []
    for workers in [1, 2] {
      let strategy = SISA(configuration: configuration, shards: 4, slices: 2, workers: workers)
      let fitted = try strategy.fit(data, sourceSHA256: []) { _ in }
      results.append(try strategy.forget(try ForgetRequest(ids: ids), from: fitted) { _ in }.state)
    }
    for index in 0..<4 {
      #expect(results[0].shards[index].checkpoints == results[1].shards[index].checkpoints)
      #expect(results[0].shards[index].model?.classifier == results[1].shards[index].model?.classifier)
    }
  }
}
