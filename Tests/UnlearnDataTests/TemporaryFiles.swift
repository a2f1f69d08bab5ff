import CUnlearnZlib
import Foundation

/// A private temporary folder per test, removed when the value goes away.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "unlearn-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `contents` to `name` inside the folder and returns its path.
  func write(_ name: String, _ contents: String) throws -> String {
    try write(name, bytes: Array(contents.utf8))
  }

  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// Writes `bytes` gzip-compressed through zlib.
  func writeGzip(_ name: String, bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    guard let handle = gzopen(file, "wb") else { throw CocoaError(.fileWriteUnknown) }
    let written = bytes.withUnsafeBufferPointer { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
    gzclose(handle)
    guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    return file
  }
}

/// An IDX file's bytes: magic 00 00 08 <dims>, big-endian sizes, then the values.
func idxBytes(shape: [Int], values: [UInt8]) -> [UInt8] {
  var bytes: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
  for size in shape {
    bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
  }
  return bytes + values
}
