import Foundation
import Testing
import UnlearnCore
import _UnlearnTestSupport

/// Conjugate gradients against the naive solve, and its early stops.
struct ConjugateGradientTests {
  @Test(arguments: [1, 5, 40, 130])
  func solutionMatchesNaiveSolve(_ n: Int) throws {
    var generator = SeededGenerator(seed: UInt64(3000 + n))
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let b = RandomMatrices.vector(count: n, using: &generator)
    let solution = ConjugateGradient.solve(b, maxIterations: 10 * n, relativeTolerance: 1e-13) {
      BLAS.product(a, $0)
    }
    let expected = try #require(NaiveLinearAlgebra.solve(a, Matrix(rows: n, columns: 1, elements: b)))
    #expect(RandomMatrices.relativeDifference(solution.x, expected.elements) <= 1e-10)
    #expect(solution.relativeResidual <= 1e-13 && solution.iterations >= 1)
  }

  /// Preconditioned by the factorization of a nearby matrix (A plus a low-rank change, as a
  /// Hessian cached at another point): the same solution, in a few products where plain CG needs
  /// many.
  @Test func factorizationOfANearbyMatrixPreconditions() throws {
    var generator = SeededGenerator(seed: 12)
    let n = 80
    let a = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    var nearby = a
    let u = RandomMatrices.uniform(rows: n, columns: 2, using: &generator)
    BLAS.gemm(u, u, transposeB: true, alpha: 1, beta: 1, into: &nearby)
    let factor = try LAPACK.cholesky(nearby)
    let b = RandomMatrices.vector(count: n, using: &generator)
    let plain = ConjugateGradient.solve(b, maxIterations: 100 * n, relativeTolerance: 1e-10) { BLAS.product(a, $0) }
    let preconditioned = ConjugateGradient.solve(
      b, maxIterations: 100 * n, relativeTolerance: 1e-10, preconditioner: { factor.solve($0) },
      product: { BLAS.product(a, $0) })
    let expected = try #require(NaiveLinearAlgebra.solve(a, Matrix(rows: n, columns: 1, elements: b)))
    #expect(RandomMatrices.relativeDifference(preconditioned.x, expected.elements) <= 1e-8)
    // A rank-2 change leaves M⁻¹A with three distinct eigenvalues: CG ends in about three steps.
    #expect(preconditioned.iterations <= 5 && preconditioned.iterations < plain.iterations)
  }

  /// Jacobi-preconditioned, on a matrix with rows on scales 1…10⁶: the same solution, in fewer
  /// products than without.
  @Test func preconditionedSolveMatchesNaiveSolveInFewerProducts() throws {
    var generator = SeededGenerator(seed: 11)
    let n = 60
    let base = RandomMatrices.symmetricPositiveDefinite(n, using: &generator)
    let scales = (0..<n).map { pow(10, 3 * Double($0 % 3)) }
    var a = base
    for i in 0..<n { for j in 0..<n { a[i, j] = base[i, j] * scales[i].squareRoot() * scales[j].squareRoot() } }
    let b = RandomMatrices.vector(count: n, using: &generator)
    let diagonal = (0..<n).map { a[$0, $0] }
    let plain = ConjugateGradient.solve(b, maxIterations: 100 * n, relativeTolerance: 1e-10) { BLAS.product(a, $0) }
    let jacobi = ConjugateGradient.solve(b, maxIterations: 100 * n, relativeTolerance: 1e-10, diagonal: diagonal) {
      BLAS.product(a, $0)
    }
    let expected = try #require(NaiveLinearAlgebra.solve(a, Matrix(rows: n, columns: 1, elements: b)))
    #expect(RandomMatrices.relativeDifference(jacobi.x, expected.elements) <= 1e-7)
    #expect(jacobi.iterations < plain.iterations, "\(jacobi.iterations) vs \(plain.iterations)")
  }

  @Test func stopsAtTheIterationCapAndForAZeroRightHandSide() {
    var generator = SeededGenerator(seed: 7)
    let a = RandomMatrices.symmetricPositiveDefinite(50, using: &generator)
    let b = RandomMatrices.vector(count: 50, using: &generator)
    let capped = ConjugateGradient.solve(b, maxIterations: 3, relativeTolerance: 0) { BLAS.product(a, $0) }
    #expect(capped.iterations == 3 && capped.relativeResidual > 0 && capped.relativeResidual < 1)
    let zero = ConjugateGradient.solve([Double](repeating: 0, count: 50), maxIterations: 9, relativeTolerance: 0) {
      BLAS.product(a, $0)
    }
    #expect(zero.iterations == 0 && zero.x.allSatisfy { $0 == 0 })
  }
}
