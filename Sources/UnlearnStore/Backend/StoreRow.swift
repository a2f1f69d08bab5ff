/// One row a query returned, by column name.
public struct StoreRow: Sendable {
  let values: [String: StoreValue]

  init(_ values: [String: StoreValue]) {
    self.values = values
  }

  /// The column's value; throws when the row has no such column or it holds NULL or another type.
  public subscript<Value: StoreValueConvertible>(_ column: String) -> Value {
    get throws {
      guard let value: Value = try self[column] else {
        throw StoreError(.corrupted, "column '\(column)' is NULL where a \(Value.self) was expected")
      }
      return value
    }
  }

  /// The column's value, nil for NULL; throws when the row has no such column or it holds another
  /// type.
  public subscript<Value: StoreValueConvertible>(_ column: String) -> Value? {
    get throws {
      guard let stored = values[column] else {
        throw StoreError(.corrupted, "the query returned no column '\(column)'")
      }
      if stored == .null { return nil }
      guard let value = Value(storeValue: stored) else {
        throw StoreError(.corrupted, "column '\(column)' does not hold a \(Value.self)")
      }
      return value
    }
  }
}
