import UnlearnCore

/// Turns text into a fixed number of numeric features by the hashing trick (Weinberger et al.,
/// "Feature hashing for large scale multitask learning", ICML 2009), without a vocabulary to store.
///
/// Tokens are maximal runs of letters, digits and `_`, lowercased, of at least two characters
/// (scikit-learn's default `token_pattern`). Token t counts into column `FNV-1a-64(t) mod featureCount`
/// (FNV-1a over the UTF-8 bytes: fixed across runs and machines, unlike Swift's seeded `Hasher`).
/// With `normalizesRows`, each row is scaled to unit L2 norm (empty rows stay zero).
public struct HashingVectorizer: Sendable, Codable, Equatable {
  public var featureCount: Int
  public var normalizesRows: Bool

  public init(featureCount: Int = 1024, normalizesRows: Bool = true) {
    precondition(featureCount > 0, "HashingVectorizer needs a positive feature count, got \(featureCount)")
    self.featureCount = featureCount
    self.normalizesRows = normalizesRows
  }

  /// The lowercased tokens of `text`.
  public static func tokens(of text: String) -> [String] {
    var tokens: [String] = []
    var current = ""
    for character in text.lowercased() {
      if character.isLetter || character.isNumber || character == "_" {
        current.append(character)
      } else {
        if current.count >= 2 { tokens.append(current) }
        current = ""
      }
    }
    if current.count >= 2 { tokens.append(current) }
    return tokens
  }

  /// The column a token counts into.
  public func column(of token: String) -> Int {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in token.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    return Int(hash % UInt64(featureCount))
  }

  /// One row of features per text.
  public func transform(_ texts: [String]) -> Matrix {
    var matrix = Matrix(rows: texts.count, columns: featureCount)
    matrix.withUnsafeMutableBufferPointer { buffer in
      for (row, text) in texts.enumerated() {
        let offset = row * featureCount
        for token in Self.tokens(of: text) { buffer[offset + column(of: token)] += 1 }
        if normalizesRows { normalizeRow(buffer, offset: offset, count: featureCount) }
      }
    }
    return matrix
  }
}

/// Scales `count` entries from `offset` to unit L2 norm; an all-zero row is left as it is.
func normalizeRow(_ buffer: UnsafeMutableBufferPointer<Double>, offset: Int, count: Int) {
  var sumOfSquares = 0.0
  for index in offset..<(offset + count) { sumOfSquares += buffer[index] * buffer[index] }
  guard sumOfSquares > 0 else { return }
  let scale = 1 / sumOfSquares.squareRoot()
  for index in offset..<(offset + count) { buffer[index] *= scale }
}
