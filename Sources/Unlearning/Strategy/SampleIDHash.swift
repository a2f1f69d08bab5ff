import UnlearnCore
import UnlearnData

/// SHA-256 of a sample id as four 64-bit words (big-endian): the deterministic hash, independent of
/// the data and of the order samples arrive in, that strategies place samples by. Each use reads its
/// own word, so their choices are independent of one another: SISA's shard (word 0) and slice
/// (word 1), ARCANE's default deletion likelihood (word 2), LMEraser's public split (word 3).
struct SampleIDHash {
  private let digest: [UInt8]

  init(_ id: SampleID) {
    digest = Array(SHA256.hash(data: Array(id.rawValue.utf8)))
  }

  /// Word `index` (0…3).
  func word(_ index: Int) -> UInt64 {
    digest[8 * index..<8 * index + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
  }

  /// Word `index` as a fraction in [0, 1), from its top 53 bits.
  func fraction(_ index: Int) -> Double {
    Double(word(index) >> 11) * 0x1p-53
  }
}
