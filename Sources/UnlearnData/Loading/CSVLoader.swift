import UnlearnCore

/// Loads a numeric CSV file (docs/architecture.md) into a `Dataset`.
///
/// The contract: one header row; numeric feature columns; an integer class column, named by
/// `labelColumn` or else the last column that is not `id`; an optional `id` column whose values
/// become the sample ids (else the 0-based data row number). Fields are comma separated, may be
/// surrounded by spaces and double quotes (a quoted field may contain commas and `""`), lines end
/// in LF or CRLF, and blank lines are skipped. A UTF-8 byte-order mark (as spreadsheets write) is
/// skipped. Any other irregularity is a `DataError` naming the file, line, column, expected and
/// found: ragged rows, non-numeric cells (a control character such as NUL inside a number too),
/// NaN or ±∞, non-integer labels, duplicate ids, an unknown label column, a header cell that is
/// `id` or the label column's name but for invisible characters, an empty file.
///
/// Cost: one pass over the bytes; integers take a fast path, other numbers go through the
/// standard library's correctly rounded parser.
public struct CSVLoader: Sendable {
  /// The label column's header name; nil means the last column other than `id`.
  public var labelColumn: String?
  /// The header name of the optional sample id column.
  public var idColumn: String

  public init(labelColumn: String? = nil, idColumn: String = "id") {
    self.labelColumn = labelColumn
    self.idColumn = idColumn
  }

  /// Loads the file at `path`.
  public func load(path: String) throws -> Dataset {
    let bytes = try FileContents.bytes(of: path)
    return try parse(bytes, file: path)
  }

  /// Parses CSV `bytes`; `file` names the source in errors and becomes the dataset's name.
  public func parse(_ bytes: [UInt8], file: String) throws -> Dataset {
    let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
    return try bytes.withUnsafeBufferPointer {
      try parse(buffer: UnsafeBufferPointer(rebasing: $0[start...]), file: file)
    }
  }

  /// Characters that do not show when a header is printed: a cell that is `id` or the label
  /// column's name once they are removed was meant to be that column.
  static func withoutInvisibleCharacters(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.filter {
          !($0.properties.generalCategory == .format || $0.properties.generalCategory == .control
            || $0.value == 0xA0)
        }))
  }

  private func parse(buffer: UnsafeBufferPointer<UInt8>, file: String) throws -> Dataset {
    var lines = LineCursor(buffer)
    let (header, headerLine) = try readHeader(&lines, file: file)
    let (idIndex, labelIndex) = try roles(in: header, line: headerLine, file: file)
    let featureIndices = header.indices.filter { $0 != labelIndex && $0 != idIndex }
    let isFeature = header.indices.map { $0 != labelIndex && $0 != idIndex }

    var values: [Double] = []
    values.reserveCapacity(featureIndices.count * estimatedRowCount(buffer))
    var labels: [Int] = []
    var ids: [SampleID] = []
    var firstLineOfID: [String: Int] = [:]
    var fields: [Range<Int>] = []

    while let (number, line) = lines.next() {
      if isBlank(line) { continue }
      fields.removeAll(keepingCapacity: true)
      try splitFields(line, file: file, line: number, into: &fields)
      guard fields.count == header.count else {
        throw DataError.raggedRow(
          file, line: number, expectedFields: header.count, foundFields: fields.count, separator: "comma")
      }
      for (column, range) in fields.enumerated() {
        if isFeature[column] {
          guard let value = parseNumber(line, range) else {
            throw DataError.nonNumericCell(
              file, line: number, column: column + 1, columnName: header[column], text: text(line, range))
          }
          guard value.isFinite else {
            throw DataError.nonFiniteValue(
              file, line: number, column: column + 1, columnName: header[column], text: text(line, range))
          }
          values.append(value)
        } else if column == labelIndex {
          guard let value = parseNumber(line, range), value.isFinite, value == value.rounded(),
            abs(value) < 1e15
          else {
            throw DataError.badLabel(
              file, line: number, column: column + 1, columnName: header[column], text: text(line, range))
          }
          labels.append(Int(value))
        } else {
          let id = text(line, range)
          guard !id.isEmpty else {
            throw DataError(
              .badHeader, file: file, line: number, column: column + 1, columnName: idColumn,
              expected: "a non-empty sample id", found: "an empty field")
          }
          if let first = firstLineOfID.updateValue(number, forKey: id) {
            throw DataError.duplicateID(file, line: number, column: column + 1, id: id, firstLine: first)
          }
          ids.append(SampleID(id))
        }
      }
    }
    guard !labels.isEmpty else {
      throw DataError(
        .emptyFile, file: file, line: headerLine + 1, expected: "at least one data row after the header",
        found: "none")
    }
    let classes = ClassLabels(integers: labels)
    return try Dataset(
      name: file,
      ids: idIndex == nil ? (0..<labels.count).map { SampleID(row: $0) } : ids,
      features: Matrix(rows: labels.count, columns: featureIndices.count, elements: values),
      labels: classes.indices,
      featureNames: featureIndices.map { header[$0] },
      classNames: classes.names,
      idOrigin: idIndex == nil ? .rowNumber : .column)
  }

  /// The header: the first line that is not blank, its names checked (distinct, and the id and
  /// label columns free of invisible characters a spreadsheet may add), and its line number.
  private func readHeader(_ lines: inout LineCursor, file: String) throws -> (names: [String], line: Int) {
    var header: [String] = []
    var headerLine = 0
    while let (number, line) = lines.next() {
      if isBlank(line) { continue }
      header = try splitFields(line, file: file, line: number).map { text(line, $0) }
      headerLine = number
      break
    }
    guard !header.isEmpty else {
      throw DataError.emptyFile(file, expected: "a header row naming the columns, then one row per sample")
    }
    for (column, name) in header.enumerated() {
      let visible = Self.withoutInvisibleCharacters(name)
      if visible != name, visible == idColumn || visible == (labelColumn ?? "label") {
        throw DataError(
          .badHeader, file: file, line: headerLine, column: column + 1, expected: "'\(visible)'",
          found: "'\(visible)' with invisible characters (\(Self.scalarList(name, minus: visible)))",
          hint: "Remove them from the header (a spreadsheet may have added them), then load the file again")
      }
    }
    if let duplicate = firstDuplicate(header) {
      throw DataError(
        .badHeader, file: file, line: headerLine, expected: "distinct column names",
        found: "'\(duplicate)' twice", hint: "Rename one of the columns")
    }
    return (header, headerLine)
  }

  /// The id column's index (none: ids are row numbers) and the label column's (by name, or the
  /// last column that is not the id).
  private func roles(in header: [String], line headerLine: Int, file: String) throws -> (id: Int?, label: Int) {
    let idIndex = header.firstIndex(of: idColumn)
    let labelIndex: Int
    if let labelColumn {
      guard let index = header.firstIndex(of: labelColumn) else {
        throw DataError.unknownLabelColumn(file, name: labelColumn, available: header)
      }
      labelIndex = index
    } else {
      guard let index = header.indices.last(where: { $0 != idIndex }) else {
        throw DataError(
          .badHeader, file: file, line: headerLine, expected: "a label column besides '\(idColumn)'",
          found: "only '\(idColumn)'")
      }
      labelIndex = index
    }
    return (idIndex, labelIndex)
  }

  // MARK: Fields

  private func splitFields(_ line: UnsafeBufferPointer<UInt8>, file: String, line number: Int) throws -> [Range<Int>] {
    var fields: [Range<Int>] = []
    try splitFields(line, file: file, line: number, into: &fields)
    return fields
  }

  /// Appends the byte range of each field's content (spaces trimmed, quotes removed).
  private func splitFields(
    _ line: UnsafeBufferPointer<UInt8>, file: String, line number: Int, into fields: inout [Range<Int>]
  ) throws {
    var start = 0
    var index = 0
    var quoted = false
    var inQuotes = false
    while index <= line.count {
      if index < line.count {
        let byte = line[index]
        if byte == UInt8(ascii: "\"") {
          if !inQuotes && isBlank(line, start..<index) {
            inQuotes = true
            quoted = true
          } else if inQuotes && index + 1 < line.count && line[index + 1] == UInt8(ascii: "\"") {
            index += 1
          } else if inQuotes {
            inQuotes = false
          }
          index += 1
          continue
        }
        if byte != UInt8(ascii: ",") || inQuotes {
          index += 1
          continue
        }
      } else if inQuotes {
        throw DataError(
          .badHeader, file: file, line: number, column: fields.count + 1,
          expected: "a closing double quote", found: "the end of the line",
          hint: "Quoted fields may not span lines")
      }
      var range = trimmed(line, start..<index)
      if quoted, range.count >= 2, line[range.lowerBound] == UInt8(ascii: "\""),
        line[range.upperBound - 1] == UInt8(ascii: "\"")
      {
        range = (range.lowerBound + 1)..<(range.upperBound - 1)
      }
      fields.append(range)
      quoted = false
      index += 1
      start = index
    }
  }

  private func trimmed(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
    var lower = range.lowerBound
    var upper = range.upperBound
    while lower < upper && (line[lower] == 0x20 || line[lower] == 0x09) { lower += 1 }
    while upper > lower && (line[upper - 1] == 0x20 || line[upper - 1] == 0x09) { upper -= 1 }
    return lower..<upper
  }

  private func isBlank(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>? = nil) -> Bool {
    (range ?? 0..<line.count).allSatisfy { line[$0] == 0x20 || line[$0] == 0x09 }
  }

  private func text(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
      .replacingOccurrences(of: "\"\"", with: "\"")
  }

  /// A number, or nil if the field is not one. Integers of up to 15 digits are converted exactly
  /// without the general parser; everything else (decimals, exponents, "nan", "inf") goes to
  /// `Double.init(_:)`, and the caller rejects non-finite results.
  private func parseNumber(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    // A control character (NUL ends the C string the general parser reads) is never part of a number.
    guard !range.isEmpty, !range.contains(where: { line[$0] < 0x20 || line[$0] == 0x7F }) else { return nil }
    var index = range.lowerBound
    var negative = false
    if line[index] == UInt8(ascii: "-") || line[index] == UInt8(ascii: "+") {
      negative = line[index] == UInt8(ascii: "-")
      index += 1
    }
    if index < range.upperBound && range.upperBound - index <= 15 {
      var value = 0
      var isInteger = true
      for position in index..<range.upperBound {
        let digit = line[position] &- UInt8(ascii: "0")
        guard digit < 10 else {
          isInteger = false
          break
        }
        value = value * 10 + Int(digit)
      }
      if isInteger { return negative ? -Double(value) : Double(value) }
    }
    return Double(String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self))
  }

  /// The code points of `text` that `visible` lacks, as U+XXXX.
  static func scalarList(_ text: String, minus visible: String) -> String {
    let kept = Set(visible.unicodeScalars)
    return text.unicodeScalars.filter { !kept.contains($0) }
      .map { "U+" + String($0.value, radix: 16, uppercase: true).leftPadded(to: 4) }.joined(separator: ", ")
  }

  private func firstDuplicate(_ names: [String]) -> String? {
    var seen = Set<String>()
    return names.first { !seen.insert($0).inserted }
  }

  private func estimatedRowCount(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
    buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
