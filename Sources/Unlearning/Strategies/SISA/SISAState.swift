import UnlearnCore
import UnlearnData
import UnlearnModels

/// SISA's state: the remaining samples and the S shard models with their slice checkpoints.
public struct SISAState: StrategyState {
  public var strategy: SISA
  public var trainingSet: TrainingSet
  public internal(set) var shards: [ShardModel]

  public var configuration: ModelConfiguration { strategy.configuration }
  public var classNames: [String] { trainingSet.data.classNames }
  /// An ensemble has no single parameter vector to compare with a retrained model.
  public var comparableParameters: [Double]? { nil }
  public var parameterCount: Int { shards.reduce(0) { $0 + ($1.model?.classifier.base.parameterCount ?? 0) } }
  public var trainingSummary: TrainingSummary? { nil }

  /// Aggregated class probabilities: the mean of the shard models' probabilities, or the share of
  /// shard votes for each class (ties go to the lowest class when labels are taken).
  public func probabilities(for features: Matrix) -> Matrix {
    let models = shards.compactMap(\.model)
    precondition(!models.isEmpty, "SISA has no trained shard")
    var total = Matrix(rows: features.rows, columns: classNames.count)
    for model in models {
      let probabilities = model.probabilities(for: features)
      switch strategy.aggregation {
      case .mean:
        for i in 0..<features.rows { for k in 0..<total.columns { total[i, k] += probabilities[i, k] } }
      case .vote:
        for (i, label) in probabilities.indicesOfRowMaxima().enumerated() { total[i, label] += 1 }
      }
    }
    let scale = 1 / Double(models.count)
    return Matrix(rows: total.rows, columns: total.columns, elements: total.elements.map { $0 * scale })
  }

  /// Drops the resolved samples from the training set and from their slices; returns the
  /// earliest affected slice of every affected shard.
  mutating func remove(_ resolution: TrainingSet.Resolution) -> [Int: Int] {
    trainingSet.remove(resolution)
    var earliest: [Int: Int] = [:]
    for id in resolution.ids {
      let (shard, slice) = strategy.assignment.place(id)
      earliest[shard] = min(earliest[shard] ?? slice, slice)
      shards[shard].sliceIDs[slice].removeAll { $0 == id }
    }
    return earliest
  }

  // MARK: Persistence

  struct Settings: Codable {
    var shards: Int
    var slices: Int
    var aggregation: SISA.Aggregation
    var configuration: ModelConfiguration
    /// Per shard: sample ids per slice and the checkpoint hashes.
    var layout: [ShardLayout]
  }

  struct ShardLayout: Codable {
    var sliceIDs: [[SampleID]]
    var checkpointHashes: [String]
    var parameterCounts: [Int]
  }

  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: SISA.name)
    try archive.setJSON(
      "settings",
      Settings(
        shards: strategy.assignment.shards, slices: strategy.assignment.slices, aggregation: strategy.aggregation,
        configuration: configuration,
        layout: shards.map { shard in
          ShardLayout(
            sliceIDs: shard.sliceIDs, checkpointHashes: shard.checkpoints.map(\.prefixSHA256),
            parameterCounts: shard.checkpoints.map(\.parameters.count))
        }))
    try archive.setTrainingSet("training", trainingSet)
    for shard in shards {
      if let model = shard.model { try archive.setModel("shard\(shard.index).model", model) }
      for (r, checkpoint) in shard.checkpoints.enumerated() {
        archive.setDoubles("shard\(shard.index).checkpoint\(r)", checkpoint.parameters)
      }
    }
    return archive
  }

  public init(strategy: SISA, trainingSet: TrainingSet, shards: [ShardModel]) {
    self.strategy = strategy
    self.trainingSet = trainingSet
    self.shards = shards
  }

  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "settings", path: path)
    guard settings.layout.count == settings.shards, settings.shards >= 1, settings.slices >= 1 else {
      throw ModelFileError.corrupted(path, "the SISA layout does not match its shard count")
    }
    var shards: [ShardModel] = []
    for (index, layout) in settings.layout.enumerated() {
      let checkpoints = try layout.checkpointHashes.indices.map { r in
        ShardModel.Checkpoint(
          parameters: try archive.doubles(
            "shard\(index).checkpoint\(r)", count: layout.parameterCounts[r], path: path),
          prefixSHA256: layout.checkpointHashes[r])
      }
      let model =
        archive.blob("shard\(index).model") == nil ? nil : try archive.model("shard\(index).model", path: path)
      let shard = ShardModel(index: index, sliceIDs: layout.sliceIDs, checkpoints: checkpoints, model: model)
      for (r, checkpoint) in checkpoints.enumerated() where checkpoint.prefixSHA256 != shard.prefixHash(through: r) {
        throw ModelFileError.corrupted(path, "shard \(index) checkpoint \(r) does not match the ids of its slices")
      }
      shards.append(shard)
    }
    self.init(
      strategy: SISA(
        configuration: settings.configuration, shards: settings.shards, slices: settings.slices,
        aggregation: settings.aggregation, workers: StrategyCatalog.workers),
      trainingSet: try archive.trainingSet("training", path: path), shards: shards)
  }
}
