/// The stable name of one training sample: the value of the dataset's `id` column, or its 0-based
/// data row number when there is none. Deletion requests, shard assignment and the audit log all
/// refer to samples by this id, never by position.
public struct SampleID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  public let rawValue: String

  public init(_ rawValue: String) {
    self.rawValue = rawValue
  }

  public init(stringLiteral value: String) {
    self.rawValue = value
  }

  /// The id of the sample on 0-based data row `row` of a file without an `id` column.
  public init(row: Int) {
    self.rawValue = String(row)
  }

  public var description: String { rawValue }

  public static func < (lhs: SampleID, rhs: SampleID) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

extension SampleID: Codable {
  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
