import UnlearnCore
import UnlearnData
import UnlearnModels

/// One SISA shard: its samples by slice, the checkpoint after each slice, and the model after the
/// last one (Bourtoule et al., "Machine Unlearning", IEEE S&P 2021).
///
/// Training is incremental: slice r trains on slices 0…r together, starting from the checkpoint
/// after slice r − 1 (logistic: a warm-started solve to the tolerance; MLP: e_r epochs with
/// e_r = ⌊(r+1)·2e/(R+1)⌋ − ⌊r·2e/(R+1)⌋, so the epochs add up to e passes over a full shard).
/// Feature scaling is fitted on the first non-empty slice only, so a deletion from a later slice
/// leaves it — and every earlier checkpoint — exactly as a run without the deleted samples would
/// have produced them. Each checkpoint carries the SHA-256 of the ids in its prefix: after a
/// deletion, the checkpoints whose prefix held a deleted id are discarded and retrained.
public struct ShardModel: Sendable, Equatable {
  public let index: Int
  /// Sample rows of the strategy's training set, per slice, in training-set order.
  public internal(set) var sliceIDs: [[SampleID]]
  /// Checkpoint r: the parameters after training on slices 0…r, and the hash of that prefix.
  public internal(set) var checkpoints: [Checkpoint]
  /// The deployed model: scaling of the first non-empty slice, parameters of the last checkpoint.
  public internal(set) var model: TrainedModel?

  public struct Checkpoint: Sendable, Equatable, Codable {
    public var parameters: [Double]
    public var prefixSHA256: String
  }

  /// The number of samples in the shard.
  public var count: Int { sliceIDs.reduce(0) { $0 + $1.count } }

  /// Whether the deployed model is what training on the shard's samples gives: every slice has
  /// its checkpoint (Hybrid's approximate path drops the ones after the first affected slice).
  public var isExact: Bool { model == nil || checkpoints.count == sliceIDs.count }

  /// The sample passes `train(from: start, ...)` would report, without training: the cost unit
  /// Hybrid's workload estimate uses (prefix sizes for the logistic solves, prefix × e_r / e for
  /// the MLP). A start at or before the first non-empty slice retrains from scratch.
  func retrainingPasses(from start: Int, configuration: ModelConfiguration) -> Double {
    guard let anchor = sliceIDs.firstIndex(where: { !$0.isEmpty }) else { return 0 }
    let first = start <= anchor ? 0 : start
    var prefix = (0..<first).reduce(0) { $0 + sliceIDs[$1].count }
    var passes = 0.0
    for r in first..<sliceIDs.count {
      prefix += sliceIDs[r].count
      switch configuration.kind {
      case .logistic: passes += Double(prefix)
      case .mlp:
        passes +=
          Double(prefix * Self.epochs(ofSlice: r, slices: sliceIDs.count, epochs: configuration.epochs))
          / Double(configuration.epochs)
      }
    }
    return passes
  }

  /// SHA-256 over the ids of slices 0…r, each followed by a newline.
  func prefixHash(through slice: Int) -> String {
    var hasher = SHA256()
    for r in 0...slice {
      for id in sliceIDs[r] { hasher.update(data: Array((id.rawValue + "\n").utf8)) }
    }
    return FileDigest.hexadecimal(hasher.finalize())
  }

  /// The epochs of slice r (0-based) out of `epochs` for R slices.
  static func epochs(ofSlice r: Int, slices: Int, epochs: Int) -> Int {
    let total = 2 * epochs
    return (r + 1) * total / (slices + 1) - r * total / (slices + 1)
  }

  /// Trains slices `from`…R−1 from checkpoint `from` − 1 (or from scratch for `from` = 0), on the
  /// samples of `data` named by `sliceIDs`. Returns the sample passes it made (samples × epochs
  /// for the MLP, prefix sizes for the logistic solves) for the report.
  @discardableResult
  mutating func train(
    from start: Int, data: Dataset, rowOf: [SampleID: Int], configuration: ModelConfiguration,
    sourceSHA256: [String]
  ) throws -> Double {
    let slices = sliceIDs.count
    checkpoints.removeSubrange(min(start, checkpoints.count)...)
    guard let anchor = sliceIDs.firstIndex(where: { !$0.isEmpty }) else {
      model = nil
      checkpoints = []
      return 0
    }
    let first = start <= anchor ? 0 : start
    if first == 0 { checkpoints = [] }
    let scalingRows = sliceIDs[anchor].map { rowOf[$0]! }
    let standardizer =
      try model.flatMap { first > 0 ? $0.standardizer : nil }
      ?? configuration.scaling.standardizer(for: data.features.selectingRows(scalingRows), datasetName: data.name)
    var prefixRows = (0..<first).flatMap { sliceIDs[$0].map { rowOf[$0]! } }
    var parameters: [Double]? = first > 0 ? checkpoints[first - 1].parameters : nil
    var passes = 0.0
    var summary = model?.summary
    for r in first..<slices {
      prefixRows += sliceIDs[r].map { rowOf[$0]! }
      if prefixRows.isEmpty {
        checkpoints.append(Checkpoint(parameters: [], prefixSHA256: prefixHash(through: r)))
        continue
      }
      let features = TrainedModel.prepare(
        data.features.selectingRows(prefixRows), standardizer: standardizer,
        normalizingRows: configuration.normalizesRows)
      let batch = LabelledBatch(
        features: features, labels: prefixRows.map { data.labels[$0] }, classCount: data.classCount)
      let fitted = try fitSlice(
        r, of: slices, on: batch, from: parameters, data: data, configuration: configuration, summary: summary)
      (parameters, summary) = (fitted.parameters, fitted.summary)
      passes += fitted.passes
      checkpoints.append(Checkpoint(parameters: parameters ?? [], prefixSHA256: prefixHash(through: r)))
    }
    let classifier = Self.classifier(parameters!, data: data, configuration: configuration)
    let ids = sliceIDs.flatMap { $0 }
    model = TrainedModel(
      configuration: configuration, standardizer: standardizer, classNames: data.classNames,
      featureNames: data.featureNames, fingerprint: DataFingerprint(fileSHA256: sourceSHA256, trainingIDs: ids),
      classifier: classifier, summary: summary!)
    return passes
  }

  /// Fits slice `r` of `slices` on `batch` (the samples of slices 0…r), warm-started from the
  /// previous checkpoint's `parameters`: the logistic model to its tolerance, the MLP for the
  /// slice's share of the epochs on its own seeded stream (so resuming at slice r replays exactly).
  /// Returns the parameters, the sample passes made and the summary (`summary`: the one so far).
  private func fitSlice(
    _ r: Int, of slices: Int, on batch: LabelledBatch, from parameters: [Double]?, data: Dataset,
    configuration: ModelConfiguration, summary: TrainingSummary?
  ) throws -> (parameters: [Double], passes: Double, summary: TrainingSummary) {
    let clock = ContinuousClock()
    let begin = clock.now
    switch configuration.kind {
    case .logistic:
      let initial = LogisticRegression(
        featureCount: data.featureCount, classCount: data.classCount,
        inverseRegularization: configuration.inverseRegularization)
      let (trained, report) = try LogisticRegressionTrainer(
        method: configuration.solver, relativeTolerance: configuration.relativeTolerance
      ).fit(initial, on: batch, from: parameters.flatMap { $0.isEmpty ? nil : $0 })
      return (trained.parameters, Double(batch.count), TrainingSummary(report, seconds: (clock.now - begin).seconds))
    case .mlp:
      var generator = SeededGenerator(seed: configuration.seed &+ UInt64(index) &* 1_000_003 &+ UInt64(r))
      var network = MLP(
        featureCount: data.featureCount, hiddenLayers: configuration.hiddenLayers, classCount: data.classCount,
        inverseRegularization: configuration.inverseRegularization, using: &generator)
      if let parameters, !parameters.isEmpty { network.parameters = parameters }
      let epochs = Self.epochs(ofSlice: r, slices: slices, epochs: configuration.epochs)
      var finalLoss = summary?.finalLoss ?? 0
      if epochs > 0 {
        let (trained, records) = AdamTrainer(
          epochs: epochs, batchSize: configuration.batchSize, learningRate: configuration.learningRate
        ).fit(network, on: batch, using: &generator)
        network = trained
        finalLoss = records.last?.meanLoss ?? finalLoss
      }
      let summary = TrainingSummary(
        method: "adam", iterations: epochs, finalLoss: finalLoss, relativeGradientNorm: nil, isConverged: true,
        seconds: (clock.now - begin).seconds)
      return (network.parameters, Double(batch.count * epochs) / Double(configuration.epochs), summary)
    }
  }

  /// The classifier `configuration` names, holding `parameters`.
  private static func classifier(_ parameters: [Double], data: Dataset, configuration: ModelConfiguration)
    -> TrainedClassifier
  {
    switch configuration.kind {
    case .logistic:
      var logistic = LogisticRegression(
        featureCount: data.featureCount, classCount: data.classCount,
        inverseRegularization: configuration.inverseRegularization)
      logistic.parameters = parameters
      return .logistic(logistic)
    case .mlp:
      var generator = SeededGenerator(seed: 0)
      var network = MLP(
        featureCount: data.featureCount, hiddenLayers: configuration.hiddenLayers, classCount: data.classCount,
        inverseRegularization: configuration.inverseRegularization, using: &generator)
      network.parameters = parameters
      return .mlp(network)
    }
  }
}
