import CUnlearnKernels
import Numerics
import Testing
import UnlearnCore
import _UnlearnTestSupport

@testable import UnlearnModels

/// The one-pass objective (`unlearn_logistic_objective`, every compiled variant and thread count)
/// against the two BLAS products it replaces: logits X̃Θ by gemm, the rows kernel, then X̃ᵀR by gemm.
struct LogisticObjectiveTests {
  /// A batch with `classes` classes (2: binary), features of both signs, labels of every class.
  static func problem(rows: Int, features: Int, classes: Int, seed: UInt64) -> (LabelledBatch, LogisticRegression) {
    var generator = SeededGenerator(seed: seed)
    let x = Matrix(
      rows: rows, columns: features,
      elements: (0..<(rows * features)).map { _ in
        4 * generator.nextUnitInterval() - 2
      })
    let labels = (0..<rows).map { _ in Int(generator.next() % UInt64(classes)) }
    var model = LogisticRegression(featureCount: features, classCount: classes, inverseRegularization: 1)
    model.parameters = (0..<model.parameterCount).map { _ in generator.nextUnitInterval() - 0.5 }
    return (LabelledBatch(features: x, labels: labels, classCount: classes), model)
  }

  /// Σℓ and X̃ᵀR through gemm: the reference.
  static func reference(_ model: LogisticRegression, _ batch: LabelledBatch, excluding excluded: [Bool]?) -> (
    loss: Double, gradient: [Double]
  ) {
    let (loss, residuals) = model.dataLossAndResiduals(on: batch, excluding: excluded)
    return (loss, BLAS.product(batch.design, residuals, transposeA: true).elements)
  }

  /// Binary, and softmax with K below, at and above one 16-column chunk (K = 23: two chunks, the
  /// second 8 wide), with row counts off the tiles and blocks, some rows excluded. Two threads
  /// start from n·p·width ≥ 2²¹ (width: 1 binary, K rounded up to 4): the binary 21,011 × 102 and
  /// the softmax 5,003 × 42 × 12 and 2,503 × 42 × 24 pass it, so their rows are shared.
  @Test(arguments: [
    (2, 1, 2_503, 41), (2, 2, 21_011, 101), (3, 1, 2_503, 41), (10, 1, 2_503, 41), (10, 2, 5_003, 41),
    (16, 1, 2_503, 41), (23, 2, 2_503, 41),
  ])
  func onePassMatchesTheProducts(_ shape: (classes: Int, threads: Int, rows: Int, features: Int)) {
    let (batch, model) = Self.problem(
      rows: shape.rows, features: shape.features, classes: shape.classes, seed: UInt64(shape.classes))
    let excluded = (0..<batch.count).map { $0 % 9 == 4 }
    for flags in [nil, excluded] {
      let expected = Self.reference(model, batch, excluding: flags)
      for variant in [unlearn_logistic_objective, unlearn_logistic_objective_baseline] {
        var gradient = [Double](repeating: 0, count: model.parameterCount)
        let loss = batch.design.withUnsafeBufferPointer { x in
          StableFunctions.withOptionalBuffer(flags) { f in
            variant(
              x.baseAddress, batch.count, model.featureCount + 1, model.parameters, model.outputCount, batch.labels, f,
              &gradient, shape.threads)
          }
        }
        #expect(loss.isApproximatelyEqual(to: expected.loss, relativeTolerance: 1e-13))
        let scale = expected.gradient.map(abs).max()!
        let error = zip(gradient, expected.gradient).map { abs($0 - $1) }.max()!
        #expect(error <= 1e-13 * scale, "K = \(shape.classes), \(shape.threads) threads: error \(error) of \(scale)")
      }
    }
  }

  /// Fewer rows than a block or a tile, and a single feature.
  @Test(arguments: [(1, 1, 2), (3, 1, 4), (5, 3, 2), (70, 2, 5)])
  func smallShapesMatchTheProducts(_ shape: (rows: Int, features: Int, classes: Int)) {
    let (batch, model) = Self.problem(rows: shape.rows, features: shape.features, classes: shape.classes, seed: 5)
    let expected = Self.reference(model, batch, excluding: nil)
    let computed = model.dataLossAndGradient(on: batch)
    #expect(computed.loss.isApproximatelyEqual(to: expected.loss, relativeTolerance: 1e-13))
    let scale = expected.gradient.map(abs).max()!
    #expect(
      zip(computed.gradient, expected.gradient).allSatisfy {
        $0.isApproximatelyEqual(to: $1, absoluteTolerance: 1e-13 * scale)
      })
  }

  /// Excluded rows count for nothing: the same as the pass over the other rows alone.
  @Test func excludedRowsEqualTheirAbsence() {
    let (batch, model) = Self.problem(rows: 300, features: 12, classes: 4, seed: 9)
    let excluded = (0..<batch.count).map { $0 % 5 == 0 }
    let kept = batch.subset((0..<batch.count).filter { !excluded[$0] })
    let masked = model.lossAndGradient(on: batch, excluding: excluded)
    let dropped = model.lossAndGradient(on: kept)
    #expect(masked.loss.isApproximatelyEqual(to: dropped.loss, relativeTolerance: 1e-12))
    #expect(
      zip(masked.gradient, dropped.gradient).allSatisfy {
        $0.isApproximatelyEqual(to: $1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
      })
  }

  /// The one-pass Hessian-vector product (every compiled variant and thread count) against the two
  /// gemms X̃ᵀ·C(X̃V), binary and softmax across the chunk widths, with excluded rows.
  @Test(arguments: [(2, 1, 2_503, 41), (2, 2, 21_011, 101), (3, 1, 2_503, 41), (10, 2, 5_003, 41), (23, 2, 2_503, 41)])
  func onePassHessianProductMatchesTheProducts(_ shape: (classes: Int, threads: Int, rows: Int, features: Int)) {
    let (batch, model) = Self.problem(
      rows: shape.rows, features: shape.features, classes: shape.classes, seed: UInt64(shape.classes + 40))
    var generator = SeededGenerator(seed: 3)
    let v = (0..<model.parameterCount).map { _ in generator.nextUnitInterval() - 0.5 }
    let curvature = model.curvature(on: batch)
    let expected = model.referenceHessianVectorProduct(on: batch, v, curvature: curvature)
    #expect(
      RandomMatrices.relativeDifference(model.hessianVectorProduct(on: batch, v, curvature: curvature), expected)
        <= 1e-13)
    let excluded = (0..<batch.count).map { $0 % 7 == 2 }
    let kept = batch.subset((0..<batch.count).filter { !excluded[$0] })
    let keptExpected = model.referenceHessianVectorProduct(on: kept, v, curvature: model.curvature(on: kept))
    for variant in [unlearn_logistic_hessian_product, unlearn_logistic_hessian_product_baseline] {
      for flags in [nil, excluded] {
        var product = [Double](repeating: 0, count: model.parameterCount)
        batch.design.withUnsafeBufferPointer { x in
          curvature.withUnsafeBufferPointer { c in
            StableFunctions.withOptionalBuffer(flags) { f in
              variant(
                x.baseAddress, batch.count, model.featureCount + 1, c.baseAddress, model.outputCount, v, f, &product,
                shape.threads)
            }
          }
        }
        // The kernel gives the data term only; the reference adds λv and the gauge term.
        var data = flags == nil ? expected : keptExpected
        let weights = model.featureCount * model.outputCount
        for index in 0..<weights { data[index] -= model.regularization * v[index] }
        if shape.classes > 2 {
          let biasSum = v[weights...].reduce(0, +)
          for index in weights..<model.parameterCount { data[index] -= LogisticRegression.gaugeWeight * biasSum }
        }
        #expect(
          RandomMatrices.relativeDifference(product, data) <= 1e-13,
          "K = \(shape.classes), \(shape.threads) threads, excluded: \(flags != nil)")
      }
    }
  }
}
