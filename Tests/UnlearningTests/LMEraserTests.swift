import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

@testable import Unlearning

/// LMEraser retrains only what a private sample touched: the affected cluster's prompt and head
/// equal training them anew on its remaining members, every other cluster and the backbone stay
/// bit for bit, and public samples cannot be erased.
struct LMEraserTests {
  static let configuration = ModelConfiguration(kind: .mlp, hiddenLayers: [24], epochs: 4, batchSize: 32, seed: 5)

  static func fitted() throws -> (LMEraser, LMEraserState, Dataset) {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<600))
    let strategy = LMEraser(
      configuration: configuration, split: PublicSplit(fraction: 0.25), minimumClusterSize: 40,
      maximumClusterSize: 120, headEpochs: 15, workers: 2)
    return (strategy, try strategy.fit(data, sourceSHA256: []) { _ in }, data)
  }

  @Test func clustersCoverThePrivateSamplesWithinTheirBounds() throws {
    let (strategy, state, data) = try Self.fitted()
    let (publicRows, privateRows) = strategy.split.rows(of: data)
    #expect(publicRows.count > 100 && privateRows.count > 350)
    let members = state.clusters.flatMap(\.members)
    #expect(members.count == privateRows.count && Set(members) == Set(privateRows.map { data.ids[$0] }))
    #expect(state.clusters.count >= 3, "the number of clusters follows from the data, here > 1")
    for cluster in state.clusters { #expect((40...120).contains(cluster.members.count), "cluster \(cluster.id)") }
    // The backbone saw only public samples.
    let publicIDs = publicRows.map { data.ids[$0] }
    #expect(state.backbone.fingerprint == DataFingerprint(fileSHA256: [], trainingIDs: publicIDs))
    let accuracy = zip(state.predictedLabels(for: data.features), data.labels).filter { $0 == $1 }.count
    #expect(Double(accuracy) / Double(data.count) > 0.85)
  }

  @Test func affectedClusterEqualsTrainingItAnewAndNothingElseMoves() throws {
    let (strategy, state, data) = try Self.fitted()
    let target = state.clusters[1]
    let erased = Array(target.members.prefix(2))
    let (next, report) = try strategy.forget(try ForgetRequest(ids: erased), from: state) { _ in }
    #expect(report.forgotten == 2 && !report.exact && report.report(LMEraserReport.self)?.clustersRetrained == 1)
    #expect(report.samplesRetrained == target.members.count - 2)
    #expect(report.parametersRetrained == target.part.parameterCount + target.centroid.count)
    #expect(next.backbone == state.backbone)
    for (before, after) in zip(state.clusters, next.clusters) where before.id != target.id {
      #expect(before == after, "cluster \(before.id) must be untouched")
    }
    // From scratch: the remaining members' rows, the cluster's own seed, zero start.
    let remaining = Array(target.members.dropFirst(2))
    let rowOf = Dictionary(uniqueKeysWithValues: data.ids.enumerated().map { ($1, $0) })
    let rows = remaining.map { rowOf[$0]! }
    let features = state.backbone.prepared(data.features.selectingRows(rows))
    var generator = SeededGenerator(seed: LMEraser.clusterSeed(base: Self.configuration.seed, cluster: target.id))
    let scratch = PromptedHead.train(
      features: features, labels: rows.map { data.labels[$0] }, classCount: data.classCount, backbone: state.frozen,
      settings: strategy.headTraining, using: &generator)
    let updated = try #require(next.clusters.first { $0.id == target.id })
    #expect(updated.members == remaining)
    #expect(updated.part == scratch)
    let embedding = state.frozen.embedding(of: features)
    #expect(updated.centroid == AdaptiveClustering.centroid(of: Array(0..<embedding.rows), in: embedding))
    #expect(updated.part != target.part)
    // Persisted: the erased ids appear nowhere in the state's settings or data.
    let archive = try next.archive()
    let settings = String(decoding: archive.blob("settings") ?? [], as: UTF8.self)
    for id in erased { #expect(!settings.contains("\"\(id.rawValue)\"")) }
    let reloaded = try LMEraserState(
      archive: try StateFile.decode(try StateFile.encode(archive), path: "memory"), path: "memory")
    #expect(reloaded.clusters == next.clusters && reloaded.backbone == next.backbone)
    #expect(reloaded.probabilities(for: data.features) == next.probabilities(for: data.features))
  }

  @Test func publicSamplesAreNotErasable() throws {
    let (strategy, state, data) = try Self.fitted()
    let publicID = data.ids.first(where: strategy.split.isPublic)!
    let error = try #require(throws: ForgetError.self) {
      try strategy.forget(try ForgetRequest(ids: [publicID]), from: state) { _ in }
    }
    #expect(error.code == .notErasable && error.description.contains("public"))
    #expect(!strategy.canErase(publicID))
  }

  @Test func aClusterEmptiedBelowItsBoundIsMerged() throws {
    let (strategy, state, _) = try Self.fitted()
    let target = state.clusters[0]
    let erased = Array(target.members.prefix(target.members.count - 39 + 1))  // leaves 38 < 40
    let (next, report) = try strategy.forget(try ForgetRequest(ids: erased), from: state) { _ in }
    #expect(next.clusters.count == state.clusters.count - 1)
    #expect(!next.clusters.contains { $0.id == target.id })
    #expect(
      report.report(LMEraserReport.self)?.clustersMerged == 1
        && report.report(LMEraserReport.self)?.mergeSamplesMoved == 38)
    let survivors = Set(target.members.dropFirst(erased.count))
    #expect(Set(next.clusters.flatMap(\.members)).isSuperset(of: survivors))
    #expect(next.clusters.flatMap(\.members).count == state.clusters.flatMap(\.members).count - erased.count)
    #expect(
      report.report(LMEraserReport.self)!.clustersRetrained >= 1
        && report.report(LMEraserReport.self)!.clustersMerged >= 1)
  }
}
