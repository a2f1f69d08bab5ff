import CUnlearnKernels
import Testing
import UnlearnCore
import _UnlearnTestSupport

/// The one-pass block-symmetric product, both compiled variants, against plain products with the
/// whole symmetric matrix.
struct BlockSymmetricProductTests {
  /// (K, p, s): p = 1, p not a multiple of four (rows left over in every class block), binary.
  @Test(arguments: [(1, 1, 1), (1, 9, 2), (3, 7, 2), (4, 8, 1), (10, 13, 3)])
  func matchesProductsWithTheFullMatrix(_ shape: (Int, Int, Int)) {
    let (k, p, s) = shape
    let n = k * p
    var generator = SeededGenerator(seed: UInt64(100 * k + 10 * p + s))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let b = RandomMatrices.vector(count: n, using: &generator)
    let vectors = RandomMatrices.uniform(rows: s, columns: p, using: &generator)
    expectMatchesFullProducts(a: a, classes: k, b: b, vectors: vectors, threads: 1)
  }

  /// (K, p, threads) at n ≥ 2,048, where the triangle is split between threads: shares that end
  /// mid class block, p not a multiple of four, more threads than the split has room for.
  @Test(arguments: [(1, 2049, 2), (2, 1027, 2), (3, 701, 3), (3, 701, 8)])
  func threadsShareTheTriangle(_ shape: (Int, Int, Int)) {
    let (k, p, threads) = shape
    let n = k * p
    var generator = SeededGenerator(seed: UInt64(k * p + threads))
    var a = RandomMatrices.uniform(rows: n, columns: n, using: &generator)
    for i in 0..<n { for j in 0..<i { a[i, j] = a[j, i] } }
    let b = RandomMatrices.vector(count: n, using: &generator)
    let vectors = RandomMatrices.uniform(rows: 1, columns: p, using: &generator)
    expectMatchesFullProducts(a: a, classes: k, b: b, vectors: vectors, threads: threads)
  }

  /// Both compiled variants on `threads` against plain products with the whole symmetric `a`.
  private func expectMatchesFullProducts(a: Matrix, classes k: Int, b: [Double], vectors: Matrix, threads: Int) {
    let (n, p, s) = (a.rows, vectors.columns, vectors.rows)
    // Only the upper triangle may be read: garbage below the diagonal must not matter.
    var upper = a
    for i in 0..<n { for j in 0..<i { upper[i, j] = .nan } }
    var expectedY = [Double]()
    for i in 0..<s {
      for kappa in 0..<k {
        var placed = [Double](repeating: 0, count: n)
        for j in 0..<p { placed[kappa * p + j] = vectors[i, j] }
        expectedY += NaiveLinearAlgebra.product(a, placed)
      }
    }
    let expectedH = NaiveLinearAlgebra.product(a, b)
    for variant in [unlearn_block_symmetric_product, unlearn_block_symmetric_product_baseline] {
      var h = [Double](repeating: .nan, count: n)
      var y = [Double](repeating: .nan, count: s * k * n)
      upper.withUnsafeBufferPointer { upper in
        vectors.withUnsafeBufferPointer { x in
          variant(upper.baseAddress!, k, p, b, x.baseAddress!, s, &h, &y, threads)
        }
      }
      #expect(RandomMatrices.relativeDifference(h, expectedH) < 1e-13)
      #expect(RandomMatrices.relativeDifference(y, expectedY) < 1e-13)
    }
  }
}
