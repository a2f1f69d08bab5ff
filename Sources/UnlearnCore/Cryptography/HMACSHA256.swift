internal import CUnlearnCrypto

/// HMAC-SHA256 (RFC 2104) from the system's libcrypto.
public enum HMACSHA256 {
  /// Bytes in an authentication code.
  public static let byteCount = 32

  /// HMAC-SHA256(key, message): 32 bytes.
  public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
    var code = [UInt8](repeating: 0, count: byteCount)
    var length: UInt32 = 0
    let result = key.withUnsafeBytes { key in
      message.withUnsafeBytes { message in
        HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), message.baseAddress, message.count, &code, &length)
      }
    }
    precondition(result != nil && length == UInt32(byteCount), "libcrypto failed to compute HMAC-SHA256")
    return code
  }
}
