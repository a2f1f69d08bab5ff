import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// ARCANE (Yan et al., "ARCANE: An Efficient Architecture for Exact Machine Unlearning", IJCAI
/// 2022; docs/methods.md). Exact unlearning by class: one sub-model per class, trained on that class's
/// samples only, so a deletion retrains at most its own class's model.
///
/// - Partition, one-class rather than one-vs-rest: a one-vs-rest model of class c trains on every
///   other class as negatives, so any deletion would touch all K models. Each `ClassModel` instead
///   estimates the class density log p(x | c) from its own samples (a shrunk Gaussian refined by a
///   classifier of the configured kind, trained against draws of that Gaussian). Prediction takes
///   argmax_c log p(x | c) + log π_c with π_c the class's share of the remaining samples — counts
///   only, so untouched classes stay untouched.
/// - Representative data selection (`RepresentativeSelection`): inside a class, past a floor of
///   samples always kept, samples whose standardized direction repeats a kept one are skipped.
///   Deleting a skipped sample retrains nothing; the selection is refreshed and shown unchanged.
/// - Training-state saving: kept samples train in B blocks with a checkpoint after each
///   (`ShardModel`), so a deletion restores the checkpoint before its block.
/// - Sorting (`DeletionLikelihood`): samples go to block ⌊ℓ·B⌋ by their deletion likelihood ℓ,
///   least likely first, so likely deletions restore late checkpoints and are skipped by the
///   selection more often.
///
/// The result after a deletion is what fitting ARCANE from scratch on the remaining samples gives,
/// bit for bit (same seed): every step above is a deterministic function of the remaining samples.
public struct ARCANE: UnlearningStrategy {
  public static let name = "arcane"

  public var configuration: ModelConfiguration
  /// Blocks B per class.
  public var blocks: Int
  /// `RepresentativeSelection`'s cosine threshold.
  public var redundancy: Double
  public var likelihood: DeletionLikelihood
  /// Classes trained at the same time; the result does not depend on it.
  public var workers: Int
  /// `RepresentativeSelection`'s floor: the first samples of each class always kept (nil: the raw
  /// cosine rule of states written before the floor existed).
  public var selectionFloor: Int? = RepresentativeSelection.defaultFloor
  /// Which features of a class's reference Gaussian have their scale floored
  /// (`.everyFeature` for states written before the rule was `.sparseFeatures`).
  var referenceScaleFloor = ReferenceGaussian.ScaleFloor.sparseFeatures

  public init(
    configuration: ModelConfiguration, blocks: Int = 4, redundancy: Double = 0.95,
    likelihood: DeletionLikelihood = DeletionLikelihood(), workers: Int = 1
  ) {
    precondition(blocks >= 1, "ARCANE needs at least one block")
    self.configuration = configuration
    self.blocks = blocks
    self.redundancy = redundancy
    self.likelihood = likelihood
    self.workers = max(1, workers)
  }

  var selection: RepresentativeSelection { RepresentativeSelection(threshold: redundancy, floor: selectionFloor) }

  /// Each class's samples in training order.
  func orders(of data: Dataset) -> [[SampleID]] {
    var members = [[SampleID]](repeating: [], count: data.classCount)
    for (row, id) in data.ids.enumerated() { members[data.labels[row]].append(id) }
    return members.map { likelihood.ordered($0) }
  }

  public func fit(_ training: Dataset, sourceSHA256: [String], progress: (TrainingProgress) -> Void) throws
    -> ARCANEState
  {
    var strategy = self
    let trainingIDs = Set(training.ids)
    strategy.likelihood = DeletionLikelihood(likelihood.given.filter { trainingIDs.contains($0.key) })
    let rowOf = training.ids.offsets()
    let orders = orders(of: training)
    let classes = try ParallelWork.map(Array(0..<training.classCount), workers: workers) { [strategy] c in
      var model = ClassModel(
        classIndex: c, order: orders[c],
        blocks: ClassModel.blocks(
          of: orders[c], features: training.features, rowOf: rowOf, selection: strategy.selection,
          likelihood: strategy.likelihood, blockCount: strategy.blocks))
      try model.train(
        from: 0, data: training, rowOf: rowOf, configuration: strategy.configuration,
        scaleFloor: strategy.referenceScaleFloor, sourceSHA256: sourceSHA256)
      return model
    }
    progress(.subModels(done: classes.count))
    return ARCANEState(
      strategy: strategy, trainingSet: TrainingSet(data: training, sourceSHA256: sourceSHA256), classes: classes)
  }

  public func forget(_ request: ForgetRequest, from state: ARCANEState, progress: (TrainingProgress) -> Void)
    throws -> (state: ARCANEState, report: ForgetReport)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let resolution = try state.trainingSet.resolve(request)
    var removedByClass: [Int: Set<SampleID>] = [:]
    for (row, id) in zip(resolution.rows, resolution.ids) {
      removedByClass[state.trainingSet.data.labels[row], default: []].insert(id)
    }
    var next = state
    next.trainingSet.remove(resolution)
    next.strategy.likelihood.remove(resolution.ids)
    let data = next.trainingSet.data
    let rowOf = data.ids.offsets()
    let strategy = next.strategy
    let sourceSHA256 = next.trainingSet.sourceSHA256
    let before = state.classes
    let affected = removedByClass.keys.sorted()
    let removedFrom = removedByClass
    let updates = try ParallelWork.map(affected, workers: workers) { c in
      var model = before[c]
      let removed = removedFrom[c]!
      model.order.removeAll { removed.contains($0) }
      // The refreshed selection: unchanged when only skipped samples went.
      let refreshed = ClassModel.blocks(
        of: model.order, features: data.features, rowOf: rowOf, selection: strategy.selection,
        likelihood: strategy.likelihood, blockCount: strategy.blocks)
      guard let earliest = refreshed.indices.first(where: { refreshed[$0] != model.blocks[$0] }) else {
        return (model: model, from: Int?.none, passes: 0.0)
      }
      model.blocks = refreshed
      let passes = try model.train(
        from: earliest, data: data, rowOf: rowOf, configuration: strategy.configuration,
        scaleFloor: strategy.referenceScaleFloor, sourceSHA256: sourceSHA256)
      return (model: model, from: Int?.some(earliest), passes: passes)
    }
    var passes = 0.0
    var classesRetrained = 0
    var blocksRetrained = 0
    var parameters = 0
    for update in updates {
      next.classes[update.model.classIndex] = update.model
      passes += update.passes
      if let from = update.from {
        classesRetrained += 1
        blocksRetrained += strategy.blocks - from
        parameters += update.model.learner.model?.classifier.base.parameterCount ?? 0
      }
    }
    progress(.subModels(done: affected.count))
    var notes: [String] = []
    if resolution.rows.isEmpty { notes.append("nothing to forget: every id was absent and skipped") }
    if classesRetrained < affected.count {
      notes.append(
        "\(affected.count - classesRetrained) of \(affected.count) affected classes lost only samples "
          + "outside their representative selection: selection refreshed, nothing retrained")
    }
    let report = ForgetReport(
      strategy: Self.name, requested: request.ids.count, forgotten: resolution.rows.count,
      skipped: resolution.skippedCount, exact: true, samplesRetrained: Int(passes.rounded()),
      parametersRetrained: parameters, seconds: (clock.now - start).seconds, remaining: data.count,
      figures: ARCANEReport(
        blocks: strategy.blocks, classesAffected: affected.count, classesRetrained: classesRetrained,
        blocksRetrained: blocksRetrained, keptFraction: next.keptFraction
      ).figures,
      notes: notes)
    return (next, report)
  }
}
