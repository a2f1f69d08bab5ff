import UnlearnCore

/// Per-feature standardization z = (x − μ) / s, fitted on training data and applied unchanged to
/// test data (scikit-learn's `StandardScaler`).
///
/// μ is the column mean and s the population standard deviation (divisor n), computed in two
/// passes for accuracy. A constant column gets s = 1, so it maps to 0 instead of NaN.
public struct Standardizer: Sendable, Codable, Equatable {
  public let means: [Double]
  public let scales: [Double]

  /// Fits μ and s on the rows of `features`.
  public init(fitting features: Matrix) {
    let n = features.rows
    let d = features.columns
    var means = [Double](repeating: 0, count: d)
    var scales = [Double](repeating: 1, count: d)
    if n > 0 {
      features.withUnsafeBufferPointer { x in
        for i in 0..<n { for j in 0..<d { means[j] += x[i * d + j] } }
        for j in 0..<d { means[j] /= Double(n) }
        var squares = [Double](repeating: 0, count: d)
        for i in 0..<n {
          for j in 0..<d {
            let centered = x[i * d + j] - means[j]
            squares[j] += centered * centered
          }
        }
        for j in 0..<d {
          let deviation = (squares[j] / Double(n)).squareRoot()
          scales[j] = deviation > 0 ? deviation : 1
        }
      }
    }
    self.means = means
    self.scales = scales
  }

  /// Standardizes the columns of `features` with the fitted μ and s.
  public func transform(_ features: Matrix) -> Matrix {
    let d = means.count
    precondition(features.columns == d, "Standardizer fitted on \(d) features, given \(features.columns)")
    var result = features
    result.withUnsafeMutableBufferPointer { x in
      for i in 0..<features.rows {
        for j in 0..<d { x[i * d + j] = (x[i * d + j] - means[j]) / scales[j] }
      }
    }
    return result
  }

  /// The dataset with standardized features.
  public func transform(_ dataset: Dataset) -> Dataset {
    dataset.replacingFeatures(transform(dataset.features))
  }
}
