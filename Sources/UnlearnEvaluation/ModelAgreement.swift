import RealModule
import UnlearnCore

/// How close an unlearned model's behaviour and parameters are to the retrained reference
/// (docs/methods.md).
public enum ModelAgreement {
  /// The fraction of rows where both models predict the same class.
  public static func agreement(_ predictionsA: [Int], _ predictionsB: [Int]) -> Double {
    precondition(predictionsA.count == predictionsB.count, "\(predictionsA.count) vs \(predictionsB.count) predictions")
    guard !predictionsA.isEmpty else { return 1 }
    return Double(zip(predictionsA, predictionsB).filter { $0 == $1 }.count) / Double(predictionsA.count)
  }

  /// Mean over rows of KL(P ‖ Q) = Σ_k P_k log(P_k / Q_k), with Q clamped to ≥ 1e-300 (terms with
  /// P_k = 0 contribute 0). Use P = the retrained model's probabilities, Q = the unlearned model's.
  public static func meanKullbackLeibler(_ p: Matrix, _ q: Matrix) -> Double {
    precondition(p.rows == q.rows && p.columns == q.columns, "probability matrices differ in shape")
    guard p.rows > 0 else { return 0 }
    var total = 0.0
    for row in 0..<p.rows {
      for k in 0..<p.columns where p[row, k] > 0 {
        total += p[row, k] * (Double.log(p[row, k]) - Double.log(max(q[row, k], 1e-300)))
      }
    }
    return total / Double(p.rows)
  }

  /// ‖θ − θ_ref‖ / ‖θ_ref‖ (or ‖θ − θ_ref‖ when θ_ref = 0).
  public static func relativeParameterDistance(_ theta: [Double], reference: [Double]) -> Double {
    precondition(theta.count == reference.count, "\(theta.count) vs \(reference.count) parameters")
    var difference = theta
    BLAS.axpy(-1, reference, &difference)
    let scale = BLAS.nrm2(reference)
    return scale > 0 ? BLAS.nrm2(difference) / scale : BLAS.nrm2(difference)
  }
}
