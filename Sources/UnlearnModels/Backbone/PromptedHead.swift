import UnlearnCore

/// A small trainable part on a frozen backbone: an additive input prompt p ∈ ℝᵈ and a linear
/// softmax head [W; bᵀ] ∈ ℝ^((h+1)×K) on the embedding of the prompted input,
///
///     P(y | x) = softmax(φ(x + p)·W + b),
///
/// with φ the `FrozenBackbone`. The prompt is visual prompting's additive perturbation (Bahng et
/// al., 2022) in feature space: it keeps the backbone's input shape, so the backbone stays exactly
/// as trained, and lets the part adapt the frozen features to its own data (LMEraser, Xu et al.,
/// arXiv 2404.11056, tunes prompts and a head per cluster the same way).
///
/// Objective on m samples, λ = 1/C: (1/m)·Σ CE_i + (λ/2m)·(‖W‖² + ‖p‖²) (the head's bias is not
/// regularized). Gradients: Δ = P − Y, ∇[W; bᵀ] = [φ; 1]ᵀΔ/m, ∂L/∂φ = Δ·Wᵀ/m, and ∇p is the column sum of
/// the backbone's pullback of ∂L/∂φ to the input.
public struct PromptedHead: Sendable, Equatable {
  public var prompt: [Double]
  /// (h + 1) × K: weights, then the bias row.
  public var head: Matrix

  /// Zero prompt and zero head: uniform predictions, and a convex start for the head.
  public init(inputCount: Int, embeddingCount: Int, classCount: Int) {
    prompt = [Double](repeating: 0, count: inputCount)
    head = Matrix(rows: embeddingCount + 1, columns: classCount)
  }

  public init(prompt: [Double], head: Matrix) {
    self.prompt = prompt
    self.head = head
  }

  public var parameterCount: Int { prompt.count + head.elements.count }

  /// The parameters as one vector: p, then [W; bᵀ] row-major.
  public var parameters: [Double] {
    get { prompt + head.elements }
    set {
      prompt = Array(newValue[0..<prompt.count])
      head = Matrix(rows: head.rows, columns: head.columns, elements: Array(newValue[prompt.count...]))
    }
  }

  /// n × K probabilities for feature rows scaled as the backbone was trained.
  public func probabilities(for features: Matrix, backbone: FrozenBackbone) -> Matrix {
    var logits = BLAS.product(
      LabelledBatch.design(for: backbone.embedding(of: prompted(features))), head)
    StableFunctions.softmaxRows(&logits, labels: nil)
    return logits
  }

  /// The objective above on `features` (scaled as the backbone saw them) with `labels`, and its
  /// gradient in `parameters` order. The data term is averaged over these rows; `sampleCount` is
  /// the m of the regularizer's λ/2m (the whole training set's size when the rows are a minibatch).
  public func lossAndGradient(
    features: Matrix, labels: [Int], backbone: FrozenBackbone, inverseRegularization: Double, sampleCount: Int
  ) -> (loss: Double, gradient: [Double]) {
    let m = Double(features.rows)
    let trace = backbone.preActivations(for: prompted(features))
    let embedded = LabelledBatch.design(for: MLP.relu(trace.last!))
    var delta = BLAS.product(embedded, head)
    var loss = StableFunctions.softmaxRows(&delta, labels: labels) / m
    delta.withUnsafeMutableBufferPointer { d in
      for index in d.indices { d[index] /= m }
    }
    let headGradient = BLAS.product(embedded, delta, transposeA: true)
    let weights = MLP.weights(of: head)
    let embeddingGradient = BLAS.product(delta, weights, transposeB: true)
    let inputGradient = backbone.inputGradient(embeddingGradient: embeddingGradient, preActivations: trace)
    var gradient = [Double](repeating: 0, count: parameterCount)
    inputGradient.withUnsafeBufferPointer { g in
      for i in 0..<inputGradient.rows {
        for j in 0..<prompt.count { gradient[j] += g[i * prompt.count + j] }
      }
    }
    for (index, value) in headGradient.elements.enumerated() { gradient[prompt.count + index] = value }
    // (λ/2m)(‖W‖² + ‖p‖²): every prompt entry and the weight rows of the head, not its bias row.
    let decay = 1 / inverseRegularization / Double(sampleCount)
    let regularized = prompt.count + weights.elements.count
    let theta = parameters
    var penalty = 0.0
    for index in 0..<regularized {
      penalty += theta[index] * theta[index]
      gradient[index] += decay * theta[index]
    }
    loss += decay / 2 * penalty
    return (loss, gradient)
  }

  /// Trains a zero-initialized part on `features` (scaled as the backbone saw them) with Adam on
  /// minibatches drawn from `generator`; the same inputs and seed give the same part bit for bit.
  public static func train(
    features: Matrix, labels: [Int], classCount: Int, backbone: FrozenBackbone, settings: HeadTraining,
    using generator: inout some RandomNumberGenerator
  ) -> PromptedHead {
    precondition(features.rows > 0, "cannot train a head on no samples")
    var part = PromptedHead(
      inputCount: backbone.inputCount, embeddingCount: backbone.embeddingCount, classCount: classCount)
    var adam = AdamMoments(count: part.parameterCount, learningRate: settings.learningRate)
    var parameters = part.parameters
    let n = features.rows
    for _ in 0..<settings.epochs {
      let order = Array(0..<n).fisherYatesShuffled(using: &generator)
      for start in stride(from: 0, to: n, by: settings.batchSize) {
        let rows = Array(order[start..<min(n, start + settings.batchSize)])
        let (_, gradient) = part.lossAndGradient(
          features: features.selectingRows(rows), labels: rows.map { labels[$0] }, backbone: backbone,
          inverseRegularization: settings.inverseRegularization, sampleCount: n)
        adam.step(&parameters, gradient: gradient)
        part.parameters = parameters
      }
    }
    return part
  }

  private func prompted(_ features: Matrix) -> Matrix {
    precondition(features.columns == prompt.count, "prompt has \(prompt.count) entries, data \(features.columns)")
    var shifted = features
    shifted.withUnsafeMutableBufferPointer { x in
      for i in 0..<features.rows {
        for j in 0..<prompt.count { x[i * prompt.count + j] += prompt[j] }
      }
    }
    return shifted
  }
}

/// How a `PromptedHead` is trained.
public struct HeadTraining: Sendable, Codable, Equatable {
  public var epochs: Int
  public var batchSize: Int
  public var learningRate: Double
  /// C = 1/λ.
  public var inverseRegularization: Double

  public init(epochs: Int, batchSize: Int, learningRate: Double, inverseRegularization: Double) {
    precondition(epochs > 0 && batchSize > 0 && learningRate > 0 && inverseRegularization > 0)
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.inverseRegularization = inverseRegularization
  }
}
