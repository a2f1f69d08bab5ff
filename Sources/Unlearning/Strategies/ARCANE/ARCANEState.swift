import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// ARCANE's state: the remaining samples and one `ClassModel` per class.
public struct ARCANEState: StrategyState {
  public var strategy: ARCANE
  public var trainingSet: TrainingSet
  public internal(set) var classes: [ClassModel]

  public init(strategy: ARCANE, trainingSet: TrainingSet, classes: [ClassModel]) {
    self.strategy = strategy
    self.trainingSet = trainingSet
    self.classes = classes
  }

  public var configuration: ModelConfiguration { strategy.configuration }
  public var classNames: [String] { trainingSet.data.classNames }
  public var comparableParameters: [Double]? { nil }
  /// The classifiers' parameters plus each Gaussian's mean, scale and factor.
  public var parameterCount: Int {
    classes.reduce(0) { total, model in
      let d = model.reference?.mean.count ?? 0
      return total + (model.learner.model?.classifier.base.parameterCount ?? 0)
        + (model.reference == nil ? 0 : 2 * d + d * (d + 1) / 2)
    }
  }
  public var trainingSummary: TrainingSummary? { nil }

  /// The share of the remaining samples kept by the representative selection.
  public var keptFraction: Double {
    let kept = classes.reduce(0) { $0 + $1.blocks.reduce(0) { $0 + $1.count } }
    return Double(kept) / Double(max(1, trainingSet.data.count))
  }

  /// softmax_c(log p̂(x | c) + log π_c); a class without samples gets probability 0.
  public func probabilities(for features: Matrix) -> Matrix {
    let total = Double(classes.reduce(0) { $0 + $1.order.count })
    var scores = Matrix(rows: features.rows, columns: classNames.count, repeating: -.infinity)
    for model in classes {
      guard let density = model.logDensity(of: features) else { continue }
      let prior = log(Double(model.order.count) / total)
      for i in 0..<features.rows { scores[i, model.classIndex] = density[i] + prior }
    }
    for i in 0..<scores.rows {
      var largest = -Double.infinity
      for k in 0..<scores.columns { largest = max(largest, scores[i, k]) }
      var sum = 0.0
      for k in 0..<scores.columns {
        scores[i, k] = exp(scores[i, k] - largest)
        sum += scores[i, k]
      }
      for k in 0..<scores.columns { scores[i, k] /= sum }
    }
    return scores
  }

  // MARK: Persistence

  struct Settings: Codable {
    var blocks: Int
    var redundancy: Double
    /// Absent in states written before the selection had a floor (they keep the raw cosine rule).
    var selectionFloor: Int?
    /// Absent in states written before only sparse features were floored (they floor every one).
    var referenceScaleFloor: ReferenceGaussian.ScaleFloor?
    var configuration: ModelConfiguration
    /// Given deletion likelihoods of remaining samples, by id.
    var likelihoods: [String: Double]
    /// Per class: checkpoint hashes and parameter counts (the blocks are recomputed from the data).
    var checkpoints: [[Checkpoint]]
  }

  struct Checkpoint: Codable {
    var prefixSHA256: String
    var parameterCount: Int
  }

  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: ARCANE.name)
    try archive.setJSON(
      "settings",
      Settings(
        blocks: strategy.blocks, redundancy: strategy.redundancy, selectionFloor: strategy.selectionFloor,
        referenceScaleFloor: strategy.referenceScaleFloor, configuration: configuration,
        likelihoods: Dictionary(uniqueKeysWithValues: strategy.likelihood.given.map { ($0.key.rawValue, $0.value) }),
        checkpoints: classes.map { model in
          model.learner.checkpoints.map {
            Checkpoint(prefixSHA256: $0.prefixSHA256, parameterCount: $0.parameters.count)
          }
        }))
    try archive.setTrainingSet("training", trainingSet)
    for model in classes {
      if let learner = model.learner.model { try archive.setModel("class\(model.classIndex).model", learner) }
      for (b, checkpoint) in model.learner.checkpoints.enumerated() {
        archive.setDoubles("class\(model.classIndex).checkpoint\(b)", checkpoint.parameters)
      }
    }
    return archive
  }

  /// Reads a stored state: the blocks and reference Gaussians are recomputed from the remaining
  /// samples (deterministically), the checkpoints read and checked against the recomputed blocks.
  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "settings", path: path)
    let trainingSet = try archive.trainingSet("training", path: path)
    let data = trainingSet.data
    guard settings.blocks >= 1, settings.checkpoints.count == data.classCount else {
      throw ModelFileError.corrupted(path, "the ARCANE layout does not match the classes of its training set")
    }
    var strategy = ARCANE(
      configuration: settings.configuration, blocks: settings.blocks, redundancy: settings.redundancy,
      likelihood: DeletionLikelihood(
        Dictionary(uniqueKeysWithValues: settings.likelihoods.map { (SampleID($0.key), $0.value) })))
    strategy.selectionFloor = settings.selectionFloor
    strategy.referenceScaleFloor = settings.referenceScaleFloor ?? .everyFeature
    let rowOf = data.ids.offsets()
    var classes: [ClassModel] = []
    for (c, order) in strategy.orders(of: data).enumerated() {
      var model = ClassModel(
        classIndex: c, order: order,
        blocks: ClassModel.blocks(
          of: order, features: data.features, rowOf: rowOf, selection: strategy.selection,
          likelihood: strategy.likelihood, blockCount: strategy.blocks))
      try model.restore(
        data: data, rowOf: rowOf, configuration: settings.configuration, scaleFloor: strategy.referenceScaleFloor)
      model.learner.checkpoints = try settings.checkpoints[c].enumerated().map { b, stored in
        ShardModel.Checkpoint(
          parameters: try archive.doubles("class\(c).checkpoint\(b)", count: stored.parameterCount, path: path),
          prefixSHA256: stored.prefixSHA256)
      }
      for (b, checkpoint) in model.learner.checkpoints.enumerated()
      where checkpoint.prefixSHA256 != model.learner.prefixHash(through: b) {
        throw ModelFileError.corrupted(path, "class \(c) checkpoint \(b) does not match the samples of its blocks")
      }
      if archive.blob("class\(c).model") != nil {
        model.learner.model = try archive.model("class\(c).model", path: path)
      }
      classes.append(model)
    }
    self.init(strategy: strategy, trainingSet: trainingSet, classes: classes)
  }
}
