import Foundation

/// A value a store backend binds to a statement or reads from a column: the five storage classes
/// SQLite and PostgreSQL have in common (PostgreSQL's booleans read as integers 0 and 1).
public enum StoreValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob(Data)
}

/// A Swift type the store writes and reads as a `StoreValue`.
public protocol StoreValueConvertible {
  var storeValue: StoreValue { get }
  /// The value a column holds, or nil when it holds another type (or NULL).
  init?(storeValue: StoreValue)
}

/// A statement's arguments, bound in order to its `?` placeholders; nil binds NULL.
public typealias StoreArguments = [(any StoreValueConvertible)?]

/// A value as it came from a column binds as itself (a row copied as read).
extension StoreValue: StoreValueConvertible {
  public var storeValue: StoreValue { self }
  public init?(storeValue: StoreValue) { self = storeValue }
}

extension String: StoreValueConvertible {
  public var storeValue: StoreValue { .text(self) }
  public init?(storeValue: StoreValue) {
    guard case .text(let text) = storeValue else { return nil }
    self = text
  }
}

extension Int64: StoreValueConvertible {
  public var storeValue: StoreValue { .integer(self) }
  public init?(storeValue: StoreValue) {
    guard case .integer(let value) = storeValue else { return nil }
    self = value
  }
}

extension Int: StoreValueConvertible {
  public var storeValue: StoreValue { .integer(Int64(self)) }
  public init?(storeValue: StoreValue) {
    guard let value = Int64(storeValue: storeValue) else { return nil }
    self = Int(value)
  }
}

extension Double: StoreValueConvertible {
  public var storeValue: StoreValue { .real(self) }
  /// Integers read as reals too: SQLite keeps a whole-number REAL as an integer when asked to.
  public init?(storeValue: StoreValue) {
    switch storeValue {
    case .real(let value): self = value
    case .integer(let value): self = Double(value)
    default: return nil
    }
  }
}

/// Stored as the integers 1 and 0; any non-zero integer reads as true.
extension Bool: StoreValueConvertible {
  public var storeValue: StoreValue { .integer(self ? 1 : 0) }
  public init?(storeValue: StoreValue) {
    guard case .integer(let value) = storeValue else { return nil }
    self = value != 0
  }
}

extension Data: StoreValueConvertible {
  public var storeValue: StoreValue { .blob(self) }
  public init?(storeValue: StoreValue) {
    guard case .blob(let bytes) = storeValue else { return nil }
    self = bytes
  }
}
