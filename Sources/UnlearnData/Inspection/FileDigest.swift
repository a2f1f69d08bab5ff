import Crypto
import Foundation

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
        hasher.update(data: chunk)
      }
    } catch {
      throw DataError.unreadableFile(path, reason: "read failed: \(error)")
    }
    return hexadecimal(hasher.finalize())
  }

  /// Lowercase hex of a byte sequence (a digest), two characters a byte.
  public static func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var characters: [UInt8] = []
    for byte in bytes {
      characters.append(digits[Int(byte >> 4)])
      characters.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: characters, as: UTF8.self)
  }
}
