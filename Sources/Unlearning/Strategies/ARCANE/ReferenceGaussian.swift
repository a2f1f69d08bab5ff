import Foundation
import UnlearnCore

/// The density model behind one ARCANE class: a Gaussian q(x) = N(m, S·Σ̂·S) fitted on one class's
/// samples only, with S = diag(s) a per-feature scale and Σ̂ a shrunk covariance.
///
/// - Scale: s_j is feature j's standard deviation in the class. A *sparse* feature — one value
///   (usually 0) shared by at least half of the samples, such as a pixel the class almost never
///   inks or a rare one-hot level — has its s_j raised to at least the median of the class's
///   non-zero deviations: it would otherwise get a tiny s_j and dominate every distance. Every
///   other feature keeps its own scale, whatever its unit, so the model does not depend on the
///   features' units (`ScaleFloor.sparseFeatures`). States written before this rule floored every
///   feature at that median (`ScaleFloor.everyFeature`), which on tabular data with features in
///   very different units (a tumour's area in hundreds, its smoothness in hundredths) flattened
///   the small-unit half of the features.
/// - Shrinkage (Ledoit & Wolf, "A well-conditioned estimator for large-dimensional covariance
///   matrices", J. Multivariate Anal. 2004): with z = S⁻¹(x − m), sample covariance C = ZᵀZ/n
///   and μ = tr(C)/d, Σ̂ = (1 − ρ)·C + ρ·μ·I with ρ = min(β, δ)/δ, where
///   δ = ‖C − μI‖²_F / d and β = (Σ_i ‖z_i‖⁴ / n − ‖C‖²_F) / (n·d). Well-conditioned when n < d
///   (a class of MNIST has a few hundred samples in 784 dimensions).
///
/// log q(x) = −½‖U⁻ᵀz‖² − ½ log det Σ̂ − Σ_j log s_j − (d/2) log 2π, with Σ̂ = UᵀU (Cholesky).
struct ReferenceGaussian: Sendable, Equatable {
  /// Which features' scales are raised to the median deviation (see the type's documentation).
  enum ScaleFloor: String, Codable, Sendable {
    /// Only sparse features: at least half of the samples share one value.
    case sparseFeatures
    /// Every feature (states written before `sparseFeatures`).
    case everyFeature
  }

  let mean: [Double]
  let scales: [Double]
  /// Σ̂ = UᵀU.
  let factor: CholeskyFactorization
  /// The Ledoit–Wolf shrinkage intensity ρ actually used.
  let shrinkage: Double
  /// −½ log det(S·Σ̂·S) − (d/2) log 2π.
  let logNormalizer: Double

  /// Fits on the rows of `features` (at least one).
  init(fitting features: Matrix, scaleFloor: ScaleFloor = .sparseFeatures) throws {
    precondition(features.rows > 0, "a reference Gaussian needs at least one sample")
    let n = features.rows
    let d = features.columns
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { mean[j] += features[i, j] } }
    for j in 0..<d { mean[j] /= Double(n) }
    var deviations = [Double](repeating: 0, count: d)
    for i in 0..<n {
      for j in 0..<d {
        let centered = features[i, j] - mean[j]
        deviations[j] += centered * centered
      }
    }
    deviations = deviations.map { ($0 / Double(n)).squareRoot() }
    let positive = deviations.filter { $0 > 0 }.sorted()
    let floor = positive.isEmpty ? 1 : positive[(positive.count - 1) / 2]
    let scales = (0..<d).map { j in
      scaleFloor == .everyFeature || Self.isSparse(column: j, of: features)
        ? max(deviations[j], floor) : deviations[j]
    }

    var z = Matrix(rows: n, columns: d)
    var fourthMoments = 0.0
    for i in 0..<n {
      var squaredNorm = 0.0
      for j in 0..<d {
        let value = (features[i, j] - mean[j]) / scales[j]
        z[i, j] = value
        squaredNorm += value * value
      }
      fourthMoments += squaredNorm * squaredNorm
    }
    var covariance = Matrix(rows: d, columns: d)
    BLAS.syrk(z, transpose: true, alpha: 1 / Double(n), into: &covariance)
    let mu = (0..<d).reduce(0) { $0 + covariance[$1, $1] } / Double(d)
    let squaredFrobenius = covariance.elements.reduce(0) { $0 + $1 * $1 }
    let delta = (squaredFrobenius - Double(d) * mu * mu) / Double(d)
    let beta = max(0, (fourthMoments / Double(n) - squaredFrobenius) / (Double(n) * Double(d)))
    var shrinkage = delta > 0 ? min(beta, delta) / delta : 1
    let target = mu > 0 ? mu : 1
    // Rounding can leave C − tiny·I indefinite when ρ is ~0 and n ≤ d; shrink a little more then.
    var factor: CholeskyFactorization?
    while factor == nil {
      var shrunk = covariance
      for i in 0..<d {
        for j in 0..<d { shrunk[i, j] *= 1 - shrinkage }
        shrunk[i, i] += shrinkage * target
      }
      do {
        factor = try LAPACK.cholesky(shrunk)
      } catch {
        guard shrinkage < 1 else { throw error }
        shrinkage = min(1, max(2 * shrinkage, 1e-6))
      }
    }
    self.mean = mean
    self.scales = scales
    self.factor = factor!
    self.shrinkage = shrinkage
    self.logNormalizer =
      -0.5 * factor!.logDeterminant - scales.reduce(0) { $0 + log($1) }
      - 0.5 * Double(d) * log(2 * Double.pi)
  }

  /// Whether at least half of the rows share one value in `column`.
  static func isSparse(column: Int, of features: Matrix) -> Bool {
    let values = (0..<features.rows).map { features[$0, column] }.sorted()
    var (longest, run) = (0, 0)
    for (i, value) in values.enumerated() {
      run = i > 0 && values[i - 1] == value ? run + 1 : 1
      longest = max(longest, run)
    }
    return 2 * longest >= values.count
  }

  /// log q(x) for each row of raw `features`.
  func logDensity(of features: Matrix) -> [Double] {
    let d = mean.count
    var z = Matrix(rows: d, columns: features.rows)
    for i in 0..<features.rows {
      for j in 0..<d { z[j, i] = (features[i, j] - mean[j]) / scales[j] }
    }
    let whitened = factor.solveTransposed(z)
    var result = [Double](repeating: logNormalizer, count: features.rows)
    for j in 0..<d {
      for i in 0..<features.rows {
        let value = whitened[j, i]
        result[i] -= 0.5 * value * value
      }
    }
    return result
  }

  /// `count` independent draws x = m + S·Uᵀg, g ~ N(0, I).
  func samples(count: Int, using generator: inout some RandomNumberGenerator) -> Matrix {
    let d = mean.count
    var gaussian = Matrix(rows: count, columns: d)
    for i in 0..<count { for j in 0..<d { gaussian[i, j] = generator.nextStandardNormal() } }
    // Row i of G·U is (Uᵀgᵢ)ᵀ.
    var draws = BLAS.product(gaussian, factor.upper)
    for i in 0..<count {
      for j in 0..<d { draws[i, j] = mean[j] + scales[j] * draws[i, j] }
    }
    return draws
  }
}
