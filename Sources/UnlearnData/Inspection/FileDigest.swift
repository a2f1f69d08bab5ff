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
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }
}
