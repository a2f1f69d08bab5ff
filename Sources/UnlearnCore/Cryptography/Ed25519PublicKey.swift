internal import CUnlearnCrypto

/// An Ed25519 public key (the 32-byte point).
public struct Ed25519PublicKey: Sendable, Equatable {
  public let rawRepresentation: [UInt8]

  public init(rawRepresentation point: [UInt8]) throws {
    guard point.count == 32 else { throw Ed25519Error.badKeyLength(expected: 32, found: point.count) }
    rawRepresentation = point
  }

  /// Whether `signature` is this key's signature of `message`.
  public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
    guard signature.count == 64,
      let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count),
      let context = EVP_MD_CTX_new()
    else { return false }
    defer {
      EVP_MD_CTX_free(context)
      EVP_PKEY_free(key)
    }
    return EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
      && EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
  }
}
