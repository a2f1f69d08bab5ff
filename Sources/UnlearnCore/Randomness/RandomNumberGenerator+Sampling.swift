import RealModule

/// Samplers with a fixed, documented algorithm, so a seed means the same numbers whatever the
/// standard library's own `random(in:using:)` does in a later Swift release.
extension RandomNumberGenerator {
  /// A uniform double in [0, 1): the top 53 bits of `next()` times 2⁻⁵³.
  public mutating func nextUnitInterval() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform integer in 0..<bound, without modulo bias (Lemire, "Fast random integer generation
  /// in an interval", ACM TOMACS 2019).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// A standard normal N(0, 1) draw by the Box–Muller transform (two uniforms per draw; the
  /// second normal is discarded so each call consumes a fixed amount of the stream).
  public mutating func nextStandardNormal() -> Double {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    let u1 = 1 - nextUnitInterval()
    let u2 = nextUnitInterval()
    return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
  }
}

extension MutableCollection where Self: RandomAccessCollection {
  /// Shuffles in place by Fisher–Yates with `nextInt(below:)`: the permutation depends only on the
  /// generator's bits.
  public mutating func fisherYatesShuffle(using generator: inout some RandomNumberGenerator) {
    guard count > 1 else { return }
    for offset in stride(from: count - 1, to: 0, by: -1) {
      let chosen = generator.nextInt(below: offset + 1)
      swapAt(index(startIndex, offsetBy: offset), index(startIndex, offsetBy: chosen))
    }
  }
}

extension Sequence {
  /// The elements in a Fisher–Yates order drawn from `generator`.
  public func fisherYatesShuffled(using generator: inout some RandomNumberGenerator) -> [Element] {
    var result = Array(self)
    result.fisherYatesShuffle(using: &generator)
    return result
  }
}
