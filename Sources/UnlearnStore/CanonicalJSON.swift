/// JSON with one way to write each value: object keys sorted by their UTF-8 bytes, no whitespace,
/// strings escaped as RFC 8259 requires (`"`, `\` and control characters, the latter as \u00XX) and
/// nothing else, integers in decimal. No floating-point numbers: what a signed document holds.
/// Python writes the same bytes with `json.dumps(value, sort_keys=True, separators=(",", ":"),
/// ensure_ascii=False)` for these values.
enum CanonicalJSON: Sendable {
  case string(String)
  case integer(Int64)
  case array([CanonicalJSON])
  case object([String: CanonicalJSON])

  var text: String {
    switch self {
    case .string(let value): return Self.quoted(value)
    case .integer(let value): return String(value)
    case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
    case .object(let fields):
      let keys = fields.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
      return "{" + keys.map { Self.quoted($0) + ":" + fields[$0]!.text }.joined(separator: ",") + "}"
    }
  }

  private static func quoted(_ value: String) -> String {
    var result = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case "\u{08}": result += "\\b"
      case "\u{0C}": result += "\\f"
      case let control where control.value < 0x20:
        let hex = String(control.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
