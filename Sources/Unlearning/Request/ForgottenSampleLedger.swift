import UnlearnCore
import UnlearnData

/// Which sample ids a state has forgotten, kept so a repeated request is told "already forgotten"
/// rather than "never seen" — without keeping the ids themselves.
///
/// Each forgotten id is stored as HMAC-SHA256(salt, id) with a random 32-byte salt (the HMAC key)
/// drawn once per state, so the ledger cannot be turned back into ids by hashing a list of
/// candidates unless the salt is known too. (Ledgers written before the HMAC scheme hash
/// SHA-256(salt ‖ 0 ‖ id); they are read and extended with the scheme they were written with.) The
/// store keeps the salt encrypted under its key file, so a copy of the database alone confirms no
/// guessed id. The salt is drawn from the system's random source on purpose: a salt derived
/// from the training seed would be as guessable as the seed. It does not influence any model.
public struct ForgottenSampleLedger: Sendable, Equatable, Codable {
  /// The salt, hex encoded.
  public let salt: String
  /// Salted hashes of forgotten ids, hex encoded.
  public private(set) var hashes: Set<String>
  /// Whether hashes are HMAC-SHA256 (every new ledger) or the older salted SHA-256.
  let isKeyed: Bool

  /// An empty ledger with a fresh random salt.
  public init() {
    var generator = SystemRandomNumberGenerator()
    self.init(salt: FileDigest.hexadecimal((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
  }

  /// An empty ledger with the given salt (hex).
  public init(salt: String) {
    self.init(salt: salt, hashes: [], isKeyed: true)
  }

  init(salt: String, hashes: Set<String>, isKeyed: Bool) {
    self.salt = salt
    self.hashes = hashes
    self.isKeyed = isKeyed
  }

  /// The same ledger with its salt replaced by `salt`; the hashes stay as they are, so this only
  /// makes sense to put back a salt that was taken out for storage (`Store`).
  public func withSalt(_ salt: String) -> Self {
    Self(salt: salt, hashes: hashes, isKeyed: isKeyed)
  }

  public var count: Int { hashes.count }

  public func contains(_ id: SampleID) -> Bool { hashes.contains(hash(id)) }

  public mutating func record(_ ids: some Sequence<SampleID>) {
    for id in ids { hashes.insert(hash(id)) }
  }

  /// HMAC-SHA256 with the salt's bytes as the key (older ledgers: SHA-256(salt ‖ 0 ‖ id)), hex.
  public func hash(_ id: SampleID) -> String {
    guard isKeyed else {
      var hasher = SHA256()
      hasher.update(data: Array(salt.utf8))
      hasher.update(data: [0])
      hasher.update(data: Array(id.rawValue.utf8))
      return FileDigest.hexadecimal(hasher.finalize())
    }
    return FileDigest.hexadecimal(HMACSHA256.authenticationCode(for: Array(id.rawValue.utf8), key: Array(salt.utf8)))
  }

  enum CodingKeys: String, CodingKey { case salt, hashes, scheme }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let scheme = try container.decodeIfPresent(String.self, forKey: .scheme)
    guard scheme == nil || scheme == "hmac-sha256" else {
      throw DecodingError.dataCorruptedError(
        forKey: .scheme, in: container, debugDescription: "unknown ledger hash scheme '\(scheme!)'")
    }
    self.init(
      salt: try container.decode(String.self, forKey: .salt),
      hashes: try container.decode(Set<String>.self, forKey: .hashes), isKeyed: scheme != nil)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(salt, forKey: .salt)
    try container.encode(hashes.sorted(), forKey: .hashes)  // sorted: the same ledger, the same bytes
    if isKeyed { try container.encode("hmac-sha256", forKey: .scheme) }
  }
}
