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

  /// The logistic loss log(1 + e^(−m)) of a margin m and σ(−m), its derivative's magnitude, from
  /// one exponential e = e^(−|m|): for m ≥ 0 they are log1p(e) and e/(1 + e), for m < 0
  /// −m + log1p(e) and 1/(1 + e). Neither overflows, and neither loses precision for large |m|.
  @inlinable
  static func logisticLossAndSlope(margin m: Double) -> (loss: Double, slope: Double) {
    let e = Double.exp(-abs(m))
    let log = Double.log(onePlus: e)
    return m >= 0 ? (log, e / (1 + e)) : (log - m, 1 / (1 + e))
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
        // One exponential per entry: e_c = exp(z_c − max), P_c = e_c / Σe.
        if let labels { loss -= z[i * k + labels[i]] }
        var sum = 0.0
        for c in 0..<k {
          let e = Double.exp(z[i * k + c] - maximum)
          z[i * k + c] = e
          sum += e
        }
        if labels != nil { loss += maximum + Double.log(sum) }
        let scale = 1 / sum
        for c in 0..<k { z[i * k + c] *= scale }
        if let labels { z[i * k + labels[i]] -= 1 }
      }
    }
    return loss
  }
}
