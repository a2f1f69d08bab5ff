import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// One ARCANE sub-model: the one-class model of a single class, trained on that class's samples
/// only (Yan et al., "ARCANE: An Efficient Architecture for Exact Machine Unlearning", IJCAI 2022).
///
/// It estimates log p(x | c) as log q_c(x) + f_c(x):
/// - q_c is a `ReferenceGaussian` fitted on the first non-empty block (the samples least likely
///   to be deleted), so deleting from a later block leaves it unchanged;
/// - f_c is a classifier of the configured kind (logistic or MLP) trained by noise-contrastive
///   estimation (Gutmann & Hyvärinen, AISTATS 2010) to tell the class's kept samples (label
///   "member") from as many draws of q_c (label "reference", a seeded stream per block). At the
///   optimum its logit is log p(x|c)/q_c(x), so the sum estimates the class density. The logit is
///   clamped to ±30, where the two probabilities stop being representable.
///
/// f_c trains over the blocks like a SISA shard over its slices (`ShardModel`: incremental, a
/// checkpoint after each block keyed by the hash of the ids in its prefix), so a deletion in
/// block b restores the checkpoint before b and retrains from there.
public struct ClassModel: Sendable, Equatable {
  public let classIndex: Int
  /// The class's remaining samples in training order (`DeletionLikelihood.ordered`).
  public internal(set) var order: [SampleID]
  /// The kept (representative) samples, by block, in training order.
  public internal(set) var blocks: [[SampleID]]
  /// q_c; nil when the class has no samples left.
  var reference: ReferenceGaussian?
  /// f_c, trained over blocks of kept samples plus reference draws.
  public internal(set) var learner: ShardModel

  /// Labels of the contrastive problem.
  static let contrastClasses = ["reference", "member"]
  static let logitBound = 30.0

  init(classIndex: Int, order: [SampleID], blocks: [[SampleID]]) {
    self.classIndex = classIndex
    self.order = order
    self.blocks = blocks
    self.reference = nil
    self.learner = ShardModel(index: classIndex, sliceIDs: [], checkpoints: [], model: nil)
  }

  /// The kept samples of `order`, by block: `selection` applied in training order, each kept
  /// sample in block ⌊ℓ·B⌋.
  static func blocks(
    of order: [SampleID], features: Matrix, rowOf: [SampleID: Int], selection: RepresentativeSelection,
    likelihood: DeletionLikelihood, blockCount: Int
  ) -> [[SampleID]] {
    let kept = selection.kept(order.map { rowOf[$0]! }, of: features)
    var blocks = [[SampleID]](repeating: [], count: blockCount)
    for (position, id) in order.enumerated() where kept[position] {
      blocks[likelihood.block(of: id, blocks: blockCount)].append(id)
    }
    return blocks
  }

  /// The id of reference draw `j` of block `b` (the control character keeps it apart from data ids).
  static func drawID(block: Int, draw: Int) -> SampleID {
    SampleID("\u{1}reference.\(block).\(draw)")
  }

  /// Trains f_c from block `start` on (refitting q_c first when the anchor block is retrained).
  /// Returns the sample passes made over the class's own samples (draws not counted).
  @discardableResult
  mutating func train(
    from start: Int, data: Dataset, rowOf: [SampleID: Int], configuration: ModelConfiguration,
    scaleFloor: ReferenceGaussian.ScaleFloor, sourceSHA256: [String]
  ) throws -> Double {
    guard
      let contrast = try prepareContrast(
        refittingReference: start, data: data, rowOf: rowOf, configuration: configuration, scaleFloor: scaleFloor)
    else { return 0 }
    let passes = try learner.train(
      from: start, data: contrast.data, rowOf: contrast.rowOf, configuration: configuration,
      sourceSHA256: sourceSHA256)
    return passes / 2
  }

  /// Rebuilds q_c and f_c's blocks (kept samples plus reference draws) for a stored state, whose
  /// checkpoints and model are read separately.
  mutating func restore(
    data: Dataset, rowOf: [SampleID: Int], configuration: ModelConfiguration, scaleFloor: ReferenceGaussian.ScaleFloor
  ) throws {
    _ = try prepareContrast(
      refittingReference: 0, data: data, rowOf: rowOf, configuration: configuration, scaleFloor: scaleFloor)
  }

  /// Fits q_c on the anchor block when `start` is at or before it, lays out f_c's blocks, and
  /// returns the contrastive data set (kept samples, then the draws of each block); nil and an
  /// empty model when no sample is kept.
  private mutating func prepareContrast(
    refittingReference start: Int, data: Dataset, rowOf: [SampleID: Int], configuration: ModelConfiguration,
    scaleFloor: ReferenceGaussian.ScaleFloor
  ) throws -> (data: Dataset, rowOf: [SampleID: Int])? {
    guard let anchor = blocks.firstIndex(where: { !$0.isEmpty }) else {
      reference = nil
      learner = ShardModel(index: classIndex, sliceIDs: blocks, checkpoints: [], model: nil)
      return nil
    }
    if start <= anchor || reference == nil {
      reference = try ReferenceGaussian(
        fitting: data.features.selectingRows(blocks[anchor].map { rowOf[$0]! }), scaleFloor: scaleFloor)
    }
    let reference = reference!
    let members = blocks.flatMap { $0 }
    var elements = data.features.selectingRows(members.map { rowOf[$0]! }).elements
    var ids = members
    var sliceIDs: [[SampleID]] = []
    for (b, block) in blocks.enumerated() {
      var generator = SeededGenerator(
        seed: configuration.seed &+ 0x5EED_A2CA &+ UInt64(classIndex) &* 7_919 &+ UInt64(b) &* 104_729)
      elements += reference.samples(count: block.count, using: &generator).elements
      let draws = (0..<block.count).map { Self.drawID(block: b, draw: $0) }
      ids += draws
      sliceIDs.append(block + draws)
    }
    let contrast = try Dataset(
      name: "arcane class \(classIndex)", ids: ids,
      features: Matrix(rows: ids.count, columns: data.featureCount, elements: elements),
      labels: [Int](repeating: 1, count: members.count) + [Int](repeating: 0, count: members.count),
      featureNames: data.featureNames, classNames: Self.contrastClasses, idOrigin: data.idOrigin)
    learner.sliceIDs = sliceIDs
    return (contrast, ids.offsets())
  }

  /// log q_c(x) + f_c(x) for each raw feature row; nil when the class has no samples left.
  func logDensity(of features: Matrix) -> [Double]? {
    guard let reference, let model = learner.model else { return nil }
    let probabilities = model.probabilities(for: features)
    return zip(reference.logDensity(of: features), 0..<features.rows).map { logQ, i in
      let logit = log(probabilities[i, 1]) - log(probabilities[i, 0])
      return logQ + min(Self.logitBound, max(-Self.logitBound, logit))
    }
  }
}
