/// Input data that cannot be used, with where it is and what to do about it.
///
/// Every loader error names the file, and where it applies the 1-based line and column (and the
/// column's header name), what was expected and what was found. `description` is the message a
/// user sees; tests match on `code`.
public struct DataError: Error, Sendable, CustomStringConvertible {
  /// What kind of problem this is. New codes can be added without breaking callers.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Value: String, Hashable, Sendable {
      case unreadableFile = "unreadable file"
      case emptyFile = "empty file"
      case badHeader = "bad header"
      case raggedRow = "ragged row"
      case nonNumericCell = "non-numeric cell"
      case nonFiniteValue = "NaN or infinite value"
      case badLabel = "bad label"
      case unknownLabelColumn = "unknown label column"
      case duplicateID = "duplicate sample id"
      case truncatedFile = "truncated or corrupt file"
      case unknownFormat = "unknown data format"
      case unknownClass = "unknown class"
      case featureCountMismatch = "wrong number of features"
      case untrainable = "too little data to train on"
      case invalidScaling = "invalid feature scaling"
    }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    public static let unreadableFile = Code(.unreadableFile)
    public static let emptyFile = Code(.emptyFile)
    public static let badHeader = Code(.badHeader)
    public static let raggedRow = Code(.raggedRow)
    public static let nonNumericCell = Code(.nonNumericCell)
    public static let nonFiniteValue = Code(.nonFiniteValue)
    public static let badLabel = Code(.badLabel)
    public static let unknownLabelColumn = Code(.unknownLabelColumn)
    public static let duplicateID = Code(.duplicateID)
    public static let truncatedFile = Code(.truncatedFile)
    public static let unknownFormat = Code(.unknownFormat)
    public static let unknownClass = Code(.unknownClass)
    public static let featureCountMismatch = Code(.featureCountMismatch)
    public static let untrainable = Code(.untrainable)
    public static let invalidScaling = Code(.invalidScaling)

    public var description: String { value.rawValue }
  }

  public let code: Code
  /// The file as the user named it.
  public let file: String
  /// 1-based line (CSV, TSV) or nil where lines do not apply.
  public let line: Int?
  /// 1-based column (field index for CSV and TSV, byte offset for binary formats), or nil.
  public let column: Int?
  /// The header name of `column`, when there is one.
  public let columnName: String?
  public let expected: String
  public let found: String
  /// What to do next.
  public let hint: String?

  init(
    _ code: Code, file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
    expected: String, found: String, hint: String? = nil
  ) {
    self.code = code
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
    self.expected = expected
    self.found = found
    self.hint = hint
  }

  public var description: String {
    var location = file
    if let line { location += ":\(line)" }
    if let column { location += line == nil ? " (byte \(column))" : ":\(column)" }
    if let columnName { location += " (column '\(columnName)')" }
    var message = "\(location): \(code): expected \(expected), found \(found)"
    if let hint { message += ". \(hint)" }
    return message
  }
}

extension DataError {
  static func unreadableFile(_ file: String, reason: String) -> DataError {
    DataError(
      .unreadableFile, file: file, expected: "a readable file", found: reason,
      hint: "Check the path and its permissions")
  }

  static func emptyFile(_ file: String, expected: String) -> DataError {
    DataError(.emptyFile, file: file, line: 1, expected: expected, found: "nothing")
  }

  static func raggedRow(_ file: String, line: Int, expectedFields: Int, foundFields: Int, separator: String)
    -> DataError
  {
    DataError(
      .raggedRow, file: file, line: line, column: min(expectedFields, foundFields) + 1,
      expected: "\(expectedFields) \(separator)-separated fields", found: "\(foundFields)",
      hint: "Every row needs as many fields as the header")
  }

  /// Data no classifier can be trained on (too few samples or classes).
  public static func untrainable(_ file: String, expected: String, found: String) -> DataError {
    DataError(
      .untrainable, file: file, expected: expected, found: found,
      hint: "A classifier needs examples of two or more labels to tell apart; check the label column")
  }

  static func nonNumericCell(_ file: String, line: Int, column: Int, columnName: String?, text: String)
    -> DataError
  {
    let isControl: (Unicode.Scalar) -> Bool = { $0.value < 0x20 || $0.value == 0x7F }
    guard text.unicodeScalars.contains(where: isControl) else {
      return DataError(
        .nonNumericCell, file: file, line: line, column: column, columnName: columnName,
        expected: "a number", found: "\"\(text)\"",
        hint: "Features must be numeric; encode categories as numbers first")
    }
    let shown = text.unicodeScalars.map { isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }
    return DataError(
      .nonNumericCell, file: file, line: line, column: column, columnName: columnName,
      expected: "a number", found: "\"\(shown.joined())\", which holds a control character",
      hint: "Remove the control characters (NUL, tab, ...) from the file")
  }

  static func nonFiniteValue(_ file: String, line: Int?, column: Int?, columnName: String?, text: String)
    -> DataError
  {
    DataError(
      .nonFiniteValue, file: file, line: line, column: column, columnName: columnName,
      expected: "a finite number", found: "\"\(text)\"",
      hint: "Impute or drop missing values before training")
  }

  static func badLabel(_ file: String, line: Int, column: Int?, columnName: String?, text: String) -> DataError {
    DataError(
      .badLabel, file: file, line: line, column: column, columnName: columnName,
      expected: "an integer class label", found: "\"\(text)\"")
  }

  static func unknownLabelColumn(_ file: String, name: String, available: [String]) -> DataError {
    let shown = available.count > 8 ? available.prefix(4) + ["…"] + available.suffix(3) : available[...]
    return DataError(
      .unknownLabelColumn, file: file, line: 1, expected: "a column named '\(name)'",
      found: "columns \(shown.joined(separator: ", "))",
      hint: "Pass --label with one of the header's column names")
  }

  static func duplicateID(_ file: String, line: Int, column: Int, id: String, firstLine: Int) -> DataError {
    DataError(
      .duplicateID, file: file, line: line, column: column, columnName: "id",
      expected: "a unique id (\"\(id)\" is already on line \(firstLine))", found: "\"\(id)\" again",
      hint: "Sample ids must be unique: deletion requests name samples by id")
  }

  /// The file's rows do not have the number of features the model or training data has.
  public static func scalingMismatch(_ file: String, scalingFeatures: Int, found: Int) -> DataError {
    DataError(
      .featureCountMismatch, file: file, expected: "\(scalingFeatures) features, one per statistic of --scaling",
      found: "\(found)", hint: "Give scaling statistics computed on data with the same columns")
  }

  public static func featureCountMismatch(_ file: String, expected: Int, found: Int) -> DataError {
    DataError(
      .featureCountMismatch, file: file, expected: "\(expected) features, as in the training data",
      found: "\(found)", hint: "Use data with the same columns the model was trained on")
  }

  static func truncatedFile(_ file: String, offset: Int? = nil, expected: String, found: String) -> DataError {
    DataError(
      .truncatedFile, file: file, column: offset, expected: expected, found: found,
      hint: "The file is cut short or damaged; download or copy it again")
  }
}
