/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom
/// number generators", ACM TOMS 2021), its 256-bit state filled from the seed by SplitMix64.
///
/// The same seed gives the same stream of bits on every machine and every run: this is what makes
/// training, splits and forgetting reproducible. Period 2²⁵⁶ − 1; passes BigCrush. Not for
/// cryptography. Pass it as `inout some RandomNumberGenerator` to whatever samples.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose whole stream is determined by `seed`.
  public init(seed: UInt64) {
    var splitMix = seed
    func nextSplitMix() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    // SplitMix64 never yields four zero words in a row, so the xoshiro state is never all zero.
    state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, by: 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, by: 45)
    return result
  }

  /// An independent generator for a sub-task (a shard, a worker), derived from this one's next
  /// output, so sub-tasks stay reproducible whatever order they run in.
  public mutating func split() -> SeededGenerator {
    SeededGenerator(seed: next())
  }

  private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.state == rhs.state
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(state.0)
    hasher.combine(state.1)
    hasher.combine(state.2)
    hasher.combine(state.3)
  }

  private enum CodingKeys: String, CodingKey { case state }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let words = try container.decode([UInt64].self, forKey: .state)
    guard words.count == 4, words.contains(where: { $0 != 0 }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .state, in: container, debugDescription: "xoshiro256** state needs four words, not all zero")
    }
    state = (words[0], words[1], words[2], words[3])
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
  }
}
