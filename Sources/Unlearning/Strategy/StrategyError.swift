/// A strategy that cannot be made as asked (unknown name, unsupported model kind or option).
public struct StrategyError: Error, Sendable, CustomStringConvertible {
  public let description: String

  public init(_ description: String) {
    self.description = description
  }
}
