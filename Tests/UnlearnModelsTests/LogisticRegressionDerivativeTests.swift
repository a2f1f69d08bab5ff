import Numerics
import Testing
import UnlearnCore
import UnlearnModels
import _UnlearnTestSupport

/// Every hand-written derivative against central finite differences.
struct LogisticRegressionDerivativeTests {
  /// (classes, C): binary and softmax, weak and strong regularization.
  static let cases: [(Int, Double)] = [(2, 1), (2, 0.05), (3, 1), (5, 10)]

  private func loss(_ model: LogisticRegression, _ batch: LabelledBatch, _ theta: [Double]) -> Double {
    var model = model
    model.parameters = theta
    return model.lossAndGradient(on: batch).loss
  }

  private func gradient(_ model: LogisticRegression, _ batch: LabelledBatch, _ theta: [Double]) -> [Double] {
    var model = model
    model.parameters = theta
    return model.lossAndGradient(on: batch).gradient
  }

  @Test(arguments: cases)
  func gradientMatchesCentralDifferences(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 40, features: 4, classes: k, seed: UInt64(k))
    let model = ModelFixtures.randomModel(features: 4, classes: k, inverseRegularization: c, seed: 7)
    let analytic = model.lossAndGradient(on: batch).gradient
    let h = 1e-6
    let numeric = (0..<model.parameterCount).map { index -> Double in
      var plus = model.parameters
      var minus = model.parameters
      plus[index] += h
      minus[index] -= h
      return (loss(model, batch, plus) - loss(model, batch, minus)) / (2 * h)
    }
    #expect(RandomMatrices.relativeDifference(analytic, numeric) < 1e-7)
  }

  @Test(arguments: cases)
  func hessianMatchesCentralDifferencesOfTheGradient(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 40, features: 4, classes: k, seed: UInt64(10 + k))
    let model = ModelFixtures.randomModel(features: 4, classes: k, inverseRegularization: c, seed: 8)
    let analytic = model.hessian(on: batch, includingRegularization: true)
    let h = 1e-5
    var numeric = Matrix(rows: model.parameterCount, columns: model.parameterCount)
    for index in 0..<model.parameterCount {
      var plus = model.parameters
      var minus = model.parameters
      plus[index] += h
      minus[index] -= h
      let difference = zip(gradient(model, batch, plus), gradient(model, batch, minus)).map { ($0 - $1) / (2 * h) }
      for row in 0..<model.parameterCount { numeric[row, index] = difference[row] }
    }
    #expect(RandomMatrices.relativeDifference(analytic, numeric) < 1e-7)
    #expect(analytic == analytic.transposed())
  }

  @Test(arguments: cases)
  func hessianVectorProductMatchesDenseHessian(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 30, features: 5, classes: k, seed: UInt64(20 + k))
    let model = ModelFixtures.randomModel(features: 5, classes: k, inverseRegularization: c, seed: 9)
    var generator = SeededGenerator(seed: 3)
    let v = RandomMatrices.vector(count: model.parameterCount, using: &generator)
    let dense = NaiveLinearAlgebra.product(model.hessian(on: batch, includingRegularization: true), v)
    #expect(RandomMatrices.relativeDifference(model.hessianVectorProduct(on: batch, v), dense) < 1e-12)
  }

  @Test(arguments: cases)
  func hessianDiagonalMatchesDenseHessian(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 30, features: 5, classes: k, seed: UInt64(40 + k))
    let model = ModelFixtures.randomModel(features: 5, classes: k, inverseRegularization: c, seed: 11)
    let dense = model.hessian(on: batch, includingRegularization: true)
    let diagonal = model.hessianDiagonal(on: batch, curvature: model.curvature(on: batch))
    #expect(RandomMatrices.relativeDifference(diagonal, (0..<dense.rows).map { dense[$0, $0] }) < 1e-12)
  }

  @Test(arguments: cases)
  func perSampleGradientsSumToTheDataGradient(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 25, features: 3, classes: k, seed: UInt64(30 + k))
    let model = ModelFixtures.randomModel(features: 3, classes: k, inverseRegularization: c, seed: 10)
    let perSample = model.perSampleGradients(on: batch)
    let summed = (0..<perSample.columns).map { perSample.column($0).reduce(0, +) }
    // Remove the regularizer (and the softmax gauge) from the total gradient.
    let free = LogisticRegression(featureCount: 3, classCount: k, inverseRegularization: 1e300)
    var unregularized = free
    unregularized.parameters = model.parameters
    /// The gradient of Σℓ over `part` alone: the near-unregularized gradient without the gauge term.
    func dataGradient(_ part: LabelledBatch) -> [Double] {
      var gradient = unregularized.lossAndGradient(on: part).gradient
      if k > 2 {
        let biasSum = (0..<k).reduce(0) { $0 + model.parameters[3 * k + $1] }
        for c in 0..<k { gradient[3 * k + c] -= LogisticRegression.gaugeWeight * biasSum }
      }
      return gradient
    }
    #expect(RandomMatrices.relativeDifference(summed, dataGradient(batch)) < 1e-12)
    // And each row is the gradient of that one sample's loss.
    #expect(RandomMatrices.relativeDifference(perSample.row(4), dataGradient(batch.subset([4]))) < 1e-12)
  }

  /// Excluding rows equals evaluating on the batch without them, and the data terms of a part are
  /// what removing that part takes out of the objective.
  @Test(arguments: cases)
  func excludedRowsAndRemovedTermsMatchTheSubset(_ setting: (Int, Double)) {
    let (k, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 30, features: 4, classes: k, seed: UInt64(50 + k))
    let model = ModelFixtures.randomModel(features: 4, classes: k, inverseRegularization: c, seed: 15)
    let removed = [0, 7, 8, 29]
    let excluded = (0..<batch.count).map { removed.contains($0) }
    let kept = batch.subset((0..<batch.count).filter { !excluded[$0] })
    let masked = model.lossAndGradient(on: batch, excluding: excluded)
    let direct = model.lossAndGradient(on: kept)
    #expect(masked.loss.isApproximatelyEqual(to: direct.loss, relativeTolerance: 1e-12))
    #expect(RandomMatrices.relativeDifference(masked.gradient, direct.gradient) < 1e-12)
    let whole = model.lossAndGradient(on: batch)
    let terms = model.dataLossAndGradient(on: batch.subset(removed))
    #expect((whole.loss - terms.loss).isApproximatelyEqual(to: direct.loss, relativeTolerance: 1e-12))
    let difference = zip(whole.gradient, terms.gradient).map { $0 - $1 }
    #expect(RandomMatrices.relativeDifference(difference, direct.gradient) < 1e-12)
  }

  @Test func unregularizedHessianIsTheSumOfPerSampleHessians() {
    let batch = ModelFixtures.randomBatch(samples: 12, features: 3, classes: 3, seed: 41)
    let model = ModelFixtures.randomModel(features: 3, classes: 3, inverseRegularization: 1, seed: 11)
    let whole = model.hessian(on: batch, includingRegularization: false)
    var summed = Matrix(rows: whole.rows, columns: whole.columns)
    for i in 0..<batch.count {
      let part = model.hessian(on: batch.subset([i]), includingRegularization: false)
      summed = Matrix(rows: whole.rows, columns: whole.columns, elements: zip(summed.elements, part.elements).map(+))
    }
    #expect(RandomMatrices.relativeDifference(whole, summed) < 1e-12)
  }

  /// U·Uᵀ from `hessianFactor` is the unregularized Hessian (checked against the dense Hessian,
  /// which is itself checked against finite differences above).
  @Test(arguments: cases)
  func hessianFactorReproducesTheDataHessian(_ setting: (Int, Double)) {
    let (classes, c) = setting
    let batch = ModelFixtures.randomBatch(samples: 9, features: 4, classes: classes, seed: 43)
    let model = ModelFixtures.randomModel(features: 4, classes: classes, inverseRegularization: c, seed: 13)
    let factor = model.hessianFactor(on: batch)
    #expect(factor.rows == model.parameterCount && factor.columns == 9 * model.outputCount)
    let product = NaiveLinearAlgebra.product(factor, factor, transposeB: true)
    #expect(
      RandomMatrices.relativeDifference(product, model.hessian(on: batch, includingRegularization: false)) < 1e-12)
  }

  /// The objective perturbation bᵀθ adds b to the gradient and nothing to the Hessian.
  @Test func linearTermMatchesCentralDifferences() {
    let batch = ModelFixtures.randomBatch(samples: 15, features: 3, classes: 2, seed: 44)
    var model = ModelFixtures.randomModel(features: 3, classes: 2, inverseRegularization: 1, seed: 14)
    let plain = model
    model.linearTerm = [0.3, -1.2, 0.5, 2.0]
    let gradient = model.lossAndGradient(on: batch).gradient
    for index in 0..<model.parameterCount {
      let h = 1e-6
      var plus = model
      var minus = model
      plus.parameters[index] += h
      minus.parameters[index] -= h
      let difference = (plus.lossAndGradient(on: batch).loss - minus.lossAndGradient(on: batch).loss) / (2 * h)
      #expect(difference.isApproximatelyEqual(to: gradient[index], absoluteTolerance: 1e-6, relativeTolerance: 1e-6))
      let withoutNoise = plain.lossAndGradient(on: batch).gradient[index]
      #expect(
        (gradient[index] - withoutNoise).isApproximatelyEqual(to: model.linearTerm![index], absoluteTolerance: 1e-12))
    }
    #expect(model.hessian(on: batch) == plain.hessian(on: batch))
  }

  @Test func probabilitiesAreStableForHugeLogits() {
    var model = LogisticRegression(featureCount: 1, classCount: 3, inverseRegularization: 1)
    model.parameters = [1000, -1000, 0, 0, 0, 0]
    let p = model.probabilities(for: Matrix([[1], [-1]]))
    #expect(p.isFinite)
    #expect(p[0, 0] == 1 && p[1, 1] == 1)
    var binary = LogisticRegression(featureCount: 1, classCount: 2, inverseRegularization: 1)
    binary.parameters = [800, 0]
    let batch = LabelledBatch(features: Matrix([[1], [-1]]), labels: [0, 1], classCount: 2)
    let (loss, gradient) = binary.lossAndGradient(on: batch)
    #expect(loss.isFinite && loss.isApproximatelyEqual(to: 1600 + 800 * 800 / 2, absoluteTolerance: 1e-9))
    #expect(gradient.allSatisfy { $0.isFinite })
  }
}

/// The per-sample products PUMA uses, against the explicit per-sample gradients.
struct PerSampleGradientProductTests {
  @Test(arguments: [2, 4])
  func productsAndWeightedSumsMatchTheExplicitGradients(_ classes: Int) {
    let batch = ModelFixtures.randomBatch(samples: 25, features: 5, classes: classes, seed: 31)
    var generator = SeededGenerator(seed: 32)
    var model = LogisticRegression(featureCount: 5, classCount: classes, inverseRegularization: 2)
    model.parameters = model.parameters.map { _ in generator.nextStandardNormal() }
    let gradients = model.perSampleGradients(on: batch)
    let v = RandomMatrices.vector(count: model.parameterCount, using: &generator)
    let weights = RandomMatrices.vector(count: batch.count, using: &generator)
    let products = model.perSampleGradientProducts(on: batch, v)
    let explicitProducts = (0..<batch.count).map { i in BLAS.dot(gradients.row(i), v) }
    #expect(RandomMatrices.relativeDifference(products, explicitProducts) < 1e-12)
    let sum = model.weightedGradientSum(on: batch, weights: weights)
    let explicitSum = (0..<model.parameterCount).map { j in
      (0..<batch.count).reduce(0) { $0 + weights[$1] * gradients[$1, j] }
    }
    #expect(RandomMatrices.relativeDifference(sum, explicitSum) < 1e-12)
    let (loss, gradient) = model.meanDataLossAndGradient(on: batch)
    let mean = (0..<model.parameterCount).map { j in (0..<batch.count).reduce(0) { $0 + gradients[$1, j] } / 25 }
    #expect(RandomMatrices.relativeDifference(gradient, mean) < 1e-12)
    let h = 1e-6
    var plus = model
    plus.parameters[0] += h
    var minus = model
    minus.parameters[0] -= h
    let numeric =
      (plus.meanDataLossAndGradient(on: batch).loss - minus.meanDataLossAndGradient(on: batch).loss) / (2 * h)
    #expect(numeric.isApproximatelyEqual(to: gradient[0], absoluteTolerance: 1e-7 * max(1, abs(loss))))
  }
}
