import Foundation
import UnlearnCore
import UnlearnData

#if canImport(Glibc)
  import Glibc
#endif

/// The service's receipt-signing key: an Ed25519 seed in a file beside the store (mode 0600), never
/// in the database. `unlearn store init` creates it; its public key is what people check receipts
/// with (`unlearn store public-key`, `GET /v1/keys`), and a receipt names it by `keyID`.
public struct SigningKey: Sendable {
  let privateKey: Ed25519PrivateKey

  /// Where `unlearn store init` puts the signing key for a store at `storePath`.
  public static func defaultPath(forStore storePath: String) -> String { storePath + ".signing-key" }

  public var publicKey: Ed25519PublicKey { privateKey.publicKey }

  /// The first 16 hexadecimal digits of SHA-256(public key): how receipts name the key.
  public var keyID: String { Self.keyID(of: publicKey) }

  public static func keyID(of publicKey: Ed25519PublicKey) -> String {
    String(FileDigest.hexadecimal(SHA256.hash(data: publicKey.rawRepresentation)).prefix(16))
  }

  /// Reads the key at `path` (64 hexadecimal digits: the seed).
  public static func load(from path: String) throws -> SigningKey {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      let seed = HexadecimalBytes.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), seed.count == 32
    else {
      throw StoreError(
        .missingKey, "the signing key file \(path) is missing or does not hold 64 hexadecimal digits")
    }
    return SigningKey(privateKey: try Ed25519PrivateKey(rawRepresentation: seed))
  }

  /// Creates a new key (from the system's CSPRNG) at `path` with mode 0600; refuses to overwrite.
  public static func create(at path: String) throws -> SigningKey {
    let key = Ed25519PrivateKey()
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
      throw StoreError(.missingKey, "cannot create the signing key file \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let text = Array((FileDigest.hexadecimal(key.rawRepresentation) + "\n").utf8)
    guard write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
      throw StoreError(.missingKey, "cannot write the signing key file \(path): \(String(cString: strerror(errno)))")
    }
    return SigningKey(privateKey: key)
  }

  /// The receipt with `document` signed.
  func sign(_ document: String) -> SignedReceipt {
    SignedReceipt(
      document: document, signature: Data(privateKey.signature(for: Array(document.utf8))).base64EncodedString(),
      keyID: keyID)
  }
}
