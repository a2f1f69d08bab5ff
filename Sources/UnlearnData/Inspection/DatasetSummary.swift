/// What `unlearn data inspect` reports about a dataset: size, classes, id origin and fingerprints.
public struct DatasetSummary: Sendable, Codable, Equatable {
  public struct ClassCount: Sendable, Codable, Equatable {
    public let name: String
    public let count: Int
  }

  public struct FileFingerprint: Sendable, Codable, Equatable {
    public let path: String
    public let sha256: String
  }

  public let format: String
  public let rows: Int
  public let features: Int
  public let classes: [ClassCount]
  /// Whether sample ids come from an `id` column (else they are row numbers).
  public let idsPresent: Bool
  public let files: [FileFingerprint]

  enum CodingKeys: String, CodingKey {
    case format, rows, features, classes
    case idsPresent = "ids_present"
    case files
  }

  /// Summarizes `dataset` as read from `file`, hashing the file(s) it came from.
  public init(dataset: Dataset, file: DatasetFile) throws {
    format = file.format.rawValue
    rows = dataset.count
    features = dataset.featureCount
    classes = zip(dataset.classNames, dataset.classCounts).map { ClassCount(name: $0, count: $1) }
    idsPresent = dataset.idOrigin == .column
    files = try file.files.map { FileFingerprint(path: $0, sha256: try FileDigest.sha256(ofFileAt: $0)) }
  }
}
