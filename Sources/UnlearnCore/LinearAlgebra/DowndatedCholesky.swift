import CUnlearnBLAS

/// Solves (A − U·Uᵀ)·x = b from a fixed Cholesky factorization of A and a low-rank U that grows by
/// appending columns, through the Woodbury identity — the O(n²·rank) alternative to refactoring the
/// downdated matrix in O(n³) (Woodbury 1950; Golub & Van Loan, "Matrix Computations", §2.1.4):
///
///     (A − UUᵀ)⁻¹ = A⁻¹ + A⁻¹U·(I − UᵀA⁻¹U)⁻¹·UᵀA⁻¹.
///
/// The capacitance C = I − UᵀA⁻¹U = GᵀG is kept factored. A solve is carried out in one of two
/// ways, which agree to rounding:
///
/// - With `keepsInverse`, A⁻¹ itself is formed once (`CholeskyFactorization.inverse()`, O(2n³/3),
///   twice the factorization) and U and W = A⁻¹U are kept:
///
///       (A − UUᵀ)⁻¹·b = h + W·C⁻¹·Uᵀh,   h = A⁻¹b,
///
///   so a solve is one symmetric product (`dsymv`), which reads one triangle of A⁻¹ once, and a
///   Kronecker-structured downdate (a logistic model's per-sample Hessian factors, x ⊗ B) gets W
///   and h for the solve after it from that same single read (`BlockSymmetricProduct`). A⁻¹ is
///   kept in the factors' class-major order, where each row's Kronecker columns are contiguous. One
///   `dsymv` reads P² numbers where the same solve from the factor's inverse takes two triangular
///   products with R⁻¹.
/// - Without it, with A = RᵀR and V = R⁻ᵀU (so C = I − VᵀV):
///
///       (A − UUᵀ)⁻¹·b = R⁻¹·(z + V·C⁻¹·Vᵀz),   z = R⁻ᵀb,
///
///   every pass a substitution with R: the choice for a value used for a request or two (a state
///   read from disk), where inverting would cost more than it saves.
///
/// Both are x = Q·(y + Ŕ·C⁻¹·Ĺᵀy) with y = P·b and C = I − ĹᵀŔ: (P, Q, Ĺ, Ŕ) = (A⁻¹, I, U, W)
/// with the inverse and (R⁻ᵀ, R⁻¹, V, V) without; the value keeps Ĺ and Ŕ.
///
/// A − UUᵀ is positive definite exactly when C is, so a downdate that would make it indefinite is
/// refused (`LinearAlgebraError.notPositiveDefinite`) and leaves the value unchanged. Appending m
/// columns costs O(n²·m) (for a Kronecker U with the inverse: the non-zero rows of A⁻¹, once for
/// all m) and extends G by a block Cholesky step (O(n·rank·m + rank²·m)); a solve costs one pass
/// over A⁻¹ or two over R, plus O(n·rank). Memory: R and A⁻¹ take n² doubles each, and every column
/// of U adds n doubles (2n with the inverse, except that a Kronecker U is kept as its factor,
/// `LeftColumns`: n per column for W and p + K·m per group for U).
public struct DowndatedCholesky: Sendable, Equatable {
  /// The factorization of A, never modified.
  public let base: CholeskyFactorization
  /// A⁻¹, both triangles, row-major, in class-major order (row κ·p + j is A's row j·K + κ), when
  /// kept (derived from `base`: not part of ==).
  private let inverse: Matrix?
  /// K, the block size of the class-major order.
  private let blockSize: Int
  /// Ĺᵀ and Ŕᵀ by downdate: block b holds the rows that downdate b appended (its columns of U),
  /// each n long, row-major (Ĺ's as the Kronecker factor when it is one). Blocks, not one array,
  /// so that a copy of the value (a state kept while its successor is made) shares the old rows
  /// and appends only the new ones — except while they are small (`mergeBlocksIfSmall`).
  /// (The blocks also hold G, the upper Cholesky factor of C = I − ĹᵀŔ, by block column.)
  private var blocks: [Block] = []
  /// The number of columns of U so far.
  public private(set) var rank = 0

  /// One downdate's m columns, transposed: Ĺᵀ = Uᵀ and Ŕᵀ = (A⁻¹U)ᵀ with the inverse (class-major,
  /// like it); both Vᵀ (one shared array) without. And its block column of G: the coupling B to
  /// the earlier columns (rank before × m) over the diagonal block G₂₂ (m × m) — so a downdate
  /// appends O(rank·m) numbers to G instead of copying all rank² of them.
  private struct Block: Sendable, Equatable {
    var left: LeftColumns
    var right: [Double]
    var coupling: Matrix
    var diagonal: CholeskyFactorization
  }

  /// Starts from A = RᵀR with nothing subtracted; with `keepsInverse`, forms A⁻¹ (O(2n³/3)) for
  /// faster downdates and solves. `blockSize` is the K of the Kronecker factors to come (n = p·K):
  /// the inverse is kept in their class-major order (see `BlockSymmetricProduct`).
  public init(base: CholeskyFactorization, keepsInverse: Bool = false, blockSize: Int = 1) {
    precondition(
      blockSize >= 1 && base.dimension % blockSize == 0,
      "DowndatedCholesky: the order \(base.dimension) is not a multiple of the block size \(blockSize)")
    self.base = base
    self.blockSize = blockSize
    if keepsInverse {
      var inverse = base.inverse()
      Self.permuteToClassMajor(&inverse, blockSize: blockSize)
      self.inverse = inverse
    } else {
      self.inverse = nil
    }
  }

  /// Whether A⁻¹ is kept (see the type's documentation).
  public var keepsInverse: Bool { inverse != nil }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.base == rhs.base && lhs.blocks == rhs.blocks
  }

  /// The order n of A.
  public var dimension: Int { base.dimension }

  /// The Cholesky factor of A − UUᵀ itself, with U folded in by rank-one downdates, one column at
  /// a time. O(n²·rank). Afterwards nothing of U is kept: what to persist when U holds data that
  /// must not survive (the features of forgotten samples).
  public func folded() throws -> CholeskyFactorization {
    let n = dimension
    let (columns, _) = downdateColumns()
    var factor = base
    for k in 0..<columns.rows {
      try factor.downdate(by: Array(columns.elements[(k * n)..<((k + 1) * n)]))
    }
    return factor
  }

  /// A fresh value for A − UUᵀ − Σ VᵢVᵢᵀ (`subtracting` the Kronecker-structured Vᵢ) with no
  /// Woodbury terms, everything folded in at BLAS-3 speed: A = RᵀR formed (`dtrmm`, n³/3 flops),
  /// the outer products subtracted (`KroneckerFactor.subtractGram`, 2n² per group, for the
  /// Kronecker terms; `dsyrk`, n² per column, for written-out ones), the result factored
  /// (`dpotrf`, n³/3) and, when this value keeps A⁻¹, inverted (2n³/3). What `folded()` does by
  /// n²-per-column sweeps that cannot use blocked kernels, for when the Woodbury terms have grown
  /// so long that every solve pays for them, or a downdate is too wide to append; no data is read,
  /// unlike rebuilding the matrix. Throws `notPositiveDefinite` when the downdated matrix is not.
  public func refolded(subtracting extra: [KroneckerFactor] = []) throws -> DowndatedCholesky {
    let n = dimension
    guard n > 0 else { return self }
    var a = base.upper
    base.upper.withUnsafeBufferPointer { r in
      a.withUnsafeMutableBufferPointer { b in
        cblas_dtrmm(
          CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), Int32(n), 1, r.baseAddress,
          Int32(n), b.baseAddress, Int32(n))
      }
    }
    let (columns, factors) = downdateColumns(keepingKroneckerFactors: true)
    if columns.rows > 0 { BLAS.syrk(columns, transpose: true, alpha: -1, beta: 1, into: &a) }
    for factor in factors + extra where factor.groupCount > 0 {
      precondition(factor.rows == n, "refolded: the matrix is \(n)×\(n) but V has \(factor.rows) rows")
      factor.subtractGram(from: &a)
    }
    return DowndatedCholesky(base: try LAPACK.cholesky(a), keepsInverse: keepsInverse, blockSize: blockSize)
  }

  /// Uᵀ written out, rows of n in A's own (feature-major) order: Ĺ's rows moved back from
  /// class-major with the inverse, and U = RᵀV (so Uᵀ = VᵀR, one `dtrmm`) without it. With
  /// `keepingKroneckerFactors`, the downdates kept as Kronecker factors are returned as such
  /// instead of written out.
  private func downdateColumns(keepingKroneckerFactors: Bool = false) -> (Matrix, [KroneckerFactor]) {
    let n = dimension
    var factors: [KroneckerFactor] = []
    var kept: [Block] = []
    for block in blocks {
      if keepingKroneckerFactors, case .kronecker(let factor) = block.left {
        factors.append(factor)
      } else {
        kept.append(block)
      }
    }
    let count = kept.reduce(0) { $0 + $1.left.count(dimension: n) }
    var rows = Matrix(rows: count, columns: n)
    var offset = 0
    for block in kept {
      let left = block.left.dense(dimension: n)
      for k in 0..<block.left.count(dimension: n) {
        let u = Array(left[(k * n)..<((k + 1) * n)])
        let row = inverse == nil ? u : featureMajor(u)
        for j in 0..<n { rows[offset + k, j] = row[j] }
      }
      offset += block.left.count(dimension: n)
    }
    if inverse == nil && count > 0 {
      base.upper.withUnsafeBufferPointer { r in
        rows.withUnsafeMutableBufferPointer { v in
          cblas_dtrmm(
            CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(count), Int32(n), 1,
            r.baseAddress, Int32(n), v.baseAddress, Int32(n))
        }
      }
    }
    return (rows, factors)
  }

  /// Subtracts U·Uᵀ (U is n × m) from the represented matrix.
  public mutating func downdate(by u: Matrix) throws {
    precondition(u.rows == dimension, "downdate: the matrix is \(dimension)×\(dimension) but U has \(u.rows) rows")
    guard let inverse else {
      let v = base.solveTransposed(u).transposed().elements
      try append(left: .dense(v), right: v)
      return
    }
    var permuted = Matrix(rows: u.rows, columns: u.columns)
    let p = dimension / blockSize
    for j in 0..<p {
      for kappa in 0..<blockSize {
        for c in 0..<u.columns { permuted[kappa * p + j, c] = u[j * blockSize + kappa, c] }
      }
    }
    try append(
      left: .dense(permuted.transposed().elements), right: BLAS.product(inverse, permuted).transposed().elements)
  }

  /// Subtracts U·Uᵀ, then solves with the downdated matrix; without the inverse, U and b share one
  /// triangular solve.
  public mutating func downdate(by u: Matrix, thenSolve b: [Double]) throws -> [Double] {
    precondition(u.rows == dimension && b.count == dimension, "downdate: U or b does not have \(dimension) rows")
    guard inverse == nil else {
      try downdate(by: u)
      return solve(b)
    }
    let m = u.columns
    var combined = Matrix(rows: dimension, columns: m + 1)
    for i in 0..<dimension {
      for j in 0..<m { combined[i, j] = u[i, j] }
      combined[i, m] = b[i]
    }
    let solved = base.solveTransposed(combined).transposed()  // (m + 1) × n: Vᵀ, then zᵀ
    let v = Array(solved.elements[0..<(m * dimension)])
    try append(left: .dense(v), right: v)
    return finishSolve(Array(solved.elements[(m * dimension)...]))
  }

  /// Subtracts U·Uᵀ for a Kronecker-structured U (n = p·K rows), then solves with the downdated
  /// matrix. With the inverse, W = A⁻¹U is Σ_j x_i[j]·(row j·K + κ of A⁻¹) combined by B_i: the
  /// rows for features that are zero in every group are never read, and each row read is read once
  /// for all groups and columns. Without it, U is written out and goes through the substitution of
  /// `downdate(by:thenSolve:)`.
  public mutating func downdate(by factor: KroneckerFactor, thenSolve b: [Double]) throws -> [Double] {
    let n = dimension
    guard factor.groupCount > 0 else { return solve(b) }
    precondition(
      factor.rows == n && b.count == n,
      "downdate: the matrix is \(n)×\(n) but U has \(factor.rows) rows and b \(b.count) entries")
    guard let inverse, factor.blockSize == blockSize else { return try downdate(by: factor.dense, thenSolve: b) }
    let k = blockSize
    let groups = factor.groupCount
    let width = factor.groupWidth
    let p = n / k
    // h = A⁻¹b and unmixed[(i·K + κ)·n ..< +n] = A⁻¹(e_κ ⊗ x_i), class-major, in one pass.
    var h = [Double](repeating: 0, count: n)
    var unmixed = [Double](repeating: 0, count: groups * k * n)
    let permutedB = classMajor(b)
    inverse.withUnsafeBufferPointer { a in
      factor.vectors.withUnsafeBufferPointer { x in
        BlockSymmetricProduct.apply(
          upper: a.baseAddress!, classes: k, features: p, b: permutedB, vectors: x.baseAddress!, count: groups,
          h: &h, y: &unmixed, threads: BLAS.threadCount)
      }
    }
    // Column c of group i: U's is B_i[:, c] ⊗ x_i (kept as the factor), W's is
    // Σ_κ B_i[κ, c]·A⁻¹(e_κ ⊗ x_i).
    var right = [Double](repeating: 0, count: groups * width * n)
    unmixed.withUnsafeBufferPointer { y in
      right.withUnsafeMutableBufferPointer { w in
        for i in 0..<groups {
          let mixing = factor.mixing[i]
          for c in 0..<width {
            let column = (i * width + c) * n
            for kappa in 0..<k where mixing[kappa, c] != 0 {
              cblas_daxpy(
                Int32(n), mixing[kappa, c], y.baseAddress! + (i * k + kappa) * n, 1, w.baseAddress! + column, 1)
            }
          }
        }
      }
    }
    try append(left: .kronecker(factor), right: right)
    return featureMajor(finishSolve(h))
  }

  /// x with (A − UUᵀ)·x = b. O(n² + n·rank + rank²).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == dimension, "solve: the matrix is \(dimension)×\(dimension) but b has \(b.count) entries")
    guard let inverse else { return finishSolve(base.solveTransposed(b)) }
    var h = [Double](repeating: 0, count: dimension)
    guard dimension > 0 else { return h }
    let permuted = classMajor(b)
    inverse.withUnsafeBufferPointer { a in
      cblas_dsymv(
        CblasRowMajor, CblasUpper, Int32(dimension), 1, a.baseAddress, Int32(dimension), permuted, 1, 0, &h, 1)
    }
    return featureMajor(finishSolve(h))
  }

  /// v[j·K + κ] moved to κ·p + j.
  private func classMajor(_ v: [Double]) -> [Double] {
    guard blockSize > 1 else { return v }
    let p = dimension / blockSize
    return (0..<dimension).map { v[($0 % p) * blockSize + $0 / p] }
  }

  /// The inverse of `classMajor(_:)`.
  private func featureMajor(_ v: [Double]) -> [Double] {
    guard blockSize > 1 else { return v }
    let p = dimension / blockSize
    return (0..<dimension).map { v[($0 % blockSize) * p + $0 / blockSize] }
  }

  /// Puts a symmetric matrix's rows and columns in class-major order, in place (one row of extra
  /// memory, where a permuted copy would take a second P × P matrix at the largest moment of a
  /// fit): row and column g take the feature-major index σ(g) = (g mod p)·k + ⌊g/p⌋. Rows move
  /// along the permutation's cycles, then each row's entries are permuted through a buffer.
  static func permuteToClassMajor(_ a: inout Matrix, blockSize k: Int) {
    guard k > 1 else { return }
    let n = a.rows
    let p = n / k
    func source(_ g: Int) -> Int { (g % p) * k + g / p }
    var buffer = [Double](repeating: 0, count: n)
    var placed = [Bool](repeating: false, count: n)
    a.withUnsafeMutableBufferPointer { a in
      let base = a.baseAddress!
      for start in 0..<n where !placed[start] {
        buffer.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: base + start * n, count: n) }
        var current = start
        while true {
          placed[current] = true
          let next = source(current)
          if next == start {
            buffer.withUnsafeBufferPointer { (base + current * n).update(from: $0.baseAddress!, count: n) }
            break
          }
          (base + current * n).update(from: base + next * n, count: n)
          current = next
        }
      }
      for row in 0..<n {
        let target = base + row * n
        buffer.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: target, count: n) }
        for g in 0..<n { target[g] = buffer[source(g)] }
      }
    }
  }

  /// Q·(y + Ŕ·C⁻¹·Ĺᵀy) for y = P·b (Q = I with the inverse, R⁻¹ without).
  private func finishSolve(_ y: [Double]) -> [Double] {
    var x = y
    if rank > 0 {
      let n = dimension
      var w = [Double](repeating: 0, count: rank)
      y.withUnsafeBufferPointer { y in
        w.withUnsafeMutableBufferPointer { w in
          forEachBlock { block, _, offset in
            block.left.transposedProducts(
              y.baseAddress!, count: 1, dimension: n, into: w.baseAddress! + offset, ld: 1)
          }
        }
      }
      let t = capacitanceSolve(w)
      forEachBlock { block, rows, offset in
        t.withUnsafeBufferPointer { t in
          cblas_dgemv(
            CblasRowMajor, CblasTrans, Int32(rows), Int32(n), 1, block.right, Int32(n), t.baseAddress! + offset, 1,
            1, &x, 1)
        }
      }
    }
    return inverse == nil ? base.solveUpper(x) : x
  }

  /// Calls `body` with each block, its number of rows, and the index of its first row.
  private func forEachBlock(_ body: (Block, _ rows: Int, _ offset: Int) -> Void) {
    var offset = 0
    for block in blocks {
      let rows = block.left.count(dimension: dimension)
      body(block, rows, offset)
      offset += rows
    }
  }

  /// Y with GᵀY = W (W: rank × columns), block row by block row: Y_b = G₂₂⁻ᵀ(W_b − BᵀY_<b).
  private func capacitanceSolveTransposed(_ w: Matrix) -> Matrix {
    let c = Int32(w.columns)
    var y = w
    y.withUnsafeMutableBufferPointer { buffer in
      let y = buffer.baseAddress!
      var offset = 0
      for block in blocks {
        let m = Int32(block.diagonal.dimension)
        let rows = y + offset * Int(c)
        if offset > 0 {
          cblas_dgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, m, c, Int32(offset), -1, block.coupling.elements, m, y, c, 1,
            rows, c)
        }
        cblas_dtrsm(
          CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, m, c, 1, block.diagonal.upper.elements, m,
          rows, c)
        offset += Int(m)
      }
    }
    return y
  }

  /// t with GᵀG·t = w, without allocating per block (breast_cancer's requests solve with up to
  /// 15 one-column blocks): Gᵀy = w as above, then G·t = y from the last block up, each solved block
  /// taken out of the rows above it through its coupling.
  private func capacitanceSolve(_ w: [Double]) -> [Double] {
    var r = capacitanceSolveTransposed(Matrix(rows: rank, columns: 1, elements: w)).elements
    r.withUnsafeMutableBufferPointer { buffer in
      let r = buffer.baseAddress!
      var offset = rank
      for block in blocks.reversed() {
        let m = Int32(block.diagonal.dimension)
        offset -= Int(m)
        cblas_dtrsv(
          CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, m, block.diagonal.upper.elements, m, r + offset, 1)
        if offset > 0 {
          cblas_dgemv(
            CblasRowMajor, CblasNoTrans, Int32(offset), m, -1, block.coupling.elements, m, r + offset, 1, 1, r, 1)
        }
      }
    }
    return r
  }

  /// Appends m new columns, Ĺ_new and Ŕ_new given transposed (m rows of n): extends G by the block
  /// column [B; G₂₂] with GᵀB = −ĹᵀŔ_new and G₂₂ᵀG₂₂ = I − Ĺ_newᵀŔ_new − BᵀB.
  private mutating func append(left: LeftColumns, right: [Double]) throws {
    let n = dimension
    let m = left.count(dimension: n)
    let old = rank
    guard m > 0 else { return }
    // Ĺᵀ·Ŕ_new (old × m), block by block, and Ĺ_newᵀ·Ŕ_new (m × m).
    var cross = Matrix(rows: old, columns: m)
    var newCross = Matrix(rows: m, columns: m)
    right.withUnsafeBufferPointer { r in
      cross.withUnsafeMutableBufferPointer { c in
        forEachBlock { block, _, offset in
          block.left.transposedProducts(
            r.baseAddress!, count: m, dimension: n, into: c.baseAddress! + offset * m, ld: m)
        }
      }
      newCross.withUnsafeMutableBufferPointer { c in
        left.transposedProducts(r.baseAddress!, count: m, dimension: n, into: c.baseAddress!, ld: m)
      }
    }
    var b = Matrix(rows: old, columns: m)
    if old > 0 {
      for i in 0..<old { for j in 0..<m { cross[i, j] = -cross[i, j] } }
      b = capacitanceSolveTransposed(cross)
    }
    var schur = Matrix.identity(m)
    for i in 0..<m { for j in 0..<m { schur[i, j] -= newCross[i, j] } }
    if old > 0 { BLAS.gemm(b, b, transposeA: true, alpha: -1, beta: 1, into: &schur) }
    let diagonal = try LAPACK.cholesky(schur)
    blocks.append(Block(left: left, right: right, coupling: b, diagonal: diagonal))
    rank += m
    mergeBlocksIfSmall()
  }

  /// Ĺ and Ŕ of at most this many numbers each are kept as one block.
  static let mergedBlockLimit = 4_096

  /// While Ĺ and Ŕ are small (rank·n ≤ `mergedBlockLimit`), the blocks become one, G's block
  /// columns one upper-triangular factor: each block costs every later solve and downdate a few BLAS
  /// calls, which on a small model are most of the work, while copying what small blocks hold costs
  /// next to nothing.
  /// Larger values keep their blocks, so that a copy of the value shares them (see `blocks`).
  private mutating func mergeBlocksIfSmall() {
    let n = dimension
    guard blocks.count > 1 && rank * n <= Self.mergedBlockLimit else { return }
    var left: [Double] = []
    var right: [Double] = []
    left.reserveCapacity(rank * n)
    right.reserveCapacity(rank * n)
    var g = Matrix(rows: rank, columns: rank)
    var offset = 0
    for block in blocks {
      left += block.left.dense(dimension: n)
      right += block.right
      let m = block.diagonal.dimension
      for i in 0..<offset { for j in 0..<m { g[i, offset + j] = block.coupling[i, j] } }
      for i in 0..<m { for j in i..<m { g[offset + i, offset + j] = block.diagonal.upper[i, j] } }
      offset += m
    }
    blocks = [
      Block(
        left: .dense(left), right: right, coupling: Matrix(rows: 0, columns: rank),
        diagonal: CholeskyFactorization(upper: g))
    ]
  }
}
