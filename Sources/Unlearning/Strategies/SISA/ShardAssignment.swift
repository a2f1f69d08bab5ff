import UnlearnCore
import UnlearnData

/// Where SISA puts a sample: shard and slice from the SHA-256 of its id, never from row order, so
/// the same id lands in the same place in every run and on every machine.
public struct ShardAssignment: Sendable, Equatable, Codable {
  public let shards: Int
  public let slices: Int

  public init(shards: Int, slices: Int) {
    precondition(shards >= 1 && slices >= 1, "SISA needs at least one shard and one slice")
    self.shards = shards
    self.slices = slices
  }

  /// (shard, slice) of `id`: the first 8 bytes of SHA-256(id) modulo S, the next 8 modulo R.
  public func place(_ id: SampleID) -> (shard: Int, slice: Int) {
    let hash = SampleIDHash(id)
    return (Int(hash.word(0) % UInt64(shards)), Int(hash.word(1) % UInt64(slices)))
  }
}
