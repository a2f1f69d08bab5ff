import UnlearnCore
import UnlearnData
import UnlearnModels
import _UnlearnTestSupport

/// Small, seeded problems for the model tests.
enum ModelFixtures {
  /// n random samples, d features, K classes with labels that depend on the features (so the
  /// optimum is not at θ = 0) but are not separable.
  static func randomBatch(samples n: Int, features d: Int, classes k: Int, seed: UInt64) -> LabelledBatch {
    var generator = SeededGenerator(seed: seed)
    let x = RandomMatrices.uniform(rows: n, columns: d, using: &generator)
    let direction = RandomMatrices.uniform(rows: d, columns: k, using: &generator)
    let scores = BLAS.product(x, direction)
    let labels = (0..<n).map { i -> Int in
      let noisy = (0..<k).map { scores[i, $0] + 0.5 * generator.nextStandardNormal() }
      return noisy.indices.max { noisy[$0] < noisy[$1] }!
    }
    return LabelledBatch(features: x, labels: labels, classCount: k)
  }

  /// A model at random parameters of moderate size.
  static func randomModel(features d: Int, classes k: Int, inverseRegularization: Double, seed: UInt64)
    -> LogisticRegression
  {
    var model = LogisticRegression(featureCount: d, classCount: k, inverseRegularization: inverseRegularization)
    var generator = SeededGenerator(seed: seed)
    model.parameters = RandomMatrices.vector(count: model.parameterCount, using: &generator)
    return model
  }

  /// The bundled dataset, standardized on itself.
  static func standardized(_ name: String) throws -> Dataset {
    let dataset = try CSVLoader().load(path: TestData.bundled(name))
    return Standardizer(fitting: dataset.features).transform(dataset)
  }

  static func batch(_ dataset: Dataset) -> LabelledBatch {
    LabelledBatch(features: dataset.features, labels: dataset.labels, classCount: dataset.classCount)
  }
}
