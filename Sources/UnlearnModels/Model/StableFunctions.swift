import CUnlearnKernels
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

  /// The logistic loss over a column of logits z (n × 1): returns Σ_i log(1 + e^(−m_i)) for the
  /// margins m_i = y_i z_i (y_i = +1 for label 1, −1 otherwise) and replaces z_i by the residual
  /// −y_i σ(−m_i), both from one exponential e = e^(−|m|): for m ≥ 0 they are log1p(e) and
  /// e/(1 + e), for m < 0 −m + log1p(e) and 1/(1 + e). Neither overflows, and neither loses
  /// precision for large |m|. Rows flagged in `excluded` are set to zero and add no loss.
  ///
  /// The loop is C (`unlearn_logistic_rows`), with e^x by range reduction and a degree-13
  /// polynomial and log1p(e) = 2·atanh(e/(2 + e)) by its series, both within 2 ulp of libm and
  /// vectorized (AVX2 + FMA where the CPU has them): one call of libm's exp and log1p per sample
  /// was most of a small model's objective.
  @discardableResult
  static func logisticRows(_ logits: inout Matrix, labels: [Int], excluding excluded: [Bool]? = nil) -> Double {
    precondition(logits.columns == 1 && labels.count == logits.rows, "one logit and one label per row")
    precondition(excluded == nil || excluded!.count == logits.rows, "one exclusion flag per row")
    return logits.withUnsafeMutableBufferPointer { z in
      labels.withUnsafeBufferPointer { y in
        withOptionalBuffer(excluded) { flags in
          unlearn_logistic_rows(z.baseAddress, z.count, y.baseAddress, flags)
        }
      }
    }
  }

  /// Replaces each row of logits z by softmax(z) = exp(z − logΣexp(z)), the log-sum-exp shifted by
  /// the row maximum so no exponential overflows. With labels, also subtracts e_y from each row
  /// (leaving the cross-entropy gradient P − e_y) and returns Σ_i CE_i = Σ_i (logΣexp(z_i) − z_i,y);
  /// without labels returns 0. Rows flagged in `excluded` are set to zero and add no loss.
  ///
  /// The loop is C (`unlearn_softmax_rows`, the exponential and logarithm as in `logisticRows`):
  /// libm's exp one entry at a time was nearly half of a ten-class objective.
  @discardableResult
  static func softmaxRows(_ logits: inout Matrix, labels: [Int]?, excluding excluded: [Bool]? = nil) -> Double {
    let (n, k) = (logits.rows, logits.columns)
    precondition(labels == nil || labels!.count == n, "one label per row")
    // The kernel indexes rows by label: a label out of range must stop here, not write past a row.
    precondition(labels?.allSatisfy { $0 >= 0 && $0 < k } ?? true, "labels must be in 0..<\(k)")
    precondition(excluded == nil || excluded!.count == n, "one exclusion flag per row")
    return logits.withUnsafeMutableBufferPointer { z in
      withOptionalBuffer(labels) { y in
        withOptionalBuffer(excluded) { flags in
          unlearn_softmax_rows(z.baseAddress, n, k, y, flags)
        }
      }
    }
  }

  /// Calls `body` with the array's base address, or nil for a nil array.
  static func withOptionalBuffer<Element, Result>(
    _ array: [Element]?, _ body: (UnsafePointer<Element>?) -> Result
  ) -> Result {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
