import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// SISA — Sharded, Isolated, Sliced, Aggregated training (Bourtoule et al., "Machine Unlearning",
/// IEEE S&P 2021; docs/methods.md). Exact unlearning.
///
/// The training set is split into S shards by a hash of the sample id (`ShardAssignment`), each
/// shard into R slices; one model per shard is trained incrementally over its slices with a
/// checkpoint after each (`ShardModel`). Prediction aggregates the S shard models: majority vote
/// (ties to the lowest class) or the mean of their probabilities.
///
/// Forgetting drops the samples, and in each affected shard restores the checkpoint before the
/// earliest affected slice and retrains from there; checkpoints whose prefix held a deleted sample
/// are discarded (they are replaced, and nothing persisted keeps them). All samples of one request
/// that fall in a shard cost one retraining of that shard. The result is what training the
/// affected shards from scratch on their remaining samples gives, bit for bit.
public struct SISA: UnlearningStrategy {
  public static let name = "sisa"

  public enum Aggregation: String, Sendable, Codable, CaseIterable {
    case vote
    case mean
  }

  public var configuration: ModelConfiguration
  public var assignment: ShardAssignment
  public var aggregation: Aggregation
  /// Shards trained at the same time (each on its own thread); 1 trains them one after another.
  /// The result does not depend on it: every (shard, slice) has its own seeded stream.
  public var workers: Int

  public init(
    configuration: ModelConfiguration, shards: Int = 5, slices: Int = 4, aggregation: Aggregation = .vote,
    workers: Int = 1
  ) {
    self.configuration = configuration
    self.assignment = ShardAssignment(shards: shards, slices: slices)
    self.aggregation = aggregation
    self.workers = max(1, workers)
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> SISAState
  {
    let shards = try train(
      Array(0..<assignment.shards), from: [:], shards: untrainedShards(of: training), data: training,
      sourceSHA256: sourceSHA256
    ).map(\.shard)
    progress(.subModels(done: assignment.shards))
    return SISAState(
      strategy: self, trainingSet: TrainingSet(data: training, sourceSHA256: sourceSHA256), shards: shards)
  }

  public func forget(_ request: ForgetRequest, from state: SISAState, progress: (TrainingProgress) -> Void)
    throws -> (state: SISAState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    var next = state
    let earliest = next.remove(resolution)
    let data = next.trainingSet.data
    let affected = earliest.keys.sorted()
    let retrained = try train(
      affected, from: earliest, shards: next.shards, data: data, sourceSHA256: next.trainingSet.sourceSHA256)
    var passes = 0.0
    var slicesRetrained = 0
    var parameters = 0
    for (shard, shardPasses, _) in retrained {
      next.shards[shard.index] = shard
      passes += shardPasses
      slicesRetrained += assignment.slices - earliest[shard.index]!
      parameters += shard.model?.classifier.base.parameterCount ?? 0
    }
    progress(.subModels(done: affected.count))
    let report = ForgetReport(
      strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
      skipped: resolution.skippedCount, exact: true, samplesRetrained: Int(passes.rounded()),
      parametersRetrained: parameters, seconds: (clock.now - start).seconds, remaining: data.count,
      figures: SISAReport(
        shards: assignment.shards, slices: assignment.slices, shardsRetrained: earliest.count,
        slicesRetrained: slicesRetrained
      ).figures,
      notes: resolution.rows.isEmpty ? ["nothing to forget: every id was absent and skipped"] : [])
    return (next, report)
  }

  /// The S shards of `training`, samples placed in their slices, nothing trained yet.
  func untrainedShards(of training: Dataset) -> [ShardModel] {
    var sliceIDs = [[[SampleID]]](
      repeating: [[SampleID]](repeating: [], count: assignment.slices), count: assignment.shards)
    for id in training.ids {
      let (shard, slice) = assignment.place(id)
      sliceIDs[shard][slice].append(id)
    }
    return sliceIDs.indices.map { ShardModel(index: $0, sliceIDs: sliceIDs[$0], checkpoints: [], model: nil) }
  }

  /// Trains each shard of `indices` from slice `start[index]` (0 when absent) on `data`, on up to
  /// `workers` threads. Each result carries the sample passes it made and the seconds its own
  /// training took (work time, whatever ran beside it).
  func train(
    _ indices: [Int], from start: [Int: Int], shards: [ShardModel], data: Dataset, sourceSHA256: [String]
  ) throws -> [(shard: ShardModel, passes: Double, seconds: Double)] {
    let rowOf = data.ids.offsets()
    let configuration = configuration
    return try ParallelWork.map(indices, workers: workers) { index in
      let clock = ContinuousClock()
      let begin = clock.now
      var shard = shards[index]
      let passes = try shard.train(
        from: start[index] ?? 0, data: data, rowOf: rowOf, configuration: configuration, sourceSHA256: sourceSHA256)
      return (shard, passes, (clock.now - begin).seconds)
    }
  }
}
