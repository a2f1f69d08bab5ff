/// A store operation that cannot be done, with what to do about it. `code` is what callers (the
/// HTTP layer, tests) match on.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
  public enum Code: String, Sendable {
    case missingStore = "missing store"
    case unknownModel = "unknown model"
    case modelExists = "model exists"
    case unknownRequest = "unknown request"
    case invalidRequest = "invalid request"
    case requestIDReused = "request id reused"
    case corrupted = "corrupted store"
    case missingKey = "missing key"
    /// Another executor's work changed the model, or this executor's lease ran out: run again.
    case conflict = "conflict"
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
