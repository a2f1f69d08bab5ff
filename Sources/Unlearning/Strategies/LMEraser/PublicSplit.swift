import UnlearnCore
import UnlearnData

/// Which training samples are public (LMEraser's backbone data, never a deletion target) and which
/// are private (clustered, each cluster with its own prompt and head).
///
/// Either a fraction — a sample is public when bytes 24…31 of SHA-256(id), as a fraction of 2⁶⁴,
/// fall below it, so the same id is public in every run and the split does not depend on row
/// order — or an explicit list of public ids (`--public FILE`).
public struct PublicSplit: Sendable, Codable, Equatable {
  public let fraction: Double?
  public let ids: Set<SampleID>?

  public init(fraction: Double) {
    precondition(fraction > 0 && fraction < 1, "the public fraction must be in (0, 1)")
    self.fraction = fraction
    self.ids = nil
  }

  public init(ids: Set<SampleID>) {
    self.fraction = nil
    self.ids = ids
  }

  public func isPublic(_ id: SampleID) -> Bool {
    if let ids { return ids.contains(id) }
    return SampleIDHash(id).fraction(3) < fraction!
  }

  /// (public rows, private rows) of `data`, ascending.
  func rows(of data: Dataset) -> (public: [Int], private: [Int]) {
    var publicRows: [Int] = []
    var privateRows: [Int] = []
    for (row, id) in data.ids.enumerated() {
      if isPublic(id) { publicRows.append(row) } else { privateRows.append(row) }
    }
    return (publicRows, privateRows)
  }
}
