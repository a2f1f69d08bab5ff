import Foundation
import UnlearnData

#if canImport(Glibc)
  import Glibc
#endif

/// A small secret kept in a file beside the store, never in it: its bytes as hexadecimal digits and
/// a newline, mode 0600, never overwritten. The store key (`StoreKey`) and the receipt signing key
/// (`SigningKey`) are both kept this way.
enum SecretFile {
  /// What reading a secret file found.
  enum Contents {
    case unreadable
    /// Not exactly the expected number of bytes as hexadecimal digits.
    case malformed
    case bytes([UInt8])
  }

  /// The `byteCount` bytes `create` wrote at `path`.
  static func read(_ path: String, byteCount: Int) -> Contents {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .unreadable }
    guard let bytes = HexadecimalBytes.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
      bytes.count == byteCount
    else { return .malformed }
    return .bytes(bytes)
  }

  /// Writes `bytes` to a new file at `path` with mode 0600 and syncs it; refuses an existing file.
  /// `name` says what the file is in errors ("store key file").
  static func create(at path: String, bytes: [UInt8], name: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
      throw StoreError(.missingKey, "cannot create the \(name) \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let text = Array((FileDigest.hexadecimal(bytes) + "\n").utf8)
    guard write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0 else {
      throw StoreError(.missingKey, "cannot write the \(name) \(path): \(String(cString: strerror(errno)))")
    }
  }
}
