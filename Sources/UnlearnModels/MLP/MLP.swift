import RealModule
import UnlearnCore

/// A multi-layer perceptron classifier: ReLU hidden layers, a softmax output, cross-entropy loss
/// and L2 on the weights (biases not regularized), with one flat parameter vector.
///
/// Layer l maps `widths[l]` inputs to `widths[l+1]` outputs with W_l (in × out) and b_l (out).
/// θ stores each layer as W_l row-major followed by b_l, which is exactly the (in + 1) × out matrix
/// [W_l; b_lᵀ]; the first layer therefore reads the design matrix X̃ = [X | 1] of a `LabelledBatch`
/// with one gemm, bias included. Objective, as for the logistic models (docs/architecture.md):
///
///     L(θ; D) = Σ_i CE(softmax(f_θ(x_i)), y_i) + (λ/2) Σ_l ‖W_l‖²,   λ = 1/C.
///
/// Forward: A_0 = X, Z_l = A_(l−1)·W_l + b_l, A_l = ReLU(Z_l) (hidden), P = softmax(Z_L).
/// Backward: Δ_L = P − Y, ∇W_l = A_(l−1)ᵀΔ_l, ∇b_l = Σ_rows Δ_l, Δ_(l−1) = (Δ_l·W_lᵀ) ⊙ 1[Z_(l−1) > 0].
/// Every product is a gemm; a pass over n samples costs about 2·n·Σ_l in_l·out_l flops forward and
/// twice that backward.
public struct MLP: DifferentiableClassifier, Codable, Equatable {
  /// Layer widths: [d, h_1, …, h_L, K].
  public let widths: [Int]
  /// λ = 1/C.
  public let regularization: Double
  public var parameters: [Double] {
    willSet {
      precondition(newValue.count == parameterCount, "\(newValue.count) parameters, expected \(parameterCount)")
    }
  }

  /// A network with He-initialized weights (N(0, 2/fan_in), He et al., ICCV 2015) and zero biases,
  /// drawn from `generator`.
  public init(
    featureCount: Int, hiddenLayers: [Int], classCount: Int, inverseRegularization: Double,
    using generator: inout some RandomNumberGenerator
  ) {
    precondition(featureCount > 0 && classCount >= 2, "an MLP needs features and at least 2 classes")
    precondition(hiddenLayers.allSatisfy { $0 > 0 }, "hidden layer widths must be positive")
    precondition(inverseRegularization > 0, "C must be positive")
    widths = [featureCount] + hiddenLayers + [classCount]
    regularization = 1 / inverseRegularization
    var parameters: [Double] = []
    for layer in 0..<(widths.count - 1) {
      let scale = (2 / Double(widths[layer])).squareRoot()
      for _ in 0..<(widths[layer] * widths[layer + 1]) { parameters.append(scale * generator.nextStandardNormal()) }
      parameters += [Double](repeating: 0, count: widths[layer + 1])
    }
    self.parameters = parameters
  }

  public var featureCount: Int { widths[0] }
  public var classCount: Int { widths[widths.count - 1] }
  public var layerCount: Int { widths.count - 1 }
  public var parameterCount: Int {
    (0..<layerCount).reduce(0) { $0 + (widths[$1] + 1) * widths[$1 + 1] }
  }

  /// Where layer `layer`'s [W; bᵀ] block starts in θ.
  public func parameterOffset(ofLayer layer: Int) -> Int {
    (0..<layer).reduce(0) { $0 + (widths[$1] + 1) * widths[$1 + 1] }
  }

  /// Layer `layer`'s (in + 1) × out block [W_l; b_lᵀ].
  public func layerBlock(_ layer: Int) -> Matrix {
    let start = parameterOffset(ofLayer: layer)
    let count = (widths[layer] + 1) * widths[layer + 1]
    return Matrix(
      rows: widths[layer] + 1, columns: widths[layer + 1], elements: Array(parameters[start..<(start + count)]))
  }

  // MARK: Forward

  /// The pre-activations Z_1 … Z_L of a forward pass over the design matrix X̃ = [X | 1].
  func preActivations(forDesign design: Matrix) -> [Matrix] {
    precondition(design.columns == featureCount + 1, "network has \(featureCount) inputs, design \(design.columns - 1)")
    var outputs: [Matrix] = []
    var input = design  // layer 0 reads X̃, so its bias comes with the product
    for layer in 0..<layerCount {
      let block = layerBlock(layer)
      var z: Matrix
      if layer == 0 {
        z = BLAS.product(input, block)
      } else {
        z = Self.broadcastRows(Array(block.elements.suffix(widths[layer + 1])), rows: input.rows)
        BLAS.gemm(input, Self.weights(of: block), beta: 1, into: &z)
      }
      outputs.append(z)
      if layer < layerCount - 1 { input = Self.relu(z) }
    }
    return outputs
  }

  /// The hidden activations A_1 … A_(L−1) for raw feature rows: what a frozen backbone hands to a
  /// new head.
  public func hiddenActivations(for features: Matrix) -> [Matrix] {
    preActivations(forDesign: LabelledBatch.design(for: features)).dropLast().map(Self.relu)
  }

  public func probabilities(for features: Matrix) -> Matrix {
    precondition(features.columns == featureCount, "network has \(featureCount) inputs, data \(features.columns)")
    var logits = preActivations(forDesign: LabelledBatch.design(for: features)).last!
    StableFunctions.softmaxRows(&logits, labels: nil)
    return logits
  }

  // MARK: Objective

  public func lossAndGradient(on batch: LabelledBatch) -> (loss: Double, gradient: [Double]) {
    var (loss, gradient) = dataLossAndGradient(on: batch, scale: 1)
    var penalty = 0.0
    for layer in 0..<layerCount {
      let start = parameterOffset(ofLayer: layer)
      for index in start..<(start + widths[layer] * widths[layer + 1]) {
        penalty += parameters[index] * parameters[index]
        gradient[index] += regularization * parameters[index]
      }
    }
    loss += regularization / 2 * penalty
    return (loss, gradient)
  }

  /// `scale`·Σ_i ℓ_i over the batch and its gradient (no regularizer), by backpropagation.
  func dataLossAndGradient(on batch: LabelledBatch, scale: Double) -> (loss: Double, gradient: [Double]) {
    let (loss, deltas, inputs) = backpropagate(batch, scale: scale)
    var gradient = [Double](repeating: 0, count: parameterCount)
    for layer in 0..<layerCount {
      let block = layerGradient(layer, input: inputs[layer], delta: deltas[layer])
      let start = parameterOffset(ofLayer: layer)
      gradient.replaceSubrange(start..<(start + block.elements.count), with: block.elements)
    }
    return (loss, gradient)
  }

  /// The loss, the error signals Δ_l of every layer, and every layer's input (X̃ for the first).
  private func backpropagate(_ batch: LabelledBatch, scale: Double) -> (Double, [Matrix], [Matrix]) {
    precondition(batch.classCount == classCount, "network has \(classCount) classes, batch \(batch.classCount)")
    let z = preActivations(forDesign: batch.design)
    var inputs = [batch.design]
    for layer in 0..<(layerCount - 1) { inputs.append(Self.relu(z[layer])) }
    var delta = z[layerCount - 1]
    let loss = scale * StableFunctions.softmaxRows(&delta, labels: batch.labels)
    if scale != 1 {
      delta = Matrix(rows: delta.rows, columns: delta.columns, elements: delta.elements.map { $0 * scale })
    }
    var deltas = [Matrix](repeating: Matrix(rows: 0, columns: 0), count: layerCount)
    deltas[layerCount - 1] = delta
    for layer in stride(from: layerCount - 1, to: 0, by: -1) {
      var previous = BLAS.product(deltas[layer], Self.weights(of: layerBlock(layer)), transposeB: true)
      previous.withUnsafeMutableBufferPointer { d in
        z[layer - 1].withUnsafeBufferPointer { pre in
          for index in d.indices where pre[index] <= 0 { d[index] = 0 }
        }
      }
      deltas[layer - 1] = previous
    }
    return (loss, deltas, inputs)
  }

  /// [∇W; ∇bᵀ] for one layer: inputᵀΔ, with the bias row the column sums of Δ.
  private func layerGradient(_ layer: Int, input: Matrix, delta: Matrix) -> Matrix {
    if layer == 0 { return BLAS.product(input, delta, transposeA: true) }  // X̃ already has the ones column
    var block = Matrix(rows: widths[layer] + 1, columns: widths[layer + 1])
    let weights = BLAS.product(input, delta, transposeA: true)
    let out = widths[layer + 1]
    block.withUnsafeMutableBufferPointer { target in
      weights.withUnsafeBufferPointer { source in
        for index in source.indices { target[index] = source[index] }
      }
      delta.withUnsafeBufferPointer { d in
        for row in 0..<delta.rows {
          for c in 0..<out { target[widths[layer] * out + c] += d[row * out + c] }
        }
      }
    }
    return block
  }

  public func perSampleGradients(on batch: LabelledBatch) -> Matrix {
    let (_, deltas, inputs) = backpropagate(batch, scale: 1)
    var gradients = Matrix(rows: batch.count, columns: parameterCount)
    let p = parameterCount
    gradients.withUnsafeMutableBufferPointer { g in
      for layer in 0..<layerCount {
        let start = parameterOffset(ofLayer: layer)
        let inWidth = widths[layer]
        let out = widths[layer + 1]
        let input = inputs[layer]
        let delta = deltas[layer]
        // Row i is vec([a_i; 1] δ_iᵀ): the Khatri–Rao product of inputs and error signals.
        for i in 0..<batch.count {
          let inputColumns = input.columns
          for j in 0..<inWidth {
            let a = input[i, j]
            if a == 0 { continue }
            for c in 0..<out { g[i * p + start + j * out + c] = a * delta[i, c] }
          }
          if inputColumns == inWidth {  // hidden layers: explicit bias row
            for c in 0..<out { g[i * p + start + inWidth * out + c] = delta[i, c] }
          } else {  // first layer: X̃'s last column is the constant 1
            for c in 0..<out { g[i * p + start + inWidth * out + c] = input[i, inWidth] * delta[i, c] }
          }
        }
      }
    }
    return gradients
  }

  /// ∇²L·v by central differences of the gradient, (∇L(θ + εv) − ∇L(θ − εv)) / 2ε with
  /// ε = 10⁻⁴·max(1, ‖θ‖)/‖v‖: two gradient passes, accurate to O(ε²) where the loss is smooth
  /// (ReLU kinks crossed inside ±εv add error; the convex models use exact products).
  public func hessianVectorProduct(on batch: LabelledBatch, _ v: [Double]) -> [Double] {
    precondition(v.count == parameterCount, "direction has \(v.count) entries, expected \(parameterCount)")
    let norm = BLAS.nrm2(v)
    guard norm > 0 else { return v }
    let epsilon = 1e-4 * max(1, BLAS.nrm2(parameters)) / norm
    var plus = self
    var minus = self
    var shifted = parameters
    BLAS.axpy(epsilon, v, &shifted)
    plus.parameters = shifted
    shifted = parameters
    BLAS.axpy(-epsilon, v, &shifted)
    minus.parameters = shifted
    var result = plus.lossAndGradient(on: batch).gradient
    BLAS.axpy(-1, minus.lossAndGradient(on: batch).gradient, &result)
    BLAS.scal(1 / (2 * epsilon), &result)
    return result
  }

  // MARK: Helpers

  /// The in × out weight part of a [W; bᵀ] block.
  static func weights(of block: Matrix) -> Matrix {
    Matrix(rows: block.rows - 1, columns: block.columns, elements: Array(block.elements.dropLast(block.columns)))
  }

  static func broadcastRows(_ row: [Double], rows: Int) -> Matrix {
    var elements: [Double] = []
    elements.reserveCapacity(rows * row.count)
    for _ in 0..<rows { elements += row }
    return Matrix(rows: rows, columns: row.count, elements: elements)
  }

  static func relu(_ z: Matrix) -> Matrix {
    Matrix(rows: z.rows, columns: z.columns, elements: z.elements.map { max($0, 0) })
  }
}
