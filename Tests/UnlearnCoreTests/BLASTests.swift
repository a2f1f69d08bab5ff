import Numerics
import Testing
import UnlearnCore
import _UnlearnTestSupport

/// Every BLAS wrapper against the naive pure-Swift reference on random shapes, to 1e-12 relative.
struct BLASTests {
  /// (m, n, k): square, 1×1, tall, wide, thin inner dimension, and sizes that cross BLAS blocking.
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 7, 7), (64, 3, 5), (3, 64, 5), (5, 4, 1), (1, 9, 33), (33, 1, 9), (70, 45, 130),
  ]
  static let tolerance = 1e-12

  @Test(arguments: shapes)
  func gemmMatchesNaiveProductForEveryTransposition(_ shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var generator = SeededGenerator(seed: UInt64(m * 10_000 + n * 100 + k))
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a =
          transposeA
          ? RandomMatrices.uniform(rows: k, columns: m, using: &generator)
          : RandomMatrices.uniform(rows: m, columns: k, using: &generator)
        let b =
          transposeB
          ? RandomMatrices.uniform(rows: n, columns: k, using: &generator)
          : RandomMatrices.uniform(rows: k, columns: n, using: &generator)
        let expected = NaiveLinearAlgebra.product(a, b, transposeA: transposeA, transposeB: transposeB)
        let actual = BLAS.product(a, b, transposeA: transposeA, transposeB: transposeB)
        #expect(RandomMatrices.relativeDifference(actual, expected) <= Self.tolerance)
      }
    }
  }

  /// (m, n): a full product, and the one-column and one-row products that go to `dgemv`.
  @Test(arguments: [(6, 5), (6, 1), (1, 5)])
  func gemmAccumulatesWithAlphaAndBeta(_ shape: (Int, Int)) {
    let (m, n) = shape
    var generator = SeededGenerator(seed: 11)
    let a = RandomMatrices.uniform(rows: m, columns: 4, using: &generator)
    let b = RandomMatrices.uniform(rows: 4, columns: n, using: &generator)
    let c0 = RandomMatrices.uniform(rows: m, columns: n, using: &generator)
    var c = c0
    BLAS.gemm(a, b, alpha: 2.5, beta: -0.5, into: &c)
    let ab = NaiveLinearAlgebra.product(a, b)
    let expected = Matrix(
      rows: m, columns: n, elements: zip(ab.elements, c0.elements).map { 2.5 * $0 - 0.5 * $1 })
    #expect(RandomMatrices.relativeDifference(c, expected) <= Self.tolerance)
  }

  @Test(arguments: shapes)
  func gemvMatchesNaiveProduct(_ shape: (Int, Int, Int)) {
    let (m, n, _) = shape
    var generator = SeededGenerator(seed: UInt64(m * 100 + n))
    let a = RandomMatrices.uniform(rows: m, columns: n, using: &generator)
    let x = RandomMatrices.vector(count: n, using: &generator)
    let xt = RandomMatrices.vector(count: m, using: &generator)
    #expect(
      RandomMatrices.relativeDifference(BLAS.product(a, x), NaiveLinearAlgebra.product(a, x)) <= Self.tolerance)
    #expect(
      RandomMatrices.relativeDifference(
        BLAS.product(a, xt, transpose: true), NaiveLinearAlgebra.product(a, xt, transpose: true)) <= Self.tolerance)
  }

  @Test(arguments: shapes)
  func syrkMatchesNaiveGramMatrixAndIsSymmetric(_ shape: (Int, Int, Int)) {
    let (n, _, k) = shape
    var generator = SeededGenerator(seed: UInt64(n * 100 + k))
    let a = RandomMatrices.uniform(rows: n, columns: k, using: &generator)
    var outer = Matrix(rows: n, columns: n)
    BLAS.syrk(a, into: &outer)
    #expect(
      RandomMatrices.relativeDifference(outer, NaiveLinearAlgebra.product(a, a, transposeB: true)) <= Self.tolerance)
    #expect(outer == outer.transposed())
    var gram = Matrix(rows: k, columns: k)
    BLAS.syrk(a, transpose: true, into: &gram)
    #expect(
      RandomMatrices.relativeDifference(gram, NaiveLinearAlgebra.product(a, a, transposeA: true)) <= Self.tolerance)
  }

  @Test(arguments: [1, 2, 17, 1000])
  func levelOneRoutinesMatchNaiveLoops(_ count: Int) {
    var generator = SeededGenerator(seed: UInt64(count))
    let x = RandomMatrices.vector(count: count, using: &generator)
    let y = RandomMatrices.vector(count: count, using: &generator)
    let dot = NaiveLinearAlgebra.dot(x, y)
    #expect(
      BLAS.dot(x, y).isApproximatelyEqual(
        to: dot, absoluteTolerance: Self.tolerance * NaiveLinearAlgebra.dot(x.map(abs), y.map(abs))))
    #expect(BLAS.nrm2(x).isApproximatelyEqual(to: NaiveLinearAlgebra.norm(x), relativeTolerance: Self.tolerance))
    var z = y
    BLAS.axpy(-1.5, x, &z)
    #expect(RandomMatrices.relativeDifference(z, zip(x, y).map { -1.5 * $0 + $1 }) <= Self.tolerance)
    var scaled = x
    BLAS.scal(3, &scaled)
    #expect(scaled == x.map { 3 * $0 })
  }

  @Test func nrm2DoesNotOverflow() {
    #expect(BLAS.nrm2([1e200, 1e200]) == 1e200 * 2.0.squareRoot())
  }

  @Test func emptyInnerDimensionGivesBetaTimesC() {
    var c = Matrix(rows: 2, columns: 2, repeating: 4)
    BLAS.gemm(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 2), beta: 0.5, into: &c)
    #expect(c == Matrix(rows: 2, columns: 2, repeating: 2))
  }
}
