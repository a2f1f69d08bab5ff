import CUnlearnZlib
import Foundation

/// Reads whole files for the loaders, turning every failure into a `DataError` naming the file.
enum FileContents {
  /// The bytes of an uncompressed file.
  static func bytes(of path: String) throws -> [UInt8] {
    do {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
    } catch {
      throw DataError.unreadableFile(path, reason: readFailureReason(path))
    }
  }

  /// The decompressed bytes of a gzip file, through zlib's `gzread`. A file that is not gzip is
  /// returned as it is (zlib passes it through), so `.idx` and `.idx.gz` read alike.
  ///
  /// A stream that ends early or fails its CRC throws `truncatedFile` with zlib's own message.
  static func gunzippedBytes(of path: String) throws -> [UInt8] {
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw DataError.unreadableFile(path, reason: readFailureReason(path))
    }
    guard let file = gzopen(path, "rb") else {
      throw DataError.unreadableFile(path, reason: "zlib could not open it")
    }
    defer { gzclose(file) }
    gzbuffer(file, 1 << 20)
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 22)
    while true {
      let read = chunk.withUnsafeMutableBufferPointer { gzread(file, $0.baseAddress, UInt32($0.count)) }
      guard read > 0 else { break }
      result.append(contentsOf: chunk[..<Int(read)])
    }
    var errorNumber: Int32 = 0
    let message = String(cString: gzerror(file, &errorNumber))
    if errorNumber != Z_OK && errorNumber != Z_STREAM_END {
      throw DataError.truncatedFile(
        path, expected: "a complete gzip stream", found: "zlib error '\(message)' after \(result.count) bytes")
    }
    return result
  }

  private static func readFailureReason(_ path: String) -> String {
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
    if isDirectory.boolValue { return "a directory" }
    return "a file that cannot be read (permissions?)"
  }
}
