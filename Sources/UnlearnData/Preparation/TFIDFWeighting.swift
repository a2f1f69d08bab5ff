import RealModule
import UnlearnCore

/// TF-IDF weights for count features, fitted on training documents (scikit-learn's
/// `TfidfTransformer` with `smooth_idf=True, norm="l2"`).
///
/// idf_j = ln((1 + n) / (1 + df_j)) + 1, where df_j counts the training rows with a nonzero count
/// in column j; `transform` multiplies each count by idf_j and scales each row to unit L2 norm.
public struct TFIDFWeighting: Sendable, Codable, Equatable {
  public let inverseDocumentFrequencies: [Double]

  /// Fits the idf weights on raw counts (for example a `HashingVectorizer` with
  /// `normalizesRows: false`).
  public init(fitting counts: Matrix) {
    let n = counts.rows
    let d = counts.columns
    var documentFrequencies = [Double](repeating: 0, count: d)
    counts.withUnsafeBufferPointer { x in
      for i in 0..<n { for j in 0..<d where x[i * d + j] != 0 { documentFrequencies[j] += 1 } }
    }
    inverseDocumentFrequencies = documentFrequencies.map { Double.log((1 + Double(n)) / (1 + $0)) + 1 }
  }

  /// The weighted, row-normalized features.
  public func transform(_ counts: Matrix) -> Matrix {
    let d = inverseDocumentFrequencies.count
    precondition(counts.columns == d, "TFIDFWeighting fitted on \(d) features, given \(counts.columns)")
    var result = counts
    result.withUnsafeMutableBufferPointer { x in
      for i in 0..<counts.rows {
        for j in 0..<d { x[i * d + j] *= inverseDocumentFrequencies[j] }
        normalizeRow(x, offset: i * d, count: d)
      }
    }
    return result
  }

  public func transform(_ dataset: Dataset) -> Dataset {
    dataset.replacingFeatures(transform(dataset.features))
  }
}
