import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// LMEraser (Xu et al., "LMEraser: Large Model Unlearning through Adaptive Prompt Tuning", arXiv
/// 2404.11056; docs/methods.md): only a small, local part of the model ever sees private data, so
/// only that part is retrained when a private sample is erased.
///
/// - Public samples (`PublicSplit`) train the backbone — an MLP of the configured widths — which is
///   then frozen: φ(x) is its last hidden layer. Public samples are never deletion targets.
/// - Private samples are embedded with the frozen backbone (un-prompted) and partitioned by
///   `AdaptiveClustering` into clusters of `minimumClusterSize`…`maximumClusterSize` samples.
/// - Each cluster gets a `PromptedHead` — an additive input prompt and a linear head — trained on
///   that cluster's private samples only, from zero, with its own seeded stream.
/// - Prediction routes each sample to the cluster with the nearest centroid (mean of its members'
///   un-prompted embeddings) and uses that cluster's prompt and head. With no private samples left
///   it falls back to the backbone network's own output layer (public data only).
///
/// Forgetting drops the samples, recomputes each affected cluster's centroid and retrains its
/// prompt and head from scratch on its remaining members (the same result as training that
/// cluster anew, bit for bit). A cluster left under the minimum is merged: its members join their
/// nearest other clusters, which are retrained too (the report gives the merge's cost). The
/// backbone and every other cluster are untouched. The result is reported as approximate: every
/// retrained part never saw the erased samples and the backbone never saw private data, but the
/// partition itself was computed at fit with them present.
public struct LMEraser: UnlearningStrategy {
  public static let name = "lmeraser"

  /// The backbone's architecture and training (kind must be `.mlp`, with hidden layers); C is
  /// also the heads' regularization, the batch size theirs.
  public let configuration: ModelConfiguration
  public let split: PublicSplit
  public let minimumClusterSize: Int
  public let maximumClusterSize: Int
  /// Epochs of Adam for each cluster's prompt and head.
  public let headEpochs: Int
  /// Threads for training clusters; the result does not depend on it.
  let workers: Int

  /// Heads start at zero and see a few hundred samples each: a larger step than the backbone's.
  public static let headLearningRate = 0.01

  public init(
    configuration: ModelConfiguration, split: PublicSplit, minimumClusterSize: Int = 100,
    maximumClusterSize: Int = 1000, headEpochs: Int = 20, workers: Int = 1
  ) {
    precondition(configuration.kind == .mlp && !configuration.hiddenLayers.isEmpty, "LMEraser needs an MLP backbone")
    precondition(minimumClusterSize >= 1 && 2 * minimumClusterSize <= maximumClusterSize, "need 1 ≤ min ≤ max/2")
    precondition(headEpochs >= 1, "heads need at least one epoch")
    self.configuration = configuration
    self.split = split
    self.minimumClusterSize = minimumClusterSize
    self.maximumClusterSize = maximumClusterSize
    self.headEpochs = headEpochs
    self.workers = workers
  }

  /// Public samples are never deletion targets.
  public func canErase(_ id: SampleID) -> Bool { !split.isPublic(id) }

  var headTraining: HeadTraining {
    HeadTraining(
      epochs: headEpochs, batchSize: configuration.batchSize, learningRate: Self.headLearningRate,
      inverseRegularization: configuration.inverseRegularization)
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> LMEraserState
  {
    let (publicRows, privateRows) = split.rows(of: training)
    guard !publicRows.isEmpty else {
      throw StrategyError(
        "lmeraser: no public samples to train the backbone on; raise --public-fraction or "
          + "list public ids with --public FILE")
    }
    guard !privateRows.isEmpty else {
      throw StrategyError(
        "lmeraser: every sample is public, so there is nothing private to cluster; lower "
          + "--public-fraction")
    }
    let backbone = try ModelTrainer(configuration: configuration).train(
      on: training.subset(rows: publicRows), dataFileSHA256: sourceSHA256, progress: progress)
    var state = LMEraserState(
      strategy: self, trainingSet: TrainingSet(data: training, sourceSHA256: sourceSHA256), backbone: backbone,
      clusters: [])
    let embeddings = state.frozen.embedding(of: backbone.prepared(training.features.selectingRows(privateRows)))
    let groups = AdaptiveClustering(
      minimumSize: minimumClusterSize, maximumSize: maximumClusterSize, seed: configuration.seed
    ).clusters(of: embeddings)
    state.clusters = try train(
      groups.enumerated().map { (id: $0, members: $1.map { training.ids[privateRows[$0]] }) }, in: state)
    return state
  }

  public func forget(_ request: ForgetRequest, from state: LMEraserState, progress: (TrainingProgress) -> Void)
    throws -> (state: LMEraserState, report: ForgetReport)
  {
    let start = ContinuousClock.now
    let resolution = try state.trainingSet.resolve(request)
    let publicIDs = resolution.ids.filter(split.isPublic)
    if !publicIDs.isEmpty {
      throw ForgetError.notErasable(
        publicIDs,
        reason: "public sample\(publicIDs.count == 1 ? "" : "s"): LMEraser's frozen backbone was trained on "
          + "public data, which is never a deletion target; remove only private samples")
    }
    var next = state
    next.trainingSet.remove(resolution)
    let erased = Set(resolution.ids)
    var clusters = state.clusters.map { cluster in
      var cluster = cluster
      cluster.members.removeAll { erased.contains($0) }
      return cluster
    }
    var affected = Set(state.clusters.indices.filter { state.clusters[$0].members.contains(where: erased.contains) })
    // Affected centroids without the erased samples first: merges route by them.
    for index in affected where !clusters[index].members.isEmpty {
      let embeddings = next.embeddings(of: clusters[index].members)
      clusters[index].centroid = AdaptiveClustering.centroid(of: Array(0..<embeddings.rows), in: embeddings)
    }
    // Merge clusters left under the minimum into their members' nearest other clusters.
    var merged = 0
    var moved = 0
    while let small = clusters.indices.first(where: {
      affected.contains($0) && clusters[$0].members.count < minimumClusterSize && clusters.count > 1
    }) {
      let members = clusters[small].members
      clusters.remove(at: small)
      affected = Set(affected.compactMap { $0 == small ? nil : ($0 > small ? $0 - 1 : $0) })
      merged += 1
      moved += members.count
      guard !members.isEmpty else { continue }
      let embeddings = next.embeddings(of: members)
      let targets = AdaptiveClustering.nearestCentroids(embeddings, centroids: clusters.map(\.centroid))
      for (member, target) in zip(members, targets) {
        clusters[target].members.append(member)
        affected.insert(target)
      }
    }
    if clusters.count == 1 && clusters[0].members.isEmpty { clusters = [] }
    let order = next.trainingSet.data.ids.offsets()
    for index in affected where index < clusters.count {
      clusters[index].members.sort { order[$0]! < order[$1]! }
    }
    let retrain = affected.sorted().filter { $0 < clusters.count }
    next.clusters = clusters
    let retrained = try train(retrain.map { (id: clusters[$0].id, members: clusters[$0].members) }, in: next)
    for (index, cluster) in zip(retrain, retrained) { next.clusters[index] = cluster }

    let partParameters = retrained.reduce(0) { $0 + $1.part.parameterCount + $1.centroid.count }
    var notes = [
      "retrained \(retrained.count) of \(next.clusters.count) clusters' prompts and heads; backbone untouched",
      "approximate: retrained parts never saw the erased samples, but the clusters were formed at fit with them",
    ]
    if merged > 0 { notes.append("merged \(merged) cluster(s) under \(minimumClusterSize) samples, moving \(moved)") }
    let report = ForgetReport(
      strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
      skipped: resolution.skippedCount, exact: false,
      samplesRetrained: retrained.reduce(0) { $0 + $1.members.count }, parametersRetrained: partParameters,
      seconds: (ContinuousClock.now - start).seconds, remaining: next.trainingSet.data.count,
      figures: LMEraserReport(
        clusters: next.clusters.count, clustersRetrained: retrained.count, clustersMerged: merged,
        mergeSamplesMoved: moved, modelParameters: next.parameterCount,
        parameterFractionRetrained: Double(partParameters) / Double(next.parameterCount)
      ).figures, notes: notes)
    return (next, report)
  }

  /// The seed of cluster `cluster`'s training stream.
  public static func clusterSeed(base: UInt64, cluster: Int) -> UInt64 {
    base &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(cluster + 1)
  }

  /// Trains each cluster's prompt and head from zero on its members (in data order), with the
  /// cluster's own stream: seed ⊕ id, so retraining one cluster replays exactly.
  func train(_ groups: [(id: Int, members: [SampleID])], in state: LMEraserState) throws -> [PrivateCluster] {
    let data = state.trainingSet.data
    let rowOf = data.ids.offsets()
    let frozen = state.frozen
    let backbone = state.backbone
    let settings = headTraining
    let seed = configuration.seed
    return try ParallelWork.map(Array(groups.indices), workers: workers) { index in
      let (id, members) = groups[index]
      let rows = members.map { rowOf[$0]! }
      let features = backbone.prepared(data.features.selectingRows(rows))
      var generator = SeededGenerator(seed: Self.clusterSeed(base: seed, cluster: id))
      let part = PromptedHead.train(
        features: features, labels: rows.map { data.labels[$0] }, classCount: data.classCount, backbone: frozen,
        settings: settings, using: &generator)
      let embedding = frozen.embedding(of: features)
      let centroid = AdaptiveClustering.centroid(of: Array(0..<embedding.rows), in: embedding)
      return PrivateCluster(id: id, members: members, centroid: centroid, part: part)
    }
  }
}
