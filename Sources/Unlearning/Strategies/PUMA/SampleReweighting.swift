/// PUMA's choice of per-sample weight changes ε on the remaining data (Wu, Hashemi, Srinivasa, AAAI
/// 2022): minimize the linearized change of the validation loss Φ(ε) = Σ_i ε_i I_i, where I_i is
/// sample i's influence on the validation loss per unit of extra weight, under ‖ε‖₂ ≤ `bound` and
/// ε_i ≥ −1 (a sample's weight 1 + ε_i stays non-negative).
///
/// Projected gradient descent from ε = 0 with step size η: ε ← Π(ε − η·I) for at most `steps` steps
/// or until ε stops moving, Π the Euclidean projection onto {‖ε‖₂ ≤ B} ∩ {ε ≥ −1}. By the KKT
/// conditions Π(z)_i = max(−1, z_i/(1 + μ)) with μ = 0 if that is inside the ball and otherwise the
/// μ > 0 that puts it on the sphere (found by bisection: the norm falls as μ grows).
struct SampleReweighting: Sendable, Equatable, Codable {
  var bound: Double
  var eta: Double
  var steps: Int = 100

  func weights(influences: [Double]) -> [Double] {
    var weights = [Double](repeating: 0, count: influences.count)
    for _ in 0..<steps {
      let next = project(zip(weights, influences).map { $0 - eta * $1 })
      let moved = zip(next, weights).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      weights = next
      if moved <= 1e-12 * max(bound, 1) { break }
    }
    return weights
  }

  func project(_ z: [Double]) -> [Double] {
    func shrunk(_ mu: Double) -> [Double] { z.map { max(-1, $0 / (1 + mu)) } }
    func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    if norm(shrunk(0)) <= bound { return shrunk(0) }
    var low = 0.0
    var high = 1.0
    while norm(shrunk(high)) > bound { high *= 2 }
    for _ in 0..<200 {
      let mid = (low + high) / 2
      if norm(shrunk(mid)) > bound { low = mid } else { high = mid }
      if high - low <= 1e-15 * high { break }
    }
    return shrunk(high)
  }
}
