import UnlearnCore

/// Scales each row to unit Euclidean norm (rows of zeros stay zero): after it, ‖x_i‖ ≤ 1 for
/// every sample, the assumption certified removal's guarantee rests on (Guo et al., ICML 2020).
public enum RowNormalization {
  public static func normalized(_ features: Matrix) -> Matrix {
    var result = features
    let d = features.columns
    result.withUnsafeMutableBufferPointer { x in
      for i in 0..<features.rows {
        var squares = 0.0
        for j in 0..<d { squares += x[i * d + j] * x[i * d + j] }
        guard squares > 0 else { continue }
        let scale = 1 / squares.squareRoot()
        for j in 0..<d { x[i * d + j] *= scale }
      }
    }
    return result
  }
}
