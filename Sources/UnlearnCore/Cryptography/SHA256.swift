internal import CUnlearnCrypto

/// SHA-256 (FIPS 180-4) from the system's libcrypto: one-shot with `hash(data:)`, or streaming with
/// `update` and `finalize`.
///
/// Not copyable: the hasher owns a libcrypto context, and a copy would share it.
public struct SHA256: ~Copyable {
  /// Bytes in a digest.
  public static let byteCount = 32

  private let context: OpaquePointer

  /// A hasher that has seen no bytes yet.
  public init() {
    guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
    precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "libcrypto could not start SHA-256")
    self.context = context
  }

  deinit { EVP_MD_CTX_free(context) }

  /// Feeds `bytes` to the hash.
  public mutating func update(bufferPointer bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0 else { return }
    precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "libcrypto failed to hash")
  }

  /// Feeds `data` to the hash.
  public mutating func update(data: [UInt8]) {
    data.withUnsafeBytes { update(bufferPointer: $0) }
  }

  /// The digest of every byte fed so far (32 bytes); the hasher is used up.
  public consuming func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Self.byteCount)
    var length: UInt32 = 0
    precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1, "libcrypto failed to finish SHA-256")
    return digest
  }

  /// The SHA-256 digest of `data` (32 bytes).
  public static func hash(data: some Collection<UInt8>) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: byteCount)
    let hashed = data.withContiguousStorageIfAvailable { bytes in
      CUnlearnCrypto.SHA256(bytes.baseAddress, bytes.count, &digest)
    }
    if hashed == nil {
      let bytes = Array(data)
      CUnlearnCrypto.SHA256(bytes, bytes.count, &digest)
    }
    return digest
  }
}
