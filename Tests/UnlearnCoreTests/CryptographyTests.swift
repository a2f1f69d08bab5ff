import Testing

@testable import UnlearnCore

/// Known answers from the standards (FIPS 180-4's "abc" and one million "a"s, RFC 4231 test case 2)
/// and, for AES-GCM, a box sealed by an independent implementation (Python's `cryptography`), which
/// is also the layout swift-crypto's `SealedBox.combined` wrote for earlier builds' ledger salts.
@Suite struct CryptographyTests {
  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
  }

  static func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
  }

  @Test func sha256MatchesTheStandardsVectorsOneShotAndStreaming() {
    #expect(
      Self.hex(SHA256.hash(data: Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    var hasher = SHA256()
    let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    for _ in 0..<1000 { hasher.update(data: thousand) }
    hasher.update(data: [])
    #expect(Self.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    #expect(SHA256.hash(data: "abc".utf8) == SHA256.hash(data: Array("abc".utf8)))
  }

  @Test func hmacMatchesRFC4231() {
    let code = HMACSHA256.authenticationCode(
      for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
    #expect(Self.hex(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
  }

  @Test func aesGCMOpensABoxAnotherImplementationSealed() throws {
    let key = [UInt8](0..<32)
    let box = Self.bytes(
      hex:
        "6465666768696a6b6c6d6e6f247eba011c9b76ed5f0e2bd2fa555bcf71f6333cbc54ca13c5b2c82d9d7ddcefc6fb125917e208cc09f31aa299"
    )
    let plaintext = Array("ledger salt: 0123456789abcdef".utf8)
    #expect(try AESGCM.open(box, key: key) == plaintext)
    #expect(try AESGCM.seal(plaintext, key: key, nonce: Array(box[..<12])) == box)
  }

  @Test func aesGCMRejectsAnyChangedByteAndAnotherKey() throws {
    let key = [UInt8](repeating: 7, count: 32)
    let plaintext = Array("a salt".utf8)
    let box = try AESGCM.seal(plaintext, key: key)
    #expect(box.count == AESGCM.nonceByteCount + plaintext.count + AESGCM.tagByteCount)
    #expect(try AESGCM.open(box, key: key) == plaintext)
    #expect(try AESGCM.seal(plaintext, key: key) != box, "every seal draws a fresh nonce")
    for index in box.indices {
      var changed = box
      changed[index] ^= 1
      #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(changed, key: key) }
    }
    #expect(throws: AESGCM.Failure.authenticationFailed) {
      try AESGCM.open(box, key: [UInt8](repeating: 8, count: 32))
    }
    #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(Array(box[..<27]), key: key) }
    #expect(throws: AESGCM.Failure.invalidKeySize(5)) { try AESGCM.seal(plaintext, key: [1, 2, 3, 4, 5]) }
  }
}
