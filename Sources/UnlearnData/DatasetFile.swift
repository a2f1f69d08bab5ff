import Foundation

/// A dataset on disk in one of the formats Unlearn reads, with the options to read it.
///
/// The format follows from the name unless given: `*.csv` is CSV, `*.tsv` is label<TAB>text,
/// `*images-idx3-ubyte[.gz]` is IDX with its labels file found by the MNIST naming convention.
public struct DatasetFile: Sendable {
  public enum Format: String, Sendable, CaseIterable, Codable {
    case csv
    case tsv
    case idx
  }

  public let path: String
  public let format: Format
  /// CSV: the label column (nil = last non-id column).
  public var labelColumn: String?
  /// IDX: the labels file (nil = derived from the images file's name).
  public var labelsPath: String?
  /// TSV: how texts become features.
  public var vectorizer: HashingVectorizer

  /// Describes `path`, inferring its format from the name when `format` is nil.
  public init(
    path: String, format: Format? = nil, labelColumn: String? = nil, labelsPath: String? = nil,
    vectorizer: HashingVectorizer = HashingVectorizer()
  ) throws {
    guard let format = format ?? Self.inferredFormat(of: path) else {
      throw DataError(
        .unknownFormat, file: path, expected: "a name ending in .csv, .tsv or images-idx3-ubyte[.gz]",
        found: "'\((path as NSString).lastPathComponent)'", hint: "Rename the file or pass the format explicitly")
    }
    self.path = path
    self.format = format
    self.labelColumn = labelColumn
    self.labelsPath = labelsPath
    self.vectorizer = vectorizer
  }

  /// The files this dataset is read from (two for IDX).
  public var files: [String] {
    format == .idx ? [path, resolvedLabelsPath ?? ""].filter { !$0.isEmpty } : [path]
  }

  /// Reads the dataset.
  public func load() throws -> Dataset {
    switch format {
    case .csv:
      return try CSVLoader(labelColumn: labelColumn).load(path: path)
    case .tsv:
      return try TextTSVLoader(vectorizer: vectorizer).load(path: path)
    case .idx:
      guard let labels = resolvedLabelsPath else {
        throw DataError(
          .unknownFormat, file: path, expected: "an images file named like train-images-idx3-ubyte.gz",
          found: "a name without 'images-idx3'", hint: "Name the labels file explicitly")
      }
      return try IDXLoader().load(imagesPath: path, labelsPath: labels)
    }
  }

  private var resolvedLabelsPath: String? {
    labelsPath ?? IDXLoader.labelsPath(forImagesPath: path)
  }

  private static func inferredFormat(of path: String) -> Format? {
    let name = (path as NSString).lastPathComponent.lowercased()
    if name.hasSuffix(".csv") { return .csv }
    if name.hasSuffix(".tsv") { return .tsv }
    if name.contains("idx3-ubyte") || name.contains("images-idx") { return .idx }
    return nil
  }
}
