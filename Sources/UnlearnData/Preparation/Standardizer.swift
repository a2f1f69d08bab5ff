import Foundation
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

  /// Given statistics μ and s, one of each per feature (`load(from:)` reads and checks them from a
  /// file); every scale must be finite and positive.
  public init(means: [Double], scales: [Double]) {
    precondition(means.count == scales.count, "\(means.count) means for \(scales.count) scales")
    precondition(scales.allSatisfy { $0 > 0 && $0.isFinite }, "scales must be finite and positive")
    self.means = means
    self.scales = scales
  }

  /// The scaling that leaves every feature as it is (μ = 0, s = 1).
  public static func identity(featureCount: Int) -> Standardizer {
    Standardizer(
      means: [Double](repeating: 0, count: featureCount), scales: [Double](repeating: 1, count: featureCount))
  }

  /// Statistics computed elsewhere (on public data, say), from a JSON file
  /// `{"means": [μ₁, …], "scales": [s₁, …]}` — the form a model file's scaling has.
  public static func load(from path: String) throws -> Standardizer {
    guard let bytes = FileManager.default.contents(atPath: path) else {
      throw DataError.unreadableFile(path, reason: "cannot open it for reading")
    }
    struct Statistics: Decodable {
      var means: [Double]
      var scales: [Double]
    }
    let statistics: Statistics
    do {
      statistics = try JSONDecoder().decode(Statistics.self, from: bytes)
    } catch {
      throw DataError(
        .invalidScaling, file: path, expected: #"a JSON object {"means": [numbers], "scales": [numbers]}"#,
        found: "\(error)")
    }
    let (means, scales) = (statistics.means, statistics.scales)
    if let problem = problem(means: means, scales: scales) {
      throw DataError(.invalidScaling, file: path, expected: problem.expected, found: problem.found)
    }
    return Standardizer(means: means, scales: scales)
  }

  /// Why `means` and `scales` cannot be a scaling (what was expected, what was found), or nil when
  /// they can: one of each per feature, every mean finite, every scale finite and positive.
  public static func problem(means: [Double], scales: [Double]) -> (expected: String, found: String)? {
    guard means.count == scales.count, !means.isEmpty else {
      return ("as many scales as means, one of each per feature", "\(means.count) means and \(scales.count) scales")
    }
    if let index = means.indices.first(where: { !means[$0].isFinite || !(scales[$0] > 0 && scales[$0].isFinite) }) {
      return (
        "a finite mean and a finite positive scale for every feature",
        "feature \(index + 1): mean \(means[index]), scale \(scales[index])"
      )
    }
    return nil
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
