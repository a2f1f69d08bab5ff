import CUnlearnBLAS

extension DowndatedCholesky {
  /// Ĺ's columns of one downdate, as kept: written out (m rows of n, Ĺᵀ row-major), or, for a
  /// Kronecker-structured U with the inverse kept, the factor itself. Ĺ = U there, and a group's
  /// columns B_i[:, c] ⊗ x_i hold p + K·m numbers instead of n·m = p·K·m: products with Ĺᵀ — every
  /// solve's Ĺᵀy and every downdate's ĹᵀŔ_new — read x_i and B_i, O(n) per group, instead of
  /// m rows of n (digits, K = 10: a tenth of the work and none of the memory traffic of Ĺ, which
  /// at the refactoring rank is as large as A⁻¹'s triangle).
  enum LeftColumns: Sendable, Equatable {
    case dense([Double])
    /// Class-major like A⁻¹: row κ·p + j of group i's column c is x_i[j]·B_i[κ, c].
    case kronecker(KroneckerFactor)

    /// m, the number of columns.
    func count(dimension n: Int) -> Int {
      switch self {
      case .dense(let rows): rows.count / Swift.max(n, 1)
      case .kronecker(let factor): factor.columns
      }
    }

    /// Ĺᵀ written out: m rows of n.
    func dense(dimension n: Int) -> [Double] {
      switch self {
      case .dense(let rows):
        return rows
      case .kronecker(let factor):
        let (k, m, p) = (factor.blockSize, factor.groupWidth, factor.vectors.columns)
        var rows = [Double](repeating: 0, count: factor.columns * n)
        for i in 0..<factor.groupCount {
          for c in 0..<m {
            for kappa in 0..<k where factor.mixing[i][kappa, c] != 0 {
              let weight = factor.mixing[i][kappa, c]
              for j in 0..<p { rows[(i * m + c) * n + kappa * p + j] = weight * factor.vectors[i, j] }
            }
          }
        }
        return rows
      }
    }

    /// out[r·ld + t] = (Ĺᵀ·v_t)[r] for the `count` vectors v_t, the rows of `vectors` (each n long,
    /// class-major), r over the m columns.
    func transposedProducts(
      _ vectors: UnsafePointer<Double>, count: Int, dimension n: Int, into out: UnsafeMutablePointer<Double>, ld: Int
    ) {
      switch self {
      case .dense(let rows):
        let m = rows.count / Swift.max(n, 1)
        guard m > 0 && count > 0 else { return }
        cblas_dgemm(
          CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(count), Int32(n), 1, rows, Int32(n), vectors,
          Int32(n), 0, out, Int32(ld))
      case .kronecker(let factor):
        let (k, m, p) = (factor.blockSize, factor.groupWidth, factor.vectors.columns)
        guard factor.groupCount > 0 && count > 0 else { return }
        // The vectors as (count·K) × p: z = that · x_i holds, per vector and class, Σ_j x_i[j]·v[κ·p + j].
        var z = [Double](repeating: 0, count: count * k)
        factor.vectors.withUnsafeBufferPointer { x in
          for i in 0..<factor.groupCount {
            cblas_dgemv(
              CblasRowMajor, CblasNoTrans, Int32(count * k), Int32(p), 1, vectors, Int32(p), x.baseAddress! + i * p, 1,
              0, &z, 1)
            let mixing = factor.mixing[i]
            for c in 0..<m {
              for t in 0..<count {
                var sum = 0.0
                for kappa in 0..<k { sum += mixing[kappa, c] * z[t * k + kappa] }
                out[(i * m + c) * ld + t] = sum
              }
            }
          }
        }
      }
    }
  }
}
