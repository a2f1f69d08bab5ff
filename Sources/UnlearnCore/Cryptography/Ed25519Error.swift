/// Why an Ed25519 key cannot be used.
public enum Ed25519Error: Error, Sendable, Equatable, CustomStringConvertible {
  case badKeyLength(expected: Int, found: Int)
  case rejectedKey

  public var description: String {
    switch self {
    case .badKeyLength(let expected, let found): "an Ed25519 key has \(expected) bytes, found \(found)"
    case .rejectedKey: "libcrypto rejected the Ed25519 key"
    }
  }
}
