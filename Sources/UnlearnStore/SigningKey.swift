import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

#if canImport(Glibc)
  import Glibc
#endif

/// The service's receipt-signing key: an Ed25519 seed in a file beside the store (mode 0600), never
/// in the database. `unlearn store init` creates it; its public key is what people check receipts
/// with (`unlearn store public-key`, `GET /v1/keys`), and a receipt names it by `keyID`.
///
/// Rotation (`rotate`) replaces the seed and keeps every earlier public key in a list beside it
/// (`retiredPath`), so receipts signed before still verify with a key the service publishes.
public struct SigningKey: Sendable {
  let privateKey: Ed25519PrivateKey

  /// Where `unlearn store init` puts the signing key for a store at `storePath`.
  public static func defaultPath(forStore storePath: String) -> String { storePath + ".signing-key" }

  /// Where it goes for a store with no folder of its own (PostgreSQL): beside the key file, ".key"
  /// replaced by ".signing-key" (so an SQLite store's files keep their names when it migrates).
  public static func defaultPath(forKeyFile keyFile: String) -> String {
    (keyFile.hasSuffix(".key") ? String(keyFile.dropLast(4)) : keyFile) + ".signing-key"
  }

  public var publicKey: Ed25519PublicKey { privateKey.publicKey }

  /// The first 16 hexadecimal digits of SHA-256(public key): how receipts name the key.
  public var keyID: String { Self.keyID(of: publicKey) }

  public static func keyID(of publicKey: Ed25519PublicKey) -> String {
    String(FileDigest.hexadecimal(SHA256.hash(data: publicKey.rawRepresentation)).prefix(16))
  }

  /// Reads the key at `path` (64 hexadecimal digits: the seed).
  public static func load(from path: String) throws -> SigningKey {
    guard case .bytes(let seed) = SecretFile.read(path, byteCount: 32) else {
      throw StoreError(
        .missingKey, "the signing key file \(path) is missing or does not hold 64 hexadecimal digits")
    }
    return SigningKey(privateKey: try Ed25519PrivateKey(rawRepresentation: seed))
  }

  /// Creates a new key (from the system's CSPRNG) at `path` with mode 0600; refuses to overwrite.
  public static func create(at path: String) throws -> SigningKey {
    let key = Ed25519PrivateKey()
    try SecretFile.create(at: path, bytes: key.rawRepresentation, name: "signing key file")
    return SigningKey(privateKey: key)
  }

  /// Where the public keys of earlier signing keys are listed (JSON), for a key file at `path`.
  public static func retiredPath(forKeyFile path: String) -> String { path + ".retired" }

  /// A public key the service signs, or signed, receipts with.
  public struct Published: Sendable, Codable, Equatable {
    public var algorithm = "Ed25519"
    public let keyID: String
    /// 64 hexadecimal digits.
    public let publicKey: String
    /// When it stopped signing; nil for the current key.
    public var retiredAt: String?

    enum CodingKeys: String, CodingKey {
      case algorithm
      case keyID = "key_id"
      case publicKey = "public_key"
      case retiredAt = "retired_at"
    }

    public init(_ key: Ed25519PublicKey, retiredAt: String? = nil) {
      keyID = SigningKey.keyID(of: key)
      publicKey = FileDigest.hexadecimal(key.rawRepresentation)
      self.retiredAt = retiredAt
    }
  }

  /// The public keys retired from the key file at `path`, oldest first (none when never rotated).
  public static func retired(forKeyFile path: String) throws -> [Published] {
    let listPath = retiredPath(forKeyFile: path)
    guard let data = FileManager.default.contents(atPath: listPath) else { return [] }
    do {
      return try JSONDecoder().decode([Published].self, from: data)
    } catch {
      throw StoreError(.corrupted, "\(listPath) is not the list of retired signing keys it should be")
    }
  }

  /// Replaces the key at `path` with a new one and adds the old public key to the retired list:
  /// the list is written first, so no public key is ever lost, then the new seed (mode 0600) is
  /// renamed over the old. Running servers keep the key they loaded until restarted.
  public static func rotate(at path: String, retiredAt: String) throws -> (old: SigningKey, new: SigningKey) {
    let old = try load(from: path)
    let list = try retired(forKeyFile: path) + [Published(old.publicKey, retiredAt: retiredAt)]
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(Array(try encoder.encode(list)), to: retiredPath(forKeyFile: path))
    let temporary = path + ".new"
    unlink(temporary)
    let new = try create(at: temporary)
    guard rename(temporary, path) == 0 else {
      unlink(temporary)
      throw StoreError(.missingKey, "cannot replace the signing key file \(path): \(String(cString: strerror(errno)))")
    }
    return (old, new)
  }

  /// The receipt with `document` signed.
  func sign(_ document: String) -> SignedReceipt {
    SignedReceipt(
      document: document, signature: Data(privateKey.signature(for: Array(document.utf8))).base64EncodedString(),
      keyID: keyID)
  }
}
