/// The eigen-decomposition A = V·diag(λ)·Vᵀ of a symmetric matrix, made by `LAPACK.symmetricEigen(_:)`.
public struct SymmetricEigendecomposition: Sendable, Codable, Equatable {
  /// The eigenvalues λ, ascending.
  public let values: [Double]
  /// The orthonormal eigenvectors: column j belongs to `values[j]`.
  public let vectors: Matrix
}
