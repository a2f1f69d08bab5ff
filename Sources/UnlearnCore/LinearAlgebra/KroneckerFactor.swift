import CUnlearnBLAS

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

extension KroneckerFactor {
  /// a ← a − U·Uᵀ for a square `a` of order p·K, feature-major like U, using the structure:
  ///
  ///     U·Uᵀ = Σ_i (x_i x_iᵀ) ⊗ C_i,   C_i = B_i·B_iᵀ (K × K),
  ///
  /// so the rows j·K + κ of U·Uᵀ (j over the p features, κ fixed) are Xᵀ·Y_κ with X the s × p
  /// `vectors` and Y_κ[i, l·K + λ] = C_i[κ, λ]·x_i[l]: K products of p × s by s × p·K (`dgemm`),
  /// written straight into those rows (stride K·p·K). 2·s·(pK)² flops, where `BLAS.syrk` on U
  /// written out takes (pK)²·s·m: K times less for a softmax model's m = K columns per sample.
  /// Both triangles are updated.
  public func subtractGram(from a: inout Matrix) {
    let (s, p, k, m) = (groupCount, vectors.columns, blockSize, groupWidth)
    let n = p * k
    precondition(a.rows == n && a.columns == n, "subtractGram: a is \(a.rows)×\(a.columns), U has \(n) rows")
    guard s > 0 && n > 0 else { return }
    // C_i = B_i·B_iᵀ, row-major, one after another.
    var curvature = [Double](repeating: 0, count: s * k * k)
    curvature.withUnsafeMutableBufferPointer { c in
      for i in 0..<s {
        mixing[i].withUnsafeBufferPointer { b in
          cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k), Int32(k), Int32(m), 1, b.baseAddress, Int32(m),
            b.baseAddress, Int32(m), 0, c.baseAddress! + i * k * k, Int32(k))
        }
      }
    }
    var y = [Double](repeating: 0, count: s * n)
    vectors.withUnsafeBufferPointer { x in
      curvature.withUnsafeBufferPointer { c in
        y.withUnsafeMutableBufferPointer { y in
          a.withUnsafeMutableBufferPointer { target in
            for kappa in 0..<k {
              for i in 0..<s {
                let row = c.baseAddress! + (i * k + kappa) * k
                let out = y.baseAddress! + i * n
                for l in 0..<p {
                  let xl = x[i * p + l]
                  for lambda in 0..<k { out[l * k + lambda] = row[lambda] * xl }
                }
              }
              cblas_dgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(n), Int32(s), -1, x.baseAddress, Int32(p),
                y.baseAddress, Int32(n), 1, target.baseAddress! + kappa * n, Int32(k * n))
            }
          }
        }
      }
    }
  }
}
