import Testing

@testable import UnlearnCore

/// Ed25519 against RFC 8032's test vectors (section 7.1, tests 1 and 2), and the properties a
/// receipt relies on: a new key signs what it verifies, and any changed byte or other key fails.
struct Ed25519Tests {
  typealias Hex = CryptographyTests

  @Test(arguments: [
    (
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ),
    (
      "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    ),
  ])
  func matchesRFC8032(_ vector: (secret: String, public: String, message: String, signature: String)) throws {
    let key = try Ed25519PrivateKey(rawRepresentation: Hex.bytes(hex: vector.secret))
    #expect(Hex.hex(key.publicKey.rawRepresentation) == vector.public)
    let message = Hex.bytes(hex: vector.message)
    #expect(Hex.hex(key.signature(for: message)) == vector.signature)
    #expect(key.publicKey.isValidSignature(Hex.bytes(hex: vector.signature), for: message))
  }

  @Test func aNewKeyVerifiesItsOwnSignatureAndNothingElse() throws {
    let key = Ed25519PrivateKey()
    let other = Ed25519PrivateKey()
    #expect(key.rawRepresentation != other.rawRepresentation)
    let message = Array("erase samples 3 and 10".utf8)
    let signature = key.signature(for: message)
    #expect(key.publicKey.isValidSignature(signature, for: message))
    #expect(!other.publicKey.isValidSignature(signature, for: message))
    for index in [0, message.count / 2, message.count - 1] {
      var edited = message
      edited[index] ^= 1
      #expect(!key.publicKey.isValidSignature(signature, for: edited))
    }
    var forged = signature
    forged[5] ^= 0x80
    #expect(!key.publicKey.isValidSignature(forged, for: message))
    #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
    #expect(throws: Ed25519Error.badKeyLength(expected: 32, found: 31)) {
      try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
    }
  }
}
