import RealModule
import UnlearnCore

/// Minibatch training of an `MLP` with Adam (Kingma & Ba, ICLR 2015).
///
/// Each epoch visits the samples in a Fisher–Yates order drawn from the injected generator, in
/// minibatches of `batchSize` (the last one may be smaller). On a minibatch B of m samples from n
/// the step uses the gradient of L/n estimated on B: (1/m)Σ_B ∇ℓ_i + (λ/n)·W, so the minibatch
/// objective is an unbiased estimate of the full objective divided by n. Adam's moments start at
/// zero in every `fit` call; a warm start continues from the model's parameters. Given the seed and
/// `OPENBLAS_NUM_THREADS=1`, training is deterministic bit for bit.
public struct AdamTrainer: Sendable {
  public var epochs: Int
  public var batchSize: Int
  public var learningRate: Double
  public var beta1 = 0.9
  public var beta2 = 0.999
  public var epsilon = 1e-8

  public init(epochs: Int, batchSize: Int = 128, learningRate: Double = 1e-3) {
    precondition(
      epochs > 0 && batchSize > 0 && learningRate > 0, "epochs, batch size and learning rate must be positive")
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
  }

  /// One epoch's figures.
  public struct EpochRecord: Sendable, Codable, Equatable {
    public let epoch: Int
    /// Mean over the epoch's minibatches of the minibatch objective (≈ L/n).
    public let meanLoss: Double
    public let seconds: Double
  }

  /// Progress after each minibatch.
  public struct Progress: Sendable {
    public let epoch: Int
    public let epochs: Int
    /// Fraction of all minibatches of all epochs done.
    public let fraction: Double
    public let runningLoss: Double
  }

  public func fit(
    _ model: MLP, on batch: LabelledBatch, using generator: inout some RandomNumberGenerator,
    progress: (Progress) -> Void = { _ in }
  ) -> (model: MLP, epochs: [EpochRecord]) {
    precondition(batch.count > 0, "cannot train on an empty batch")
    var model = model
    let n = batch.count
    var adam = AdamMoments(count: model.parameterCount, learningRate: learningRate)
    adam.beta1 = beta1
    adam.beta2 = beta2
    adam.epsilon = epsilon
    // Ranges of θ holding weights (L2-regularized); the biases after each are not.
    let weightRanges = (0..<model.layerCount).map { layer in
      let start = model.parameterOffset(ofLayer: layer)
      return start..<(start + model.widths[layer] * model.widths[layer + 1])
    }
    let batchesPerEpoch = (n + batchSize - 1) / batchSize
    var step = 0
    var records: [EpochRecord] = []
    let clock = ContinuousClock()
    for epoch in 1...epochs {
      let start = clock.now
      let order = Array(0..<n).fisherYatesShuffled(using: &generator)
      var lossSum = 0.0
      for batchIndex in 0..<batchesPerEpoch {
        let rows = Array(order[(batchIndex * batchSize)..<min(n, (batchIndex + 1) * batchSize)])
        let minibatch = batch.subset(rows)
        var (loss, gradient) = model.dataLossAndGradient(on: minibatch, scale: 1 / Double(rows.count))
        let decay = model.regularization / Double(n)
        var penalty = 0.0
        var parameters = model.parameters
        parameters.withUnsafeBufferPointer { theta in
          gradient.withUnsafeMutableBufferPointer { g in
            for range in weightRanges {
              for index in range {
                penalty += theta[index] * theta[index]
                g[index] += decay * theta[index]
              }
            }
          }
        }
        step += 1
        adam.step(&parameters, gradient: gradient)
        model.parameters = parameters
        loss += decay / 2 * penalty
        lossSum += loss
        progress(
          Progress(
            epoch: epoch, epochs: epochs, fraction: Double(step) / Double(epochs * batchesPerEpoch),
            runningLoss: lossSum / Double(batchIndex + 1)))
      }
      records.append(
        EpochRecord(epoch: epoch, meanLoss: lossSum / Double(batchesPerEpoch), seconds: (clock.now - start).seconds))
    }
    return (model, records)
  }
}
