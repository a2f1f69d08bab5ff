import UnlearnCore

/// The hidden layers of a trained `MLP`, frozen: a feature extractor φ(x) = A_(L−1) (the last
/// hidden layer's ReLU activations) whose weights never change, and the pullback of a gradient
/// on φ back to the input — what input-side prompt tuning needs (LMEraser, docs/methods.md).
///
/// Forward, as in `MLP`: Z_l = A_(l−1)·W_l + b_l, A_l = ReLU(Z_l) for l = 1 … L−1, A_0 = X.
/// Pullback of G = ∂L/∂A_(L−1): Δ_(L−1) = G ⊙ 1[Z_(L−1) > 0], Δ_(l−1) = (Δ_l·W_lᵀ) ⊙ 1[Z_(l−1) > 0],
/// and ∂L/∂X = Δ_1·W_1ᵀ. Only the weights are read; nothing here changes them.
public struct FrozenBackbone: Sendable, Equatable {
  public let network: MLP

  public init(_ network: MLP) {
    precondition(network.layerCount >= 2, "a backbone needs at least one hidden layer")
    self.network = network
  }

  public var inputCount: Int { network.featureCount }
  /// Width of the last hidden layer: the embedding's dimension.
  public var embeddingCount: Int { network.widths[network.layerCount - 1] }
  /// Parameters of the hidden layers (the output layer of the trained network is not used).
  public var parameterCount: Int { network.parameterOffset(ofLayer: network.layerCount - 1) }

  /// The hidden pre-activations Z_1 … Z_(L−1) for feature rows (already scaled as the network saw
  /// them in training); the embedding is ReLU of the last.
  public func preActivations(for features: Matrix) -> [Matrix] {
    precondition(features.columns == inputCount, "backbone has \(inputCount) inputs, data \(features.columns)")
    var outputs: [Matrix] = []
    var input = features
    for layer in 0..<(network.layerCount - 1) {
      let block = network.layerBlock(layer)
      var z = MLP.broadcastRows(Array(block.elements.suffix(block.columns)), rows: input.rows)
      BLAS.gemm(input, MLP.weights(of: block), beta: 1, into: &z)
      outputs.append(z)
      input = MLP.relu(z)
    }
    return outputs
  }

  /// φ(x) for each row.
  public func embedding(of features: Matrix) -> Matrix {
    MLP.relu(preActivations(for: features).last!)
  }

  /// ∂L/∂X for rows whose forward pass gave `preActivations`, from G = ∂L/∂φ.
  public func inputGradient(embeddingGradient: Matrix, preActivations: [Matrix]) -> Matrix {
    var delta = embeddingGradient
    for layer in stride(from: preActivations.count - 1, through: 0, by: -1) {
      delta.withUnsafeMutableBufferPointer { d in
        preActivations[layer].withUnsafeBufferPointer { z in
          for index in d.indices where z[index] <= 0 { d[index] = 0 }
        }
      }
      delta = BLAS.product(delta, MLP.weights(of: network.layerBlock(layer)), transposeB: true)
    }
    return delta
  }
}
