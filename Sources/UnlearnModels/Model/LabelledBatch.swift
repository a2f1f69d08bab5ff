import UnlearnCore

/// Samples ready for a model: the design matrix X̃ = [X | 1] (a constant 1 appended for the bias,
/// docs/architecture.md) and class indices.
///
/// Building X̃ once per training run costs one copy of the features and makes every gradient and
/// Hessian a plain product with X̃ (gemm, syrk) instead of products with X plus bias corrections.
public struct LabelledBatch: Sendable {
  /// n × (d + 1): the features with a trailing column of ones.
  public let design: Matrix
  /// n class indices in 0..<classCount.
  public let labels: [Int]
  public let classCount: Int

  public init(features: Matrix, labels: [Int], classCount: Int) {
    precondition(labels.count == features.rows, "\(labels.count) labels for \(features.rows) rows")
    precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount }, "labels must be in 0..<\(classCount)")
    self.design = Self.design(for: features)
    self.labels = labels
    self.classCount = classCount
  }

  /// [X | 1]: the features with a trailing column of ones.
  public static func design(for features: Matrix) -> Matrix {
    let n = features.rows
    let d = features.columns
    var design = Matrix(rows: n, columns: d + 1, repeating: 1)
    features.withUnsafeBufferPointer { x in
      design.withUnsafeMutableBufferPointer { target in
        for i in 0..<n {
          for j in 0..<d { target[i * (d + 1) + j] = x[i * d + j] }
        }
      }
    }
    return design
  }

  /// The number of samples n.
  public var count: Int { labels.count }
  /// The number of features d (without the bias column).
  public var featureCount: Int { design.columns - 1 }

  /// The samples at the given positions.
  public func subset(_ rows: [Int]) -> LabelledBatch {
    LabelledBatch(design: design.selectingRows(rows), labels: rows.map { labels[$0] }, classCount: classCount)
  }

  private init(design: Matrix, labels: [Int], classCount: Int) {
    self.design = design
    self.labels = labels
    self.classCount = classCount
  }
}
