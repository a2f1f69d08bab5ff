import Numerics
import Testing
import _UnlearnTestSupport

@testable import UnlearnCore

/// The Woodbury path against refactoring A − UUᵀ from scratch.
struct DowndatedCholeskyTests {
  /// A well-conditioned SPD A and a U small enough that A − UUᵀ stays positive definite.
  static func problem(n: Int, columns: Int, seed: UInt64) -> (Matrix, Matrix) {
    var generator = SeededGenerator(seed: seed)
    var a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    for i in 0..<n { a[i, i] += Double(n) }
    var u = RandomMatrices.uniform(rows: n, columns: columns, using: &generator)
    u = Matrix(rows: n, columns: columns, elements: u.elements.map { $0 * 0.5 })
    return (a, u)
  }

  static func downdated(_ a: Matrix, _ u: Matrix) -> Matrix {
    var result = a
    BLAS.gemm(u, u, transposeB: true, alpha: -1, beta: 1, into: &result)
    return result
  }

  // (200, 30) passes `mergedBlockLimit` at rank 21: merged blocks, then blocks kept apart.
  @Test(arguments: [(1, 1), (7, 3), (40, 12), (90, 30), (200, 30)])
  func solvesMatchRefactoringAfterEachDowndate(_ shape: (Int, Int)) throws {
    let (n, total) = shape
    let (a, u) = Self.problem(n: n, columns: total, seed: UInt64(n * 100 + total))
    var generator = SeededGenerator(seed: 9)
    let b = RandomMatrices.vector(count: n, using: &generator)
    var woodbury = DowndatedCholesky(base: try LAPACK.cholesky(a))
    #expect(RandomMatrices.relativeDifference(woodbury.solve(b), try LAPACK.cholesky(a).solve(b)) < 1e-12)
    // Downdate in uneven pieces, half of them through the combined downdate-and-solve.
    var start = 0
    var piece = 1
    while start < total {
      let end = min(total, start + piece)
      let block = Matrix(
        rows: n, columns: end - start,
        elements: (0..<n).flatMap { i in (start..<end).map { u[i, $0] } })
      let x: [Double]
      if piece % 2 == 0 {
        x = try woodbury.downdate(by: block, thenSolve: b)
      } else {
        try woodbury.downdate(by: block)
        x = woodbury.solve(b)
      }
      let sofar = Matrix(rows: n, columns: end, elements: (0..<n).flatMap { i in (0..<end).map { u[i, $0] } })
      let direct = try LAPACK.cholesky(Self.downdated(a, sofar)).solve(b)
      #expect(RandomMatrices.relativeDifference(x, direct) < 1e-9, "after \(end) columns")
      #expect(woodbury.rank == end)
      start = end
      piece += 1
    }
  }

  /// Kronecker-structured downdates (K blocks of p rows, groups of m columns) against refactoring
  /// A − UUᵀ with U written out, with A⁻¹ kept (the non-zero rows of A⁻¹ read once) and without
  /// (substitution). A third of the features are zero, some in every group, some in one.
  @Test(arguments: [(1, 1, 1), (5, 1, 1), (4, 3, 3), (7, 4, 2), (30, 10, 10)])
  func kroneckerDowndatesMatchRefactoring(_ shape: (Int, Int, Int)) throws {
    let (p, k, m) = shape
    let n = p * k
    var generator = SeededGenerator(seed: UInt64(n * 10 + m))
    var a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    for i in 0..<n { a[i, i] += Double(n) }
    let b = RandomMatrices.vector(count: n, using: &generator)
    let base = try LAPACK.cholesky(a)
    var withInverse = DowndatedCholesky(base: base, keepsInverse: true, blockSize: k)
    var withoutInverse = DowndatedCholesky(base: base)
    var denseWithInverse = DowndatedCholesky(base: base, keepsInverse: true, blockSize: k)
    #expect(withInverse.keepsInverse && !withoutInverse.keepsInverse)
    #expect(RandomMatrices.relativeDifference(withInverse.solve(b), base.solve(b)) < 1e-12)
    var removed = a
    // Three downdates of 1, 2 and 1 groups.
    for groups in [1, 2, 1] {
      var vectors = RandomMatrices.uniform(rows: groups, columns: p, using: &generator)
      for i in 0..<groups { for j in 0..<p where (i + j) % 3 == 1 || j % 5 == 3 { vectors[i, j] = 0 } }
      let mixing = (0..<groups).map { _ in
        Matrix(
          rows: k, columns: m,
          elements: RandomMatrices.uniform(rows: k, columns: m, using: &generator).elements.map { $0 * 0.3 })
      }
      let factor = KroneckerFactor(vectors: vectors, mixing: mixing)
      #expect(factor.rows == n && factor.columns == groups * m)
      let u = factor.dense
      // Row j·K + κ of group i's column c is x_i[j]·B_i[κ, c].
      #expect(u[(p - 1) * k + k - 1, m - 1] == vectors[0, p - 1] * mixing[0][k - 1, m - 1])
      removed = Self.downdated(removed, u)
      let direct = try LAPACK.cholesky(removed).solve(b)
      let fast = try withInverse.downdate(by: factor, thenSolve: b)
      let substituted = try withoutInverse.downdate(by: factor, thenSolve: b)
      let dense = try denseWithInverse.downdate(by: u, thenSolve: b)
      #expect(RandomMatrices.relativeDifference(dense, direct) < 1e-10)
      #expect(RandomMatrices.relativeDifference(fast, direct) < 1e-10)
      #expect(RandomMatrices.relativeDifference(substituted, direct) < 1e-10)
      #expect(RandomMatrices.relativeDifference(withInverse.solve(b), direct) < 1e-10)
      #expect(withInverse.rank == withoutInverse.rank)
    }
    // A dense downdate after the Kronecker ones: its products meet the kept factors' columns.
    let last = Matrix(
      rows: n, columns: 2,
      elements: RandomMatrices.uniform(rows: n, columns: 2, using: &generator).elements.map { $0 * 0.1 })
    removed = Self.downdated(removed, last)
    let mixed = try withInverse.downdate(by: last, thenSolve: b)
    _ = try withoutInverse.downdate(by: last, thenSolve: b)
    _ = try denseWithInverse.downdate(by: last, thenSolve: b)
    #expect(RandomMatrices.relativeDifference(mixed, try LAPACK.cholesky(removed).solve(b)) < 1e-10)
    for value in [withInverse, withoutInverse, denseWithInverse] {
      #expect(RandomMatrices.relativeDifference(try value.folded().upper, try LAPACK.cholesky(removed).upper) < 1e-9)
    }
    // Refolded with one more downdate V beside the Woodbury terms: a value with no terms left, of
    // A − UUᵀ − VVᵀ, that keeps the inverse where the original did.
    let extra = KroneckerFactor(
      vectors: RandomMatrices.uniform(rows: 2, columns: p, using: &generator),
      mixing: (0..<2).map { _ in
        Matrix(
          rows: k, columns: m,
          elements: RandomMatrices.uniform(rows: k, columns: m, using: &generator).elements.map { $0 * 0.1 })
      })
    let direct = try LAPACK.cholesky(Self.downdated(removed, extra.dense))
    for value in [withInverse, withoutInverse, denseWithInverse] {
      let refolded = try value.refolded(subtracting: [extra])
      #expect(refolded.rank == 0 && refolded.keepsInverse == value.keepsInverse)
      #expect(RandomMatrices.relativeDifference(refolded.base.upper, direct.upper) < 1e-9)
      #expect(RandomMatrices.relativeDifference(refolded.solve(b), direct.solve(b)) < 1e-9)
    }
    #expect(throws: LinearAlgebraError.self) {
      try withInverse.refolded(
        subtracting: [
          KroneckerFactor(
            vectors: Matrix(rows: 1, columns: p, elements: [Double](repeating: 1e3, count: p)),
            mixing: [Matrix(rows: k, columns: m, elements: [Double](repeating: 1, count: k * m))])
        ])
    }
  }

  /// U·Uᵀ through the Kronecker structure against U written out, both triangles, for binary
  /// (K = 1) and softmax shapes, with zero features.
  @Test(arguments: [(1, 1, 1), (5, 1, 1), (4, 3, 3), (7, 4, 2), (17, 26, 26)])
  func kroneckerGramMatchesTheWrittenOutProduct(_ shape: (Int, Int, Int)) {
    let (p, k, m) = shape
    var generator = SeededGenerator(seed: UInt64(p * 100 + k))
    var vectors = RandomMatrices.uniform(rows: 3, columns: p, using: &generator)
    for j in stride(from: 0, to: p, by: 3) { vectors[1, j] = 0 }
    let factor = KroneckerFactor(
      vectors: vectors, mixing: (0..<3).map { _ in RandomMatrices.uniform(rows: k, columns: m, using: &generator) })
    let start = RandomMatrices.symmetricPositiveDefinite(p * k, using: &generator)
    var structured = start
    factor.subtractGram(from: &structured)
    let written = Self.downdated(start, factor.dense)
    #expect(RandomMatrices.relativeDifference(structured.elements, written.elements) < 1e-12)
  }

  /// The in-place class-major permutation against its definition: entry (g, h) of the result is
  /// entry (σ(g), σ(h)) of the input, σ(g) = (g mod p)·k + ⌊g/p⌋, for p × k orders whose
  /// permutation has cycles of several lengths.
  @Test(arguments: [(1, 1), (3, 2), (4, 3), (5, 10), (7, 4)])
  func classMajorPermutationInPlaceMatchesItsDefinition(_ shape: (p: Int, k: Int)) {
    let n = shape.p * shape.k
    var generator = SeededGenerator(seed: UInt64(n))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    var permuted = a
    DowndatedCholesky.permuteToClassMajor(&permuted, blockSize: shape.k)
    func source(_ g: Int) -> Int { (g % shape.p) * shape.k + g / shape.p }
    for g in 0..<n {
      for h in 0..<n { #expect(permuted[g, h] == a[source(g), source(h)]) }
    }
  }

  @Test func refusesADowndateThatLosesPositiveDefiniteness() throws {
    let a = Matrix([[2, 0], [0, 1]])
    var woodbury = DowndatedCholesky(base: try LAPACK.cholesky(a))
    let before = woodbury
    #expect(throws: LinearAlgebraError.self) { try woodbury.downdate(by: Matrix([[0], [1.5]])) }
    #expect(woodbury == before)
    try woodbury.downdate(by: Matrix([[1], [0]]))
    let x = woodbury.solve([3, 4])
    #expect(
      x[0].isApproximatelyEqual(to: 3, absoluteTolerance: 1e-14)
        && x[1].isApproximatelyEqual(to: 4, absoluteTolerance: 1e-14))
  }
}

struct RankOneDowndateTests {
  @Test(arguments: [1, 2, 9, 60])
  func downdatedFactorIsTheFactorOfTheDowndatedMatrix(_ n: Int) throws {
    let (a, u) = DowndatedCholeskyTests.problem(n: n, columns: 3, seed: UInt64(7 * n))
    var factor = try LAPACK.cholesky(a)
    var matrix = a
    for k in 0..<3 {
      let x = (0..<n).map { u[$0, k] }
      factor = try factor.downdated(by: x)
      BLAS.gemm(
        Matrix(rows: n, columns: 1, elements: x), Matrix(rows: n, columns: 1, elements: x), transposeB: true,
        alpha: -1, beta: 1, into: &matrix)
      #expect(RandomMatrices.relativeDifference(factor.upper, try LAPACK.cholesky(matrix).upper) < 1e-10)
    }
    #expect(throws: LinearAlgebraError.self) {
      try LAPACK.cholesky(Matrix([[1, 0], [0, 1]])).downdated(by: [0, 1])
    }
  }

  @Test func foldingTheWoodburyColumnsGivesTheDirectFactor() throws {
    let (a, u) = DowndatedCholeskyTests.problem(n: 30, columns: 8, seed: 77)
    var woodbury = DowndatedCholesky(base: try LAPACK.cholesky(a))
    try woodbury.downdate(by: u)
    let direct = try LAPACK.cholesky(DowndatedCholeskyTests.downdated(a, u))
    #expect(RandomMatrices.relativeDifference(try woodbury.folded().upper, direct.upper) < 1e-10)
    #expect(try CholeskyFactorization(validatingUpper: direct.upper) == direct)
    #expect(throws: LinearAlgebraError.self) { try CholeskyFactorization(validatingUpper: Matrix([[1, 0], [1, 1]])) }
  }
}
