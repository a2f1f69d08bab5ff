import RealModule

/// Adam's running moments for one parameter vector (Kingma & Ba, ICLR 2015, Algorithm 1): each
/// `step` updates m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g² and moves
/// θ ← θ − (α / (1 − β₁ᵗ)) · m / (√(v / (1 − β₂ᵗ)) + ε).
public struct AdamMoments: Sendable {
  public var learningRate: Double
  public var beta1 = 0.9
  public var beta2 = 0.999
  public var epsilon = 1e-8
  private var first: [Double]
  private var second: [Double]
  private var steps = 0

  /// Moments at zero for `count` parameters.
  public init(count: Int, learningRate: Double) {
    self.learningRate = learningRate
    first = [Double](repeating: 0, count: count)
    second = [Double](repeating: 0, count: count)
  }

  public mutating func step(_ parameters: inout [Double], gradient: [Double]) {
    precondition(parameters.count == first.count && gradient.count == first.count, "Adam: size mismatch")
    steps += 1
    let stepSize = learningRate / (1 - Double.pow(beta1, Double(steps)))
    let secondCorrection = 1 / (1 - Double.pow(beta2, Double(steps)))
    let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon)
    parameters.withUnsafeMutableBufferPointer { theta in
      gradient.withUnsafeBufferPointer { g in
        first.withUnsafeMutableBufferPointer { m in
          second.withUnsafeMutableBufferPointer { v in
            for index in theta.indices {
              m[index] = beta1 * m[index] + (1 - beta1) * g[index]
              v[index] = beta2 * v[index] + (1 - beta2) * g[index] * g[index]
              theta[index] -= stepSize * m[index] / ((v[index] * secondCorrection).squareRoot() + epsilon)
            }
          }
        }
      }
    }
  }
}
