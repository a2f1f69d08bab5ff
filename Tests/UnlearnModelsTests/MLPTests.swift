import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

struct MLPTests {
  private func network(hidden: [Int], classes k: Int, features d: Int = 4, seed: UInt64 = 1) -> MLP {
    var generator = SeededGenerator(seed: seed)
    var model = MLP(featureCount: d, hiddenLayers: hidden, classCount: k, inverseRegularization: 2, using: &generator)
    // Nonzero biases, so their gradients are exercised too.
    model.parameters = model.parameters.map { $0 == 0 ? 0.1 * generator.nextStandardNormal() : $0 }
    return model
  }

  @Test(arguments: [[5], [6, 3]])
  func gradientMatchesCentralDifferences(_ hidden: [Int]) {
    let batch = ModelFixtures.randomBatch(samples: 20, features: 4, classes: 3, seed: 5)
    let model = network(hidden: hidden, classes: 3)
    let analytic = model.lossAndGradient(on: batch).gradient
    let h = 1e-6
    let numeric = (0..<model.parameterCount).map { index -> Double in
      var plus = model
      var minus = model
      plus.parameters[index] += h
      minus.parameters[index] -= h
      return (plus.lossAndGradient(on: batch).loss - minus.lossAndGradient(on: batch).loss) / (2 * h)
    }
    // ReLU kinks are measure-zero for random data; the difference is rounding only.
    #expect(RandomMatrices.relativeDifference(analytic, numeric) < 1e-6)
  }

  @Test func hessianVectorProductMatchesDifferencesOfTheGradientAlongV() {
    let batch = ModelFixtures.randomBatch(samples: 20, features: 4, classes: 3, seed: 6)
    let model = network(hidden: [5], classes: 3)
    var generator = SeededGenerator(seed: 2)
    let v = RandomMatrices.vector(count: model.parameterCount, using: &generator)
    // Reference: a one-sided difference with a much smaller step.
    let h = 1e-7
    var shifted = model
    BLAS.axpy(h, v, &shifted.parameters)
    var reference = shifted.lossAndGradient(on: batch).gradient
    BLAS.axpy(-1, model.lossAndGradient(on: batch).gradient, &reference)
    BLAS.scal(1 / h, &reference)
    #expect(RandomMatrices.relativeDifference(model.hessianVectorProduct(on: batch, v), reference) < 1e-5)
  }

  @Test func perSampleGradientsSumToTheDataGradient() {
    let batch = ModelFixtures.randomBatch(samples: 15, features: 4, classes: 3, seed: 7)
    let model = network(hidden: [6, 3], classes: 3)
    let perSample = model.perSampleGradients(on: batch)
    let summed = (0..<perSample.columns).map { perSample.column($0).reduce(0, +) }
    // The same network with (practically) no regularizer: its gradient is the data gradient.
    var generator = SeededGenerator(seed: 0)
    var free = MLP(
      featureCount: 4, hiddenLayers: [6, 3], classCount: 3, inverseRegularization: 1e300, using: &generator)
    free.parameters = model.parameters
    #expect(RandomMatrices.relativeDifference(summed, free.lossAndGradient(on: batch).gradient) < 1e-12)
    #expect(
      RandomMatrices.relativeDifference(perSample.row(3), free.lossAndGradient(on: batch.subset([3])).gradient)
        < 1e-12)
  }

  @Test func sameSeedGivesIdenticalParameters() throws {
    let data = try ModelFixtures.standardized("digits.csv")
    let batch = ModelFixtures.batch(data.subset(rows: Array(0..<400)))
    func train() -> [Double] {
      var generator = SeededGenerator(seed: 11)
      let start = MLP(
        featureCount: 64, hiddenLayers: [32], classCount: 10, inverseRegularization: 1, using: &generator)
      return AdamTrainer(epochs: 2, batchSize: 32).fit(start, on: batch, using: &generator).model.parameters
    }
    let first = train()
    #expect(first == train())
    var other = SeededGenerator(seed: 12)
    let different = MLP(featureCount: 64, hiddenLayers: [32], classCount: 10, inverseRegularization: 1, using: &other)
    #expect(first != AdamTrainer(epochs: 2, batchSize: 32).fit(different, on: batch, using: &other).model.parameters)
  }

  @Test func learnsDigits() throws {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    var generator = SeededGenerator(seed: 3)
    let (train, test) = data.stratifiedSplit(testFraction: 0.25, using: &generator)
    let trained = try ModelTrainer(
      configuration: ModelConfiguration(kind: .mlp, hiddenLayers: [64], epochs: 15, batchSize: 32, seed: 4)
    ).train(on: train, dataFileSHA256: [])
    let predicted = trained.predictedLabels(for: test.features)
    let accuracy = Double(zip(predicted, test.labels).filter { $0 == $1 }.count) / Double(test.count)
    #expect(accuracy > 0.93)
  }

  @Test func modelFileRoundTripForAnMLP() throws {
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv"))
    let trained = try ModelTrainer(
      configuration: ModelConfiguration(kind: .mlp, hiddenLayers: [8, 4], epochs: 1, seed: 2)
    ).train(on: data, dataFileSHA256: [])
    let read = try ModelFile.decode(try ModelFile.encode(trained), path: "m.ulm")
    #expect(read == trained)
    #expect(read.probabilities(for: data.features) == trained.probabilities(for: data.features))
  }

  @Test func hiddenActivationsHaveTheLayerWidths() {
    let model = network(hidden: [6, 3], classes: 3)
    let activations = model.hiddenActivations(for: Matrix(rows: 2, columns: 4, repeating: 0.5))
    #expect(activations.map(\.columns) == [6, 3])
    #expect(activations.allSatisfy { $0.elements.allSatisfy { $0 >= 0 } })
  }
}
