import Numerics
import Testing
import UnlearnCore
import _UnlearnTestSupport

/// LAPACK wrappers against naive Cholesky, Gaussian elimination and Jacobi, to 1e-12 relative.
struct LAPACKTests {
  static let sizes = [1, 2, 5, 16, 61, 130, 200]
  static let tolerance = 1e-12

  @Test(arguments: sizes)
  func choleskyFactorMatchesNaiveFactor(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(n))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let factor = try LAPACK.cholesky(a)
    let expected = try #require(NaiveLinearAlgebra.choleskyUpper(a))
    #expect(RandomMatrices.relativeDifference(factor.upper, expected) <= Self.tolerance)
    #expect(
      RandomMatrices.relativeDifference(NaiveLinearAlgebra.product(factor.upper, factor.upper, transposeA: true), a)
        <= Self.tolerance)
  }

  @Test(arguments: sizes)
  func choleskySolveMatchesNaiveSolveForTallAndWideRightHandSides(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(1000 + n))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let factor = try LAPACK.cholesky(a)
    for columns in [1, 3, n + 2] {
      let b = RandomMatrices.uniform(rows: n, columns: columns, using: &generator)
      let expected = try #require(NaiveLinearAlgebra.solve(a, b))
      #expect(RandomMatrices.relativeDifference(factor.solve(b), expected) <= Self.tolerance)
    }
    let b = RandomMatrices.vector(count: n, using: &generator)
    let expected = try #require(NaiveLinearAlgebra.solve(a, Matrix(rows: n, columns: 1, elements: b)))
    #expect(RandomMatrices.relativeDifference(factor.solve(b), expected.elements) <= Self.tolerance)
  }

  /// The triangular solves against the naive general solve with U and Uᵀ as the matrix.
  @Test(arguments: sizes)
  func triangularSolvesMatchNaiveSolves(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(2000 + n))
    let factor = try LAPACK.cholesky(RandomMatrices.symmetricPositiveDefinite(n, using: &generator))
    for columns in [1, 4, n + 1] {
      let b = RandomMatrices.uniform(rows: n, columns: columns, using: &generator)
      let forward = try #require(NaiveLinearAlgebra.solve(factor.upper.transposed(), b))
      let backward = try #require(NaiveLinearAlgebra.solve(factor.upper, b))
      #expect(RandomMatrices.relativeDifference(factor.solveTransposed(b), forward) <= Self.tolerance)
      #expect(RandomMatrices.relativeDifference(factor.solveUpper(b), backward) <= Self.tolerance)
    }
  }

  /// A⁻¹ (`dpotri`) against the naive solve A·X = I, and exactly symmetric.
  @Test(arguments: sizes)
  func inverseMatchesNaiveSolve(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(3000 + n))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let inverse = try LAPACK.cholesky(a).inverse()
    let expected = try #require(NaiveLinearAlgebra.solve(a, Matrix.identity(n)))
    #expect(RandomMatrices.relativeDifference(inverse, expected) <= 1e-11)
    for i in 0..<n { for j in 0..<i { #expect(inverse[i, j] == inverse[j, i]) } }
  }

  @Test func choleskyLogDeterminantMatchesEigenvalues() throws {
    var generator = SeededGenerator(seed: 5)
    let a = RandomMatrices.symmetricPositiveDefinite(12, using: &generator)
    let logDet = NaiveLinearAlgebra.symmetricEigen(a).values.reduce(0) { $0 + log($1) }
    #expect((try LAPACK.cholesky(a).logDeterminant).isApproximatelyEqual(to: logDet, relativeTolerance: 1e-10))
  }

  @Test func choleskyOfIndefiniteMatrixThrowsNotPositiveDefinite() {
    let a = Matrix([[1, 2], [2, 1]])
    #expect {
      try LAPACK.cholesky(a)
    } throws: { error in
      (error as? LinearAlgebraError)?.isNotPositiveDefinite == true
        && (error as? LinearAlgebraError)?.info == 2
    }
  }

  @Test func choleskyOfNaNThrowsNonFinite() {
    let a = Matrix([[1, .nan], [.nan, 1]])
    #expect { try LAPACK.cholesky(a) } throws: { ($0 as? LinearAlgebraError)?.isNonFinite == true }
  }

  @Test(arguments: sizes)
  func luSolveMatchesNaiveEliminationOnGeneralMatrices(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(2000 + n))
    var a = RandomMatrices.uniform(rows: n, columns: n, using: &generator)
    for i in 0..<n { a[i, i] += 2 }  // keep the random matrix safely nonsingular
    for columns in [1, 4] {
      let b = RandomMatrices.uniform(rows: n, columns: columns, using: &generator)
      let expected = try #require(NaiveLinearAlgebra.solve(a, b))
      #expect(RandomMatrices.relativeDifference(try LAPACK.solve(a, b), expected) <= Self.tolerance)
    }
  }

  @Test func luSolveOfSingularMatrixThrowsSingular() {
    let a = Matrix([[1, 2], [2, 4]])
    #expect { try LAPACK.solve(a, [1, 1]) } throws: { ($0 as? LinearAlgebraError)?.isSingular == true }
  }

  @Test(arguments: sizes)
  func symmetricEigenMatchesJacobi(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(3000 + n))
    let a = RandomMatrices.symmetric(n, using: &generator)
    let decomposition = try LAPACK.symmetricEigen(a)
    let reference = NaiveLinearAlgebra.symmetricEigen(a)
    let scale = a.frobeniusNorm
    #expect(
      zip(decomposition.values, reference.values).allSatisfy {
        $0.isApproximatelyEqual(to: $1, absoluteTolerance: Self.tolerance * scale)
      })
    #expect(decomposition.values == decomposition.values.sorted())
    // Eigenvectors are defined up to sign: check A·v = λ·v and orthonormality instead of entries.
    let av = NaiveLinearAlgebra.product(a, decomposition.vectors)
    for j in 0..<n {
      let residual = (0..<n).map { av[$0, j] - decomposition.values[j] * decomposition.vectors[$0, j] }
      #expect(NaiveLinearAlgebra.norm(residual) <= Self.tolerance * scale)
    }
    let gram = NaiveLinearAlgebra.product(decomposition.vectors, decomposition.vectors, transposeA: true)
    #expect(RandomMatrices.relativeDifference(gram, .identity(n)) <= Self.tolerance)
    // And against Jacobi's vectors after fixing each sign by the largest entry.
    for j in 0..<n {
      let ours = decomposition.vectors.column(j)
      let theirs = reference.vectors.column(j)
      let pivot = theirs.indices.max { abs(theirs[$0]) < abs(theirs[$1]) }!
      let sign: Double = (ours[pivot] < 0) == (theirs[pivot] < 0) ? 1 : -1
      #expect(RandomMatrices.relativeDifference(ours.map { sign * $0 }, theirs) <= 1e-10)
    }
  }
}

private func log(_ x: Double) -> Double { Double.log(x) }
