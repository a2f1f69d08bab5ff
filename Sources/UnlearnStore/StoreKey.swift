import Foundation
import UnlearnCore
import UnlearnData

/// The store's secret: 32 random bytes kept in a file beside the database (mode 0600), never in it.
///
/// Sample ids in requests and the audit log are HMAC-SHA256(key, id), and the salt of every stored
/// state's forgotten-id ledger and every signed receipt's document (whose id hashes are keyed by a
/// salt printed in it) are sealed with it (AES-GCM). So a copy of the database alone cannot
/// confirm a guessed id (row numbers are easily guessed); the key file is what to protect and back
/// up with it. Verifying the audit chain needs no key: the chain hashes what is stored.
public struct StoreKey: Sendable {
  /// The key's bytes.
  private let bytes: [UInt8]

  /// Where `unlearn store init` puts the key for a store at `storePath`: the same path + ".key".
  public static func defaultPath(forStore storePath: String) -> String { storePath + ".key" }

  init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  /// Reads the key at `path` (64 hexadecimal digits, as `create` writes it).
  public static func load(from path: String) throws -> StoreKey {
    switch SecretFile.read(path, byteCount: 32) {
    case .unreadable:
      throw StoreError(
        .missingKey,
        "cannot read the store key file \(path): restore it from your backup, or pass its place with --key-file")
    case .malformed:
      throw StoreError(.missingKey, "the store key file \(path) does not hold 64 hexadecimal digits")
    case .bytes(let bytes):
      return StoreKey(bytes: bytes)
    }
  }

  /// Creates a new random key at `path` with mode 0600; refuses to overwrite an existing file.
  public static func create(at path: String) throws -> StoreKey {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    try SecretFile.create(at: path, bytes: bytes, name: "store key file")
    return StoreKey(bytes: bytes)
  }

  /// HMAC-SHA256(key, id), hex: how requests and the audit log name a sample.
  public func hash(_ id: SampleID) -> String {
    FileDigest.hexadecimal(HMACSHA256.authenticationCode(for: Array(id.rawValue.utf8), key: bytes))
  }

  static let sealedPrefix = "sealed:"

  /// `text` encrypted and authenticated with the key (AES-256-GCM, nonce ‖ ciphertext ‖ tag), as
  /// "sealed:" + base64. `what` names the text in errors ("a ledger salt").
  func seal(_ text: String, what: String) throws -> String {
    do {
      return Self.sealedPrefix + Data(try AESGCM.seal(Array(text.utf8), key: bytes)).base64EncodedString()
    } catch {
      throw StoreError(.corrupted, "cannot seal \(what): AES-GCM failed (\(error))")
    }
  }

  /// The text `seal` sealed; a `StoreError` when it was sealed with another key or changed.
  func unseal(_ sealed: String, what: String) throws -> String {
    guard sealed.hasPrefix(Self.sealedPrefix),
      let data = Data(base64Encoded: String(sealed.dropFirst(Self.sealedPrefix.count))),
      let opened = try? AESGCM.open(Array(data), key: bytes)
    else {
      throw StoreError(
        .missingKey, "\(what) in the store does not open with this key file: is it the store's own key?")
    }
    return String(decoding: opened, as: UTF8.self)
  }
}
