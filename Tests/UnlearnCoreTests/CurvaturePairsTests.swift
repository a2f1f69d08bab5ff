import Testing
import UnlearnCore
import _UnlearnTestSupport

/// The limited-memory BFGS correction against the matrix it learns from: secant conditions, the
/// exact inverse once the pairs span the space, downdates of the products, rejected pairs.
struct CurvaturePairsTests {
  /// A symmetric positive definite A, its exact products along conjugate-gradient directions, and
  /// a poor initial inverse (the identity scaled by 1/n).
  static func conjugatePairs(_ n: Int, count: Int, seed: UInt64) -> (a: Matrix, pairs: [([Double], [Double])]) {
    var generator = SeededGenerator(seed: seed)
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let b = RandomMatrices.vector(count: n, using: &generator)
    var pairs: [([Double], [Double])] = []
    _ = ConjugateGradient.solve(b, maxIterations: count, relativeTolerance: 0) { direction in
      let product = NaiveLinearAlgebra.product(a, Matrix(rows: n, columns: 1, elements: direction)).elements
      pairs.append((direction, product))
      return product
    }
    return (a, pairs)
  }

  static func scaled(_ v: [Double], by factor: Double) -> [Double] { v.map { $0 * factor } }

  static func distance(_ a: [Double], _ b: [Double]) -> Double {
    BLAS.nrm2(zip(a, b).map { $0 - $1 }) / max(BLAS.nrm2(b), 1e-300)
  }

  @Test func withoutPairsTheInitialSolveIsReturned() {
    let pairs = CurvaturePairs(capacity: 4)
    #expect(pairs.solve([1, 2, 3]) { Self.scaled($0, by: 2) } == [2, 4, 6])
  }

  /// A-conjugate pairs: H·y_i = s_i for every kept pair, not only the newest.
  @Test func conjugatePairsSatisfyEverySecantCondition() {
    let n = 12
    let (_, observed) = Self.conjugatePairs(n, count: 5, seed: 1)
    #expect(observed.count == 5)
    var pairs = CurvaturePairs(capacity: 8)
    for (s, y) in observed { pairs.append(step: s, product: y) }
    #expect(pairs.count == 5)
    for (s, y) in observed {
      let solved = pairs.solve(y) { Self.scaled($0, by: 1.0 / Double(n)) }
      #expect(Self.distance(solved, s) < 1e-10)
    }
  }

  /// n conjugate directions span the space: the corrected solve is A⁻¹ itself, whatever M was.
  @Test func pairsSpanningTheSpaceGiveTheExactInverse() throws {
    let n = 10
    let (a, observed) = Self.conjugatePairs(n, count: n, seed: 2)
    var pairs = CurvaturePairs(capacity: n)
    for (s, y) in observed { pairs.append(step: s, product: y) }
    var generator = SeededGenerator(seed: 3)
    let b = RandomMatrices.vector(count: n, using: &generator)
    let exact = try LAPACK.cholesky(a).solve(b)
    #expect(Self.distance(pairs.solve(b) { Self.scaled($0, by: 1.0 / Double(n)) }, exact) < 1e-9)
  }

  /// Past the capacity the oldest pair goes; a pair without positive curvature is not kept.
  @Test func capacityAndCurvatureDecideWhatIsKept() {
    var pairs = CurvaturePairs(capacity: 2)
    pairs.append(step: [1, 0], product: [-1, 0])
    pairs.append(step: [1, 0], product: [.nan, 0])
    #expect(pairs.count == 0)
    pairs.append(step: [1, 0], product: [2, 0])
    pairs.append(step: [0, 1], product: [0, 3])
    pairs.append(step: [1, 1], product: [2, 3])
    #expect(pairs.count == 2)
    // The newest pair's secant condition holds: H·(2, 3) = (1, 1).
    let identity: ([Double]) -> [Double] = { $0 }
    #expect(Self.distance(pairs.solve([2, 3], initialSolve: identity), [1, 1]) < 1e-12)
    pairs.removeAll()
    #expect(pairs.count == 0 && pairs.solve([2, 3], initialSolve: identity) == [2, 3])
  }

  /// A − UUᵀ: the kept products become (A − UUᵀ)·s_i, and the secant conditions hold for the new
  /// matrix; a pair whose curvature the downdate makes non-positive is dropped.
  @Test func downdatesChangeTheProducts() throws {
    let n = 9
    let (a, observed) = Self.conjugatePairs(n, count: 4, seed: 4)
    var pairs = CurvaturePairs(capacity: 4)
    for (s, y) in observed { pairs.append(step: s, product: y) }
    var generator = SeededGenerator(seed: 5)
    let u = RandomMatrices.uniform(rows: n, columns: 2, using: &generator)
    pairs.downdate(by: u)
    #expect(pairs.count == 4)
    var downdated = a
    BLAS.gemm(u, u, transposeB: true, alpha: -1, beta: 1, into: &downdated)
    let newest = observed.last!.0
    let product = NaiveLinearAlgebra.product(downdated, Matrix(rows: n, columns: 1, elements: newest)).elements
    #expect(Self.distance(pairs.solve(product) { $0 }, newest) < 1e-10)

    var flat = CurvaturePairs(capacity: 1)
    flat.append(step: [1, 0], product: [1, 0])
    flat.downdate(by: Matrix(rows: 2, columns: 1, elements: [2, 0]))
    #expect(flat.count == 0)
  }
}
