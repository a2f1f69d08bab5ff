import CUnlearnBLAS

/// Solves (A − U·Uᵀ)·x = b from a fixed Cholesky factorization of A and a low-rank U that grows by
/// appending columns, through the Woodbury identity — the O(n²·rank) alternative to refactoring the
/// downdated matrix in O(n³) (Woodbury 1950; Golub & Van Loan, "Matrix Computations", §2.1.4):
///
///     (A − UUᵀ)⁻¹ = A⁻¹ + A⁻¹U·(I − UᵀA⁻¹U)⁻¹·UᵀA⁻¹.
///
/// With A = RᵀR (R upper triangular), T = R⁻¹, V = R⁻ᵀU = TᵀU and the capacitance
/// C = I − VᵀV = GᵀG:
///
///     (A − UUᵀ)⁻¹·b = T·(z + V·C⁻¹·Vᵀz),   z = Tᵀb.
///
/// With `keepsInverse`, T is formed once (`dtrtri`, O(n³/3), as much as the factorization) so that
/// both triangular passes of a solve are products (`dtrmv`) and, above all, so that V for a
/// Kronecker-structured U (a logistic model's per-sample Hessian factors) costs one pass over T for
/// any number of classes: row r of T contributes to one column per sample, where substitution has
/// to carry every column through every later row (at 7,850², one thread, profiled: ≈ 17 ms against
/// 47–58 ms for the blocked substitution of one softmax sample's 10 columns and the right-hand
/// side). Without it every pass is a substitution with R: the choice for a value used for a
/// request or two (a state read from disk), where inverting would cost more than it saves. The
/// results agree to rounding either way.
///
/// A − UUᵀ is positive definite exactly when C is, so a downdate that would make it indefinite is
/// refused (`LinearAlgebraError.notPositiveDefinite`) and leaves the value unchanged. Appending m
/// columns costs O(n²·m) for a dense U (O(n²) for a Kronecker one) and extends G by a block
/// Cholesky step (O(n·rank·m + rank²·m)); a solve costs two passes over R or T plus O(n·rank). V
/// is kept (rank × n), so memory grows by n doubles per column of U; R and T take n² doubles each.
public struct DowndatedCholesky: Sendable, Equatable {
  /// The factorization of A, never modified.
  public let base: CholeskyFactorization
  /// T = R⁻¹, upper triangular, row-major, when kept (derived from `base`: not part of ==).
  private let inverseUpper: Matrix?
  /// Vᵀ = (R⁻ᵀU)ᵀ by downdate: block b holds the rows of Vᵀ that downdate b appended (its
  /// columns of U), each n long, row-major. Blocks, not one array, so that a copy of the value
  /// (a state kept while its successor is made) shares the old rows and appends only the new ones.
  private var projectedBlocks: [[Double]] = []
  /// The upper Cholesky factor G of C = I − VᵀV, rank × rank.
  private var capacitance = Matrix(rows: 0, columns: 0)

  /// Starts from A = RᵀR with nothing subtracted; with `keepsInverse`, inverts R (O(n³/3)) for
  /// faster downdates and solves.
  public init(base: CholeskyFactorization, keepsInverse: Bool = false) {
    self.base = base
    self.inverseUpper = keepsInverse ? base.inverseUpper() : nil
  }

  /// Whether T = R⁻¹ is kept (see the type's documentation).
  public var keepsInverse: Bool { inverseUpper != nil }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.base == rhs.base && lhs.projectedBlocks == rhs.projectedBlocks && lhs.capacitance == rhs.capacitance
  }

  /// The order n of A.
  public var dimension: Int { base.dimension }

  /// The Cholesky factor of A − UUᵀ itself, with U folded in by rank-one downdates (U = RᵀV,
  /// one column at a time). O(n²·rank). Afterwards nothing of U is kept: what to persist when U
  /// holds data that must not survive (the features of forgotten samples).
  public func folded() throws -> CholeskyFactorization {
    let n = dimension
    var factor = base
    for k in 0..<rank {
      var u = row(ofProjected: k)
      base.upper.withUnsafeBufferPointer { r in
        cblas_dtrmv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), r.baseAddress, Int32(n), &u, 1)
      }
      factor = try factor.downdated(by: u)
    }
    return factor
  }

  /// Row k of Vᵀ (column k of V).
  private func row(ofProjected k: Int) -> [Double] {
    let n = dimension
    var found: [Double]?
    forEachProjectedBlock { vt, rows, offset in
      if (offset..<(offset + rows)).contains(k) { found = Array(vt[((k - offset) * n)..<((k - offset + 1) * n)]) }
    }
    guard let found else { preconditionFailure("row \(k) of Vᵀ, which has \(rank) rows") }
    return found
  }

  /// Calls `body` with each block of Vᵀ, its number of rows, and the index of its first row in Vᵀ.
  private func forEachProjectedBlock(_ body: (UnsafeBufferPointer<Double>, _ rows: Int, _ offset: Int) -> Void) {
    var offset = 0
    for block in projectedBlocks {
      let rows = block.count / dimension
      block.withUnsafeBufferPointer { body($0, rows, offset) }
      offset += rows
    }
  }

  /// The number of columns of U so far.
  public var rank: Int { capacitance.rows }

  /// Subtracts U·Uᵀ (U is n × m) from the represented matrix.
  public mutating func downdate(by u: Matrix) throws {
    precondition(u.rows == dimension, "downdate: the matrix is \(dimension)×\(dimension) but U has \(u.rows) rows")
    try append(transposed: base.solveTransposed(u).transposed().elements)
  }

  /// Subtracts U·Uᵀ, then solves with the downdated matrix; U and b share one triangular solve.
  public mutating func downdate(by u: Matrix, thenSolve b: [Double]) throws -> [Double] {
    precondition(u.rows == dimension && b.count == dimension, "downdate: U or b does not have \(dimension) rows")
    let m = u.columns
    var combined = Matrix(rows: dimension, columns: m + 1)
    for i in 0..<dimension {
      for j in 0..<m { combined[i, j] = u[i, j] }
      combined[i, m] = b[i]
    }
    let solved = base.solveTransposed(combined).transposed()  // (m + 1) × n: Vᵀ, then zᵀ
    try append(transposed: Array(solved.elements[0..<(m * dimension)]))
    return finishSolve(Array(solved.elements[(m * dimension)...]))
  }

  /// Subtracts U·Uᵀ for a Kronecker-structured U (n = p·K rows), then solves with the downdated
  /// matrix. V = TᵀU is Σ_j x_i[j]·(row j·K + k of T) combined by B_i, so one pass over T gives
  /// every group's V and z = Tᵀb together: O(n²·(s + 1)/2) for s groups, whatever K and m are.
  /// Without T, U is written out and goes through the substitution of `downdate(by:thenSolve:)`.
  public mutating func downdate(by factor: KroneckerFactor, thenSolve b: [Double]) throws -> [Double] {
    let n = dimension
    guard factor.groupCount > 0 else { return solve(b) }
    precondition(
      factor.rows == n && b.count == n,
      "downdate: the matrix is \(n)×\(n) but U has \(factor.rows) rows and b \(b.count) entries")
    let k = factor.blockSize
    let groups = factor.groupCount
    let width = factor.groupWidth
    let p = factor.vectors.columns
    guard let inverseUpper else { return try downdate(by: factor.dense, thenSolve: b) }
    // unmixed[(i·K + κ)·n ..< +n] = Tᵀ(x_i ⊗ e_κ) = Σ_j x_i[j]·T[j·K + κ, :]ᵀ, and
    // z = Σ_r b[r]·T[r, :]ᵀ: rows j·K + κ for four consecutive j at a time (same κ, so the same
    // target), each row of T read once from memory for every target.
    var unmixed = [Double](repeating: 0, count: groups * k * n)
    var z = [Double](repeating: 0, count: n)
    inverseUpper.withUnsafeBufferPointer { t in
      factor.vectors.withUnsafeBufferPointer { x in
        unmixed.withUnsafeMutableBufferPointer { y in
          z.withUnsafeMutableBufferPointer { z in
            let t = t.baseAddress!
            for j in stride(from: 0, to: p, by: 4) {
              let features = min(4, p - j)
              for kappa in 0..<k {
                let rows = (0..<features).map { (j + $0) * k + kappa }
                let first = rows[0]
                let pointers = rows.map { t + $0 * n + first }  // T is zero left of each row's diagonal
                for i in 0..<groups {
                  let scales = (0..<features).map { x[i * p + j + $0] }
                  let target = y.baseAddress! + (i * k + kappa) * n + first
                  if i == 0 {
                    Self.accumulate(
                      pointers, count: n - first, scales: scales, into: target,
                      alsoScaling: rows.map { b[$0] }, into: z.baseAddress! + first)
                  } else {
                    Self.accumulate(pointers, count: n - first, scales: scales, into: target)
                  }
                }
              }
            }
          }
        }
      }
    }
    // Vᵀ's rows for group i: column c of V is Σ_κ B_i[κ, c]·Tᵀ(x_i ⊗ e_κ).
    var projected = [Double](repeating: 0, count: groups * width * n)
    projected.withUnsafeMutableBufferPointer { v in
      unmixed.withUnsafeBufferPointer { y in
        for i in 0..<groups {
          let mixing = factor.mixing[i]
          for kappa in 0..<k {
            for c in 0..<width where mixing[kappa, c] != 0 {
              cblas_daxpy(
                Int32(n), mixing[kappa, c], y.baseAddress! + (i * k + kappa) * n, 1,
                v.baseAddress! + (i * width + c) * n, 1)
            }
          }
        }
      }
    }
    try append(transposed: projected)
    return finishSolve(z)
  }

  /// x with (A − UUᵀ)·x = b. O(n² + n·rank + rank²).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == dimension, "solve: the matrix is \(dimension)×\(dimension) but b has \(b.count) entries")
    return finishSolve(triangularPass(b, transposed: true))
  }

  /// target[c] += Σ_u scales[u]·rows[u][c] for c < count, and the same into `second` with
  /// `secondScales` when given: up to four rows read once for two targets.
  private static func accumulate(
    _ rows: [UnsafePointer<Double>], count: Int, scales: [Double], into target: UnsafeMutablePointer<Double>,
    alsoScaling secondScales: [Double]? = nil, into second: UnsafeMutablePointer<Double>? = nil
  ) {
    if rows.count == 4 {
      let (r0, r1, r2, r3) = (rows[0], rows[1], rows[2], rows[3])
      let (a0, a1, a2, a3) = (scales[0], scales[1], scales[2], scales[3])
      if let second, let secondScales {
        let (b0, b1, b2, b3) = (secondScales[0], secondScales[1], secondScales[2], secondScales[3])
        for c in 0..<count {
          let (t0, t1, t2, t3) = (r0[c], r1[c], r2[c], r3[c])
          target[c] += a0 * t0 + a1 * t1 + a2 * t2 + a3 * t3
          second[c] += b0 * t0 + b1 * t1 + b2 * t2 + b3 * t3
        }
      } else {
        for c in 0..<count { target[c] += a0 * r0[c] + a1 * r1[c] + a2 * r2[c] + a3 * r3[c] }
      }
      return
    }
    for (u, row) in rows.enumerated() {
      cblas_daxpy(Int32(count), scales[u], row, 1, target, 1)
      if let second, let secondScales { cblas_daxpy(Int32(count), secondScales[u], row, 1, second, 1) }
    }
  }

  /// R⁻¹·y or R⁻ᵀ·y: a product with T (`dtrmv`) when kept, else a substitution with R (`dtrsv`).
  private func triangularPass(_ y: [Double], transposed: Bool) -> [Double] {
    guard let inverseUpper else { return transposed ? base.solveTransposed(y) : base.solveUpper(y) }
    var result = y
    guard dimension > 0 else { return result }
    inverseUpper.withUnsafeBufferPointer { t in
      cblas_dtrmv(
        CblasRowMajor, CblasUpper, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit, Int32(dimension),
        t.baseAddress, Int32(dimension), &result, 1)
    }
    return result
  }

  /// R⁻¹·(z + V·C⁻¹·Vᵀz) for z = R⁻ᵀb.
  private func finishSolve(_ z: [Double]) -> [Double] {
    var y = z
    if rank > 0 {
      let n = dimension
      var w = [Double](repeating: 0, count: rank)
      forEachProjectedBlock { vt, rows, offset in
        w.withUnsafeMutableBufferPointer { w in
          cblas_dgemv(
            CblasRowMajor, CblasNoTrans, Int32(rows), Int32(n), 1, vt.baseAddress, Int32(n), z, 1, 0,
            w.baseAddress! + offset, 1)
        }
      }
      let t = CholeskyFactorization(upper: capacitance).solve(w)
      forEachProjectedBlock { vt, rows, offset in
        t.withUnsafeBufferPointer { t in
          cblas_dgemv(
            CblasRowMajor, CblasTrans, Int32(rows), Int32(n), 1, vt.baseAddress, Int32(n), t.baseAddress! + offset, 1,
            1, &y, 1)
        }
      }
    }
    return triangularPass(y, transposed: false)
  }

  /// Appends the columns of V_new = R⁻ᵀU_new, given as V_newᵀ (m rows of n): extends G by the
  /// block step [G B; 0 G₂₂] with GᵀB = −VᵀV_new and G₂₂ᵀG₂₂ = I − V_newᵀV_new − BᵀB.
  private mutating func append(transposed newRows: [Double]) throws {
    let n = dimension
    let m = newRows.count / n
    let old = rank
    guard m > 0 else { return }
    // Vᵀ·V_new (old × m), block by block, and V_newᵀ·V_new (m × m).
    var cross = Matrix(rows: old, columns: m)
    forEachProjectedBlock { vt, rows, offset in
      newRows.withUnsafeBufferPointer { vn in
        cross.withUnsafeMutableBufferPointer { c in
          cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(m), Int32(n), 1, vt.baseAddress, Int32(n),
            vn.baseAddress, Int32(n), 0, c.baseAddress! + offset * m, Int32(m))
        }
      }
    }
    let vNewTransposed = Matrix(rows: m, columns: n, elements: newRows)
    var b = Matrix(rows: old, columns: m)
    if old > 0 {
      for i in 0..<old { for j in 0..<m { cross[i, j] = -cross[i, j] } }
      b = CholeskyFactorization(upper: capacitance).solveTransposed(cross)
    }
    var schur = Matrix.identity(m)
    BLAS.gemm(vNewTransposed, vNewTransposed, transposeB: true, alpha: -1, beta: 1, into: &schur)
    if old > 0 { BLAS.gemm(b, b, transposeA: true, alpha: -1, beta: 1, into: &schur) }
    let g22 = try LAPACK.cholesky(schur).upper
    var grown = Matrix(rows: old + m, columns: old + m)
    for i in 0..<old {
      for j in i..<old { grown[i, j] = capacitance[i, j] }
      for j in 0..<m { grown[i, old + j] = b[i, j] }
    }
    for i in 0..<m { for j in i..<m { grown[old + i, old + j] = g22[i, j] } }
    capacitance = grown
    projectedBlocks.append(newRows)
  }
}
