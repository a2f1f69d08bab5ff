import UnlearnCore
import UnlearnData
import UnlearnModels

/// One cluster of private samples: its members (ids, in data order), the centroid of their
/// un-prompted embeddings, and the prompt and head trained on them alone.
public struct PrivateCluster: Sendable, Equatable {
  /// Stable across forgets (a merged cluster's id disappears); seeds the cluster's training.
  public let id: Int
  public var members: [SampleID]
  public var centroid: [Double]
  public var part: PromptedHead
}

/// LMEraser's state: the remaining samples, the frozen backbone (trained on public samples) and
/// the private clusters.
public struct LMEraserState: StrategyState {
  public var strategy: LMEraser
  public var trainingSet: TrainingSet
  /// The MLP trained on public samples, with its feature scaling; never retrained.
  public let backbone: TrainedModel
  public internal(set) var clusters: [PrivateCluster]

  init(strategy: LMEraser, trainingSet: TrainingSet, backbone: TrainedModel, clusters: [PrivateCluster]) {
    self.strategy = strategy
    self.trainingSet = trainingSet
    self.backbone = backbone
    self.clusters = clusters
  }

  public var configuration: ModelConfiguration { strategy.configuration }
  public var classNames: [String] { trainingSet.data.classNames }
  public var comparableParameters: [Double]? { nil }
  public var trainingSummary: TrainingSummary? { nil }

  var network: MLP {
    guard case .mlp(let network) = backbone.classifier else { preconditionFailure("LMEraser's backbone is an MLP") }
    return network
  }

  public var frozen: FrozenBackbone { FrozenBackbone(network) }

  /// The frozen hidden layers plus every cluster's prompt, head and centroid.
  public var parameterCount: Int {
    frozen.parameterCount + clusters.reduce(0) { $0 + $1.part.parameterCount + $1.centroid.count }
  }

  /// Un-prompted embeddings of samples by id.
  func embeddings(of ids: [SampleID]) -> Matrix {
    let data = trainingSet.data
    let rowOf = data.ids.offsets()
    return frozen.embedding(of: backbone.prepared(data.features.selectingRows(ids.map { rowOf[$0]! })))
  }

  /// Each row goes to the cluster with the nearest centroid and gets that cluster's prediction.
  public func probabilities(for features: Matrix) -> Matrix {
    guard !clusters.isEmpty else { return backbone.probabilities(for: features) }
    let prepared = backbone.prepared(features)
    let frozen = self.frozen
    let routes = AdaptiveClustering.nearestCentroids(
      frozen.embedding(of: prepared), centroids: clusters.map(\.centroid))
    var result = Matrix(rows: features.rows, columns: classNames.count)
    var rowsOf = [[Int]](repeating: [], count: clusters.count)
    for (row, cluster) in routes.enumerated() { rowsOf[cluster].append(row) }
    for (cluster, rows) in rowsOf.enumerated() where !rows.isEmpty {
      let probabilities = clusters[cluster].part.probabilities(for: prepared.selectingRows(rows), backbone: frozen)
      for (position, row) in rows.enumerated() {
        for k in 0..<result.columns { result[row, k] = probabilities[position, k] }
      }
    }
    return result
  }

  // MARK: Persistence

  struct Settings: Codable {
    var configuration: ModelConfiguration
    var split: PublicSplit
    var minimumClusterSize: Int
    var maximumClusterSize: Int
    var headEpochs: Int
    var clusters: [StoredCluster]
  }

  struct StoredCluster: Codable {
    var id: Int
    var members: [SampleID]
  }

  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: LMEraser.name)
    try archive.setJSON(
      "settings",
      Settings(
        configuration: configuration, split: strategy.split, minimumClusterSize: strategy.minimumClusterSize,
        maximumClusterSize: strategy.maximumClusterSize, headEpochs: strategy.headEpochs,
        clusters: clusters.map { StoredCluster(id: $0.id, members: $0.members) }))
    try archive.setTrainingSet("training", trainingSet)
    try archive.setModel("backbone", backbone)
    for cluster in clusters {
      archive.setDoubles("cluster\(cluster.id).part", cluster.part.parameters)
      archive.setDoubles("cluster\(cluster.id).centroid", cluster.centroid)
    }
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "settings", path: path)
    guard settings.configuration.kind == .mlp, !settings.configuration.hiddenLayers.isEmpty,
      settings.minimumClusterSize >= 1, 2 * settings.minimumClusterSize <= settings.maximumClusterSize,
      settings.headEpochs >= 1
    else { throw ModelFileError.corrupted(path, "the LMEraser settings are out of range") }
    let strategy = LMEraser(
      configuration: settings.configuration, split: settings.split, minimumClusterSize: settings.minimumClusterSize,
      maximumClusterSize: settings.maximumClusterSize, headEpochs: settings.headEpochs,
      workers: StrategyCatalog.workers)
    let trainingSet = try archive.trainingSet("training", path: path)
    let backbone = try archive.model("backbone", path: path)
    guard case .mlp(let network) = backbone.classifier, network.layerCount >= 2 else {
      throw ModelFileError.corrupted(path, "the LMEraser backbone is not an MLP with a hidden layer")
    }
    let present = Set(trainingSet.data.ids)
    var clusters: [PrivateCluster] = []
    for stored in settings.clusters {
      guard stored.members.allSatisfy(present.contains) else {
        throw ModelFileError.corrupted(path, "cluster \(stored.id) names samples the training set does not hold")
      }
      var part = PromptedHead(
        inputCount: network.featureCount, embeddingCount: network.widths[network.layerCount - 1],
        classCount: trainingSet.data.classCount)
      part.parameters = try archive.doubles("cluster\(stored.id).part", count: part.parameterCount, path: path)
      let centroid = try archive.doubles(
        "cluster\(stored.id).centroid", count: network.widths[network.layerCount - 1], path: path)
      clusters.append(PrivateCluster(id: stored.id, members: stored.members, centroid: centroid, part: part))
    }
    self.init(strategy: strategy, trainingSet: trainingSet, backbone: backbone, clusters: clusters)
  }
}
