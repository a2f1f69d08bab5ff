import Foundation
import UnlearnCore

/// Content fingerprints of files, so a model or report can name exactly the data it came from.
public enum FileDigest {
  /// The SHA-256 of the file's bytes as stored (compressed files are hashed compressed), in lowercase
  /// hex: the same string `sha256sum` prints. Reads in 1 MiB chunks.
  public static func sha256(ofFileAt path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw DataError.unreadableFile(path, reason: "cannot open it for reading")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
      }
    } catch {
      throw DataError.unreadableFile(path, reason: "read failed: \(error)")
    }
    return hexadecimal(hasher.finalize())
  }

  /// Lowercase hex of a byte sequence (a digest), two characters a byte.
  public static func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
    let bytes = Array(bytes)
    let digits: StaticString = "0123456789abcdef"
    // Written straight into the string's storage: a deletion hashes each forgotten id, and building
    // the string through an array of characters was a visible share of a small request.
    return String(unsafeUninitializedCapacity: 2 * bytes.count) { characters in
      digits.withUTF8Buffer { digits in
        for (index, byte) in bytes.enumerated() {
          characters[2 * index] = digits[Int(byte >> 4)]
          characters[2 * index + 1] = digits[Int(byte & 0x0F)]
        }
      }
      return 2 * bytes.count
    }
  }
}
