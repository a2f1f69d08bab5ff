import UnlearnCore
import UnlearnData

/// How likely each sample is to be deleted, in [0, 1] — ARCANE's "sorting" (Yan et al., IJCAI
/// 2022): samples likelier to be deleted train in later blocks, so their deletion restores a later
/// checkpoint.
///
/// Samples without a given value (all of them by default) get a pseudo-random one from the
/// SHA-256 of their id — "no information" spreads them evenly over the blocks, and the same id
/// lands in the same block in every run. The block of a sample is ⌊ℓ·B⌋ (ℓ = 1 goes to the last).
public struct DeletionLikelihood: Sendable, Equatable {
  /// Given likelihoods, by id.
  public private(set) var given: [SampleID: Double]

  public init(_ given: [SampleID: Double] = [:]) {
    self.given = given
  }

  /// Reads `id,likelihood` lines (`SampleLikelihoodList`).
  public static func load(path: String) throws -> DeletionLikelihood {
    DeletionLikelihood(try SampleLikelihoodList.load(path: path))
  }

  /// ℓ(id): the given value, or a uniform draw in [0, 1) fixed by the id's SHA-256.
  public func value(for id: SampleID) -> Double {
    given[id] ?? Self.uniform(id)
  }

  /// The block ⌊ℓ·B⌋ (clamped to B − 1) of `id` among `blocks`.
  public func block(of id: SampleID, blocks: Int) -> Int {
    min(blocks - 1, Int(value(for: id) * Double(blocks)))
  }

  /// The training order of `ids`: ascending ℓ, ties by the id's hash, then by the id.
  func ordered(_ ids: [SampleID]) -> [SampleID] {
    ids.map { (id: $0, key: value(for: $0), tie: Self.uniform($0)) }
      .sorted { ($0.key, $0.tie, $0.id) < ($1.key, $1.tie, $1.id) }
      .map(\.id)
  }

  /// Drops the given values of forgotten ids.
  mutating func remove(_ ids: [SampleID]) {
    for id in ids { given[id] = nil }
  }

  /// Word 2 of the id's SHA-256 as a fraction in [0, 1) (`SampleIDHash`).
  static func uniform(_ id: SampleID) -> Double {
    SampleIDHash(id).fraction(2)
  }
}
