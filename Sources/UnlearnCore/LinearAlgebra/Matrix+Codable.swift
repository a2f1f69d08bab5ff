extension Matrix: Codable {
  private enum CodingKeys: String, CodingKey {
    case rows, columns, elements
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let rows = try container.decode(Int.self, forKey: .rows)
    let columns = try container.decode(Int.self, forKey: .columns)
    let elements = try container.decode([Double].self, forKey: .elements)
    guard rows >= 0, columns >= 0, elements.count == rows * columns else {
      throw DecodingError.dataCorruptedError(
        forKey: .elements, in: container,
        debugDescription: "a \(rows)×\(columns) matrix needs \(rows * columns) elements, found \(elements.count)")
    }
    self.init(rows: rows, columns: columns, elements: elements)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(rows, forKey: .rows)
    try container.encode(columns, forKey: .columns)
    try container.encode(elements, forKey: .elements)
  }
}
