import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// Unlearn's strategy-state file, format version 2: what `unlearn train --strategy` writes and
/// `unlearn forget` reads and rewrites.
///
///     offset 0   8 bytes   magic "ULSTATE\n"
///     offset 8   UInt32    format version (little-endian), 2
///     offset 12  UInt64    header length h in bytes (little-endian)
///     offset 20  h bytes   header, UTF-8 JSON: {"strategy": name, "blobs": [{"name", "bytes", "sha256"}]}
///     offset 20+h          the blobs, back to back in header order
///     the last 32 bytes    SHA-256 of every byte before them (the header included)
///
/// Version 1 files (no closing digest) still load; `isUnsealedVersion1` lets a caller warn.
/// Every blob is checked against its SHA-256 on reading, so a truncated or altered file is refused
/// with a `ModelFileError` saying which part. Writing is atomic (temporary file, fsync, rename): a
/// crash leaves the old state or the new one, and after `unlearn forget --out S` over the same
/// path, the old state — which still holds the forgotten samples — is gone from that path.
public enum StateFile {
  public static let magic = Array("ULSTATE\n".utf8)
  public static let version: UInt32 = 2
  static let digestLength = 32

  /// Whether `bytes` are a version 1 state file, whose header no digest covers.
  public static func isUnsealedVersion1(_ bytes: [UInt8]) -> Bool {
    hasMagic(bytes) && bytes.count >= 12 && UInt32(littleEndianBytes: bytes[8..<12]) == 1
  }

  struct Header: Codable {
    struct Entry: Codable {
      var name: String
      var bytes: Int
      var sha256: String
    }
    var strategy: String
    var blobs: [Entry]
  }

  /// Whether `bytes` start like a state file (as opposed to a model file).
  public static func hasMagic(_ bytes: [UInt8]) -> Bool {
    bytes.count >= magic.count && Array(bytes[..<magic.count]) == magic
  }

  public static func encode(_ archive: StateArchive) throws -> [UInt8] {
    let parts = try encodedParts(archive)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for part in parts { bytes += part }
    return bytes
  }

  /// The file as its parts in order: magic, version, header length and header; each blob; the
  /// SHA-256 of everything before it. Writing them one by one keeps a large state (a Hessian
  /// factor of hundreds of megabytes) from being copied into one buffer.
  static func encodedParts(_ archive: StateArchive) throws -> [[UInt8]] {
    let blobs = try archive.names.map { try archive.requiredBlob($0, path: "the state being written") }
    let header = Header(
      strategy: archive.strategy,
      blobs: zip(archive.names, blobs).map { name, blob in
        Header.Entry(name: name, bytes: blob.count, sha256: FileDigest.hexadecimal(SHA256.hash(data: blob)))
      })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = Array(try encoder.encode(header))
    var head = magic
    head += withUnsafeBytes(of: version.littleEndian, Array.init)
    head += withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)
    head += json
    var digest = SHA256()
    digest.update(data: head)
    for blob in blobs { digest.update(data: blob) }
    return [head] + blobs + [digest.finalize()]
  }

  /// Reads an archive from `bytes`; `path` names the file in errors.
  public static func decode(_ bytes: [UInt8], path: String) throws -> StateArchive {
    guard hasMagic(bytes) else {
      throw ModelFileError.notAModelFile(path, "its first bytes are not the ULSTATE magic")
    }
    guard bytes.count >= 20 else {
      throw ModelFileError.truncated(path, "\(bytes.count) bytes, the header alone needs 20")
    }
    let fileVersion = UInt32(littleEndianBytes: bytes[8..<12])
    guard fileVersion == version || fileVersion == 1 else {
      throw ModelFileError.unsupportedVersion(
        path, "state format version \(fileVersion), this build reads versions 1 and \(version)")
    }
    // Version 2 ends in a digest of everything before it, checked after the structure so that a
    // truncated file is reported as truncated.
    let contentEnd = bytes.count - (fileVersion == version ? digestLength : 0)
    guard contentEnd >= 20 else {
      throw ModelFileError.truncated(
        path, "\(bytes.count) bytes, the header and digest alone need \(20 + digestLength)")
    }
    let headerLength = UInt64(littleEndianBytes: bytes[12..<20])
    guard headerLength <= UInt64(contentEnd - 20) else {
      throw ModelFileError.truncated(path, "the header needs \(headerLength) bytes, \(contentEnd - 20) remain")
    }
    var offset = 20 + Int(headerLength)
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: Data(bytes[20..<offset]))
    } catch {
      throw ModelFileError.corrupted(path, "the header is not valid: \(error)")
    }
    guard header.blobs.allSatisfy({ $0.bytes >= 0 && $0.bytes <= bytes.count }),
      Set(header.blobs.map(\.name)).count == header.blobs.count
    else {
      throw ModelFileError.corrupted(path, "the header lists a part with a negative size or a repeated name")
    }
    let expectedEnd = header.blobs.reduce(offset) { $0 + $1.bytes }
    guard expectedEnd <= contentEnd else {
      throw ModelFileError.truncated(path, "its parts need \(expectedEnd) bytes, the file has \(contentEnd)")
    }
    guard expectedEnd == contentEnd else {
      throw ModelFileError.corrupted(path, "\(contentEnd - expectedEnd) unexpected bytes after the last part")
    }
    if fileVersion == version, Array(SHA256.hash(data: bytes[..<contentEnd])) != Array(bytes[contentEnd...]) {
      throw ModelFileError.corrupted(
        path, "its content does not match its SHA-256: it was changed or damaged after it was written")
    }
    var archive = StateArchive(strategy: header.strategy)
    for entry in header.blobs {
      let blob = Array(bytes[offset..<(offset + entry.bytes)])
      offset += entry.bytes
      guard FileDigest.hexadecimal(SHA256.hash(data: blob)) == entry.sha256 else {
        throw ModelFileError.corrupted(path, "the '\(entry.name)' part does not match its SHA-256")
      }
      archive.setBlob(entry.name, blob)
    }
    return archive
  }

  public static func read(from path: String) throws -> StateArchive {
    try decode(try readBytes(path), path: path)
  }

  public static func write(_ archive: StateArchive, to path: String) throws {
    try AtomicFile.write(parts: try encodedParts(archive), to: path)
  }

  /// The whole file at `path`, or a `ModelFileError` that says why not. Read straight into the
  /// array (`read(2)` into its storage): a state holding a Hessian factor is hundreds of megabytes,
  /// and going through `Data` would allocate and copy it twice.
  public static func readBytes(_ path: String) throws -> [UInt8] {
    func unreadable() -> ModelFileError {
      ModelFileError.unreadable(path, FileManager.default.fileExists(atPath: path) ? "read failed" : "no such file")
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw unreadable() }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { throw unreadable() }
    let size = Int(status.st_size)
    var complete = true
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      var offset = 0
      while offset < size {
        let count = Glibc.read(descriptor, buffer.baseAddress! + offset, size - offset)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        offset += count
      }
      complete = offset == size
      initialized = offset
    }
    // A file that shrank while it was read is refused; one that grew is read as it was.
    guard complete else { throw unreadable() }
    return bytes
  }
}
