/// A `--forget` value that cannot be used.
public struct SelectionError: Error, Sendable, CustomStringConvertible {
  public let description: String

  init(_ text: String, _ reason: String? = nil) {
    description =
      "--forget \(text): "
      + (reason ?? "expected random:FRACTION, random:PERCENT%, random:COUNT, class:NAME or ids:FILE")
  }
}
