import Foundation

/// A file of per-sample likelihoods: `id,likelihood` lines, each likelihood in [0, 1]. An
/// optional `id,likelihood` header, blank lines and `#` comments are skipped. ARCANE reads its
/// deletion likelihoods from it.
public enum SampleLikelihoodList {
  /// The likelihoods in `path`, by id. Throws `DataError` with line and column for a line that is
  /// not two fields, a value that is not a number in [0, 1], a repeated id or an empty file.
  public static func load(path: String) throws -> [SampleID: Double] {
    let bytes = try FileContents.bytes(of: path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw DataError(
        .unreadableFile, file: path, expected: "UTF-8 text, one 'id,likelihood' per line",
        found: "bytes that are not UTF-8")
    }
    var values: [SampleID: Double] = [:]
    var lineOf: [SampleID: Int] = [:]
    var lineNumber = 0
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") || (values.isEmpty && line == "id,likelihood") { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard fields.count == 2, !fields[0].isEmpty else {
        throw DataError(
          .raggedRow, file: path, line: lineNumber, column: 1, expected: "two fields, id,likelihood",
          found: "'\(line)'")
      }
      guard let value = Double(fields[1]), value >= 0, value <= 1 else {
        throw DataError(
          .nonNumericCell, file: path, line: lineNumber, column: 2, columnName: "likelihood",
          expected: "a number between 0 and 1", found: "'\(fields[1])'")
      }
      let id = SampleID(fields[0])
      if let first = lineOf.updateValue(lineNumber, forKey: id) {
        throw DataError.duplicateID(path, line: lineNumber, column: 1, id: fields[0], firstLine: first)
      }
      values[id] = value
    }
    guard !values.isEmpty else {
      throw DataError.emptyFile(path, expected: "at least one 'id,likelihood' line")
    }
    return values
  }
}
