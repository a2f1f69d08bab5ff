internal import CUnlearnCrypto

/// Ed25519 signatures (RFC 8032) from the system's libcrypto: what a deletion receipt is signed
/// with, so anyone holding the service's public key can check it offline.
///
/// Keys are the raw 32-byte seed (private) and 32-byte point (public), as RFC 8032 writes them;
/// signatures are 64 bytes. New keys come from libcrypto's CSPRNG.
public struct Ed25519PrivateKey: Sendable {
  /// The 32-byte seed.
  public let rawRepresentation: [UInt8]
  /// The matching public key.
  public let publicKey: Ed25519PublicKey

  /// A new random key.
  public init() {
    guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
      preconditionFailure("libcrypto cannot make an Ed25519 key context")
    }
    defer { EVP_PKEY_CTX_free(context) }
    var key: OpaquePointer?
    precondition(
      EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_keygen(context, &key) == 1 && key != nil,
      "libcrypto failed to generate an Ed25519 key")
    defer { EVP_PKEY_free(key) }
    var seed = [UInt8](repeating: 0, count: 32)
    var length = 32
    precondition(EVP_PKEY_get_raw_private_key(key, &seed, &length) == 1 && length == 32, "no raw Ed25519 seed")
    try! self.init(rawRepresentation: seed)
  }

  /// The key with this 32-byte seed; throws for another length.
  public init(rawRepresentation seed: [UInt8]) throws {
    guard seed.count == 32 else { throw Ed25519Error.badKeyLength(expected: 32, found: seed.count) }
    guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
      throw Ed25519Error.rejectedKey
    }
    defer { EVP_PKEY_free(key) }
    var point = [UInt8](repeating: 0, count: 32)
    var length = 32
    guard EVP_PKEY_get_raw_public_key(key, &point, &length) == 1, length == 32 else { throw Ed25519Error.rejectedKey }
    rawRepresentation = seed
    publicKey = try Ed25519PublicKey(rawRepresentation: point)
  }

  /// The 64-byte signature of `message` (pure Ed25519: the message itself, not a digest of it).
  public func signature(for message: [UInt8]) -> [UInt8] {
    guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count),
      let context = EVP_MD_CTX_new()
    else { preconditionFailure("libcrypto cannot load an Ed25519 key") }
    defer {
      EVP_MD_CTX_free(context)
      EVP_PKEY_free(key)
    }
    var signature = [UInt8](repeating: 0, count: 64)
    var length = 64
    let signed =
      EVP_DigestSignInit(context, nil, nil, nil, key) == 1
      && EVP_DigestSign(context, &signature, &length, message, message.count) == 1
    precondition(signed && length == 64, "libcrypto failed to sign with Ed25519")
    return signature
  }
}
