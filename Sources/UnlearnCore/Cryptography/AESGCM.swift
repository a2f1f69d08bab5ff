internal import CUnlearnCrypto

/// AES-GCM authenticated encryption (NIST SP 800-38D) from the system's libcrypto, in the combined
/// form nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes) — the layout swift-crypto's
/// `AES.GCM.SealedBox.combined` used, so boxes sealed by earlier builds open unchanged.
///
/// The key's length picks the cipher: 16 bytes AES-128, 24 AES-192, 32 AES-256. Every seal draws a
/// fresh random nonce from the system's CSPRNG.
public enum AESGCM {
  /// Bytes of the nonce at the front of a box.
  public static let nonceByteCount = 12
  /// Bytes of the tag at its end.
  public static let tagByteCount = 16

  /// Why sealing or opening failed.
  public enum Failure: Error, Equatable {
    /// The key is not 16, 24 or 32 bytes long.
    case invalidKeySize(Int)
    /// The box is shorter than a nonce and a tag, or its tag does not match (wrong key, or changed).
    case authenticationFailed
    /// libcrypto reported an error (allocation, or the system's random source).
    case libraryFailure
  }

  /// `plaintext` encrypted and authenticated with `key`: nonce ‖ ciphertext ‖ tag.
  public static func seal(_ plaintext: [UInt8], key: [UInt8]) throws(Failure) -> [UInt8] {
    var nonce = [UInt8](repeating: 0, count: nonceByteCount)
    guard RAND_bytes(&nonce, Int32(nonceByteCount)) == 1 else { throw .libraryFailure }
    return try seal(plaintext, key: key, nonce: nonce)
  }

  /// `seal` with a given nonce: for known-answer tests only (a nonce must never repeat under a key).
  static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) throws(Failure) -> [UInt8] {
    let cipher = try cipher(forKeyBytes: key.count)
    guard let context = EVP_CIPHER_CTX_new() else { throw .libraryFailure }
    defer { EVP_CIPHER_CTX_free(context) }
    var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
    var written: Int32 = 0
    var finished: Int32 = 0
    var tag = [UInt8](repeating: 0, count: tagByteCount)
    guard EVP_EncryptInit_ex(context, cipher, nil, key, nonce) == 1,
      EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1,
      ciphertext.withUnsafeMutableBufferPointer({ buffer in
        EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finished)
      }) == 1,
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1
    else { throw .libraryFailure }
    return nonce + ciphertext[..<Int(written + finished)] + tag
  }

  /// The plaintext of a box `seal` made with `key`; `.authenticationFailed` when the key is another
  /// or any byte of the box changed.
  public static func open(_ box: [UInt8], key: [UInt8]) throws(Failure) -> [UInt8] {
    let cipher = try cipher(forKeyBytes: key.count)
    guard box.count >= nonceByteCount + tagByteCount else { throw .authenticationFailed }
    let nonce = Array(box[..<nonceByteCount])
    let ciphertext = Array(box[nonceByteCount..<(box.count - tagByteCount)])
    var tag = Array(box[(box.count - tagByteCount)...])
    guard let context = EVP_CIPHER_CTX_new() else { throw .libraryFailure }
    defer { EVP_CIPHER_CTX_free(context) }
    var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
    var written: Int32 = 0
    var finished: Int32 = 0
    guard EVP_DecryptInit_ex(context, cipher, nil, key, nonce) == 1,
      EVP_DecryptUpdate(context, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1,
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1
    else { throw .libraryFailure }
    let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
      EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(written), &finished)
    }
    guard verified == 1 else { throw .authenticationFailed }
    return Array(plaintext[..<Int(written + finished)])
  }

  private static func cipher(forKeyBytes count: Int) throws(Failure) -> OpaquePointer {
    let cipher =
      switch count {
      case 16: EVP_aes_128_gcm()
      case 24: EVP_aes_192_gcm()
      case 32: EVP_aes_256_gcm()
      default: throw Failure.invalidKeySize(count)
      }
    guard let cipher else { throw .libraryFailure }
    return cipher
  }
}
