import Foundation

/// A file of sample ids, one per line — how forget requests name samples on the command line.
///
/// Surrounding whitespace is trimmed, blank lines and lines starting with `#` are skipped, and a
/// first line that is exactly `id` is read as a header. An id listed twice is an error naming both
/// lines (a request is a set; a repeated id usually means the list was built wrongly).
public enum SampleIDList {
  public static func load(path: String) throws -> [SampleID] {
    let bytes = try FileContents.bytes(of: path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw DataError(
        .unreadableFile, file: path, expected: "UTF-8 text, one sample id per line", found: "bytes that are not UTF-8")
    }
    var ids: [SampleID] = []
    var lineOf: [SampleID: Int] = [:]
    var lineNumber = 0
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") || (ids.isEmpty && line == "id") { continue }
      let id = SampleID(line)
      if let first = lineOf.updateValue(lineNumber, forKey: id) {
        throw DataError.duplicateID(path, line: lineNumber, column: 1, id: line, firstLine: first)
      }
      ids.append(id)
    }
    guard !ids.isEmpty else {
      throw DataError.emptyFile(path, expected: "at least one sample id, one per line")
    }
    return ids
  }
}
