import Foundation
import Testing
import UnlearnCore
import UnlearnModels
import _UnlearnTestSupport

/// The prompted head on a frozen backbone: its gradient in prompt and head against central
/// differences, and training that leaves the backbone alone and is reproducible.
struct PromptedHeadTests {
  static func backbone(hidden: [Int]) -> FrozenBackbone {
    var generator = SeededGenerator(seed: 3)
    var network = MLP(featureCount: 4, hiddenLayers: hidden, classCount: 3, inverseRegularization: 1, using: &generator)
    network.parameters = network.parameters.map { $0 == 0 ? 0.1 * generator.nextStandardNormal() : $0 }
    return FrozenBackbone(network)
  }

  @Test(arguments: [[6], [7, 5]])
  func gradientMatchesCentralDifferences(_ hidden: [Int]) {
    let backbone = Self.backbone(hidden: hidden)
    let batch = ModelFixtures.randomBatch(samples: 15, features: 4, classes: 3, seed: 8)
    let features = Matrix(
      rows: 15, columns: 4, elements: (0..<15).flatMap { i in (0..<4).map { batch.design[i, $0] } })
    var generator = SeededGenerator(seed: 9)
    var part = PromptedHead(inputCount: 4, embeddingCount: backbone.embeddingCount, classCount: 3)
    part.parameters = part.parameters.map { _ in 0.3 * generator.nextStandardNormal() }
    func loss(_ parameters: [Double]) -> Double {
      var shifted = part
      shifted.parameters = parameters
      return shifted.lossAndGradient(
        features: features, labels: batch.labels, backbone: backbone, inverseRegularization: 0.5, sampleCount: 40
      ).loss
    }
    let analytic = part.lossAndGradient(
      features: features, labels: batch.labels, backbone: backbone, inverseRegularization: 0.5, sampleCount: 40
    ).gradient
    let h = 1e-6
    let numeric = part.parameters.indices.map { index -> Double in
      var plus = part.parameters
      var minus = part.parameters
      plus[index] += h
      minus[index] -= h
      return (loss(plus) - loss(minus)) / (2 * h)
    }
    #expect(part.parameters.count == 4 + (backbone.embeddingCount + 1) * 3)
    #expect(RandomMatrices.relativeDifference(analytic, numeric) < 1e-6)
    // The prompt's gradient is not trivially zero: it flows back through the backbone.
    #expect(analytic[0..<4].contains { abs($0) > 1e-6 })
  }

  @Test func trainingIsReproducibleAndLowersTheLoss() {
    let backbone = Self.backbone(hidden: [8])
    let batch = ModelFixtures.randomBatch(samples: 60, features: 4, classes: 3, seed: 4)
    let features = Matrix(
      rows: 60, columns: 4, elements: (0..<60).flatMap { i in (0..<4).map { batch.design[i, $0] } })
    let settings = HeadTraining(epochs: 30, batchSize: 16, learningRate: 0.01, inverseRegularization: 1)
    func train() -> PromptedHead {
      var generator = SeededGenerator(seed: 12)
      return PromptedHead.train(
        features: features, labels: batch.labels, classCount: 3, backbone: backbone, settings: settings,
        using: &generator)
    }
    let first = train()
    #expect(first == train())
    let untrained = PromptedHead(inputCount: 4, embeddingCount: 8, classCount: 3)
    func loss(_ part: PromptedHead) -> Double {
      part.lossAndGradient(
        features: features, labels: batch.labels, backbone: backbone, inverseRegularization: 1, sampleCount: 60
      ).loss
    }
    #expect(loss(first) < 0.9 * loss(untrained))
    #expect(first.prompt.contains { $0 != 0 })
  }
}
