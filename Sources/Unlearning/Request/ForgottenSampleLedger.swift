import Crypto
import UnlearnData

/// Which sample ids a state has forgotten, kept so a repeated request is told "already forgotten"
/// rather than "never seen" — without keeping the ids themselves.
///
/// Each forgotten id is stored as SHA-256(salt ‖ id) with a random 32-byte salt drawn once per
/// state, so the ledger cannot be turned back into ids by hashing a list of candidates unless the
/// salt is known too. The salt is drawn from the system's random source on purpose: a salt derived
/// from the training seed would be as guessable as the seed. It does not influence any model.
public struct ForgottenSampleLedger: Sendable, Equatable, Codable {
  /// The salt, hex encoded.
  public let salt: String
  /// Salted hashes of forgotten ids, hex encoded.
  public private(set) var hashes: Set<String>

  /// An empty ledger with a fresh random salt.
  public init() {
    var generator = SystemRandomNumberGenerator()
    self.init(
      salt: (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined())
  }

  /// An empty ledger with the given salt (hex).
  public init(salt: String) {
    self.salt = salt
    self.hashes = []
  }

  public var count: Int { hashes.count }

  public func contains(_ id: SampleID) -> Bool { hashes.contains(hash(id)) }

  public mutating func record(_ ids: some Sequence<SampleID>) {
    for id in ids { hashes.insert(hash(id)) }
  }

  /// SHA-256(salt ‖ 0 ‖ id), hex.
  public func hash(_ id: SampleID) -> String {
    var hasher = SHA256()
    hasher.update(data: Array(salt.utf8))
    hasher.update(data: [0])
    hasher.update(data: Array(id.rawValue.utf8))
    return FileDigest.hexadecimal(hasher.finalize())
  }

  enum CodingKeys: String, CodingKey { case salt, hashes }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(salt, forKey: .salt)
    try container.encode(hashes.sorted(), forKey: .hashes)  // sorted: the same ledger, the same bytes
  }
}
