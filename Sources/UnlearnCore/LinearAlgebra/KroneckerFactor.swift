/// A low-rank factor made of Kronecker-structured column groups,
///
///     U = [x₁ ⊗ B₁, x₂ ⊗ B₂, …, x_s ⊗ B_s],   x_i ∈ Rᵖ,  B_i ∈ R^(K×m),
///
/// so U has p·K rows and s·m columns, and row j·K + k of group i's column c is x_i[j]·B_i[k, c].
/// This is how a logistic model's per-sample Hessian factors: with parameters stored feature-major
/// (θ[j·K + k]), ∇²ℓ_i = (x_i ⊗ B_i)(x_i ⊗ B_i)ᵀ for the sample's design row x_i and a K × K
/// (binary: 1 × 1) factor B_i of its curvature. Kept in this form, products with U cost O(p·K)
/// per sample instead of a dense O(p·K·m) column block (`DowndatedCholesky.downdate(by:thenSolve:)`).
public struct KroneckerFactor: Sendable, Equatable {
  /// x_i as rows: s × p.
  public let vectors: Matrix
  /// B_i, one K × m matrix per row of `vectors`.
  public let mixing: [Matrix]

  public init(vectors: Matrix, mixing: [Matrix]) {
    precondition(vectors.rows == mixing.count, "one mixing matrix per vector: \(vectors.rows) vs \(mixing.count)")
    if let first = mixing.first {
      precondition(
        mixing.allSatisfy { $0.rows == first.rows && $0.columns == first.columns },
        "every mixing matrix must have the same shape")
    }
    self.vectors = vectors
    self.mixing = mixing
  }

  /// s, the number of column groups.
  public var groupCount: Int { vectors.rows }
  /// K, the rows of each mixing matrix (0 when there are no groups).
  public var blockSize: Int { mixing.first?.rows ?? 0 }
  /// m, the columns of each group.
  public var groupWidth: Int { mixing.first?.columns ?? 0 }
  /// p·K.
  public var rows: Int { vectors.columns * blockSize }
  /// s·m.
  public var columns: Int { groupCount * groupWidth }

  /// U written out, rows × columns.
  public var dense: Matrix {
    let k = blockSize
    let m = groupWidth
    var u = Matrix(rows: rows, columns: columns)
    for i in 0..<groupCount {
      for j in 0..<vectors.columns {
        let x = vectors[i, j]
        guard x != 0 else { continue }
        for row in 0..<k {
          for c in 0..<m { u[j * k + row, i * m + c] = x * mixing[i][row, c] }
        }
      }
    }
    return u
  }
}
