import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes whole files so that readers and crashes only ever see the old or the new contents.
public enum AtomicFile {
  /// Writes `bytes` to a temporary file beside `path`, fsyncs it, and renames it over `path`
  /// (rename is atomic within one file system). On failure the temporary file is removed and
  /// `path` is untouched.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    try write(parts: [bytes], to: path)
  }

  /// Writes the concatenation of `parts`, one after another, as `write(_:to:)` does: a file made of
  /// large parts is never copied into one buffer first.
  public static func write(parts: [[UInt8]], to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let temporary =
      (directory.isEmpty ? "" : directory + "/") + ".\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else {
      throw ModelFileError.unwritable(path, String(cString: strerror(errno)))
    }
    var failure: String?
    for part in parts where failure == nil {
      part.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
          let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
          if written < 0 {
            if errno == EINTR { continue }
            failure = String(cString: strerror(errno))
            return
          }
          offset += written
        }
      }
    }
    if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
    close(descriptor)
    if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
      unlink(temporary)
      throw ModelFileError.unwritable(path, failure)
    }
  }
}
