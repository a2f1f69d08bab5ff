import RealModule
import UnlearnCore

/// Overflow-free forms of the functions the logistic losses need.
enum StableFunctions {
  /// σ(z) = 1 / (1 + e^(−z)), evaluated on the side where the exponential cannot overflow.
  @inlinable
  static func sigmoid(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + Double.exp(-z)) }
    let e = Double.exp(z)
    return e / (1 + e)
  }

  /// log(1 + e^z) without overflow for large z or loss of precision for very negative z.
  @inlinable
  static func logOnePlusExp(_ z: Double) -> Double {
    z > 0 ? z + Double.log(onePlus: Double.exp(-z)) : Double.log(onePlus: Double.exp(z))
  }

  /// Replaces each row of logits z by softmax(z) = exp(z − logΣexp(z)), the log-sum-exp shifted by
  /// the row maximum so no exponential overflows. With labels, also subtracts e_y from each row
  /// (leaving the cross-entropy gradient P − e_y) and returns Σ_i CE_i = Σ_i (logΣexp(z_i) − z_i,y);
  /// without labels returns 0. Rows flagged in `excluded` are set to zero and add no loss.
  @discardableResult
  static func softmaxRows(_ logits: inout Matrix, labels: [Int]?, excluding excluded: [Bool]? = nil) -> Double {
    let k = logits.columns
    let n = logits.rows
    var loss = 0.0
    logits.withUnsafeMutableBufferPointer { z in
      for i in 0..<n {
        if excluded?[i] == true {
          for c in 0..<k { z[i * k + c] = 0 }
          continue
        }
        var maximum = -Double.infinity
        for c in 0..<k { maximum = max(maximum, z[i * k + c]) }
        var sum = 0.0
        for c in 0..<k { sum += Double.exp(z[i * k + c] - maximum) }
        let logSumExp = maximum + Double.log(sum)
        if let labels { loss += logSumExp - z[i * k + labels[i]] }
        for c in 0..<k { z[i * k + c] = Double.exp(z[i * k + c] - logSumExp) }
        if let labels { z[i * k + labels[i]] -= 1 }
      }
    }
    return loss
  }
}
