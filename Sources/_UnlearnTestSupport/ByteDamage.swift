import Foundation
import UnlearnCore

/// Random damage to a file's bytes, for the decoders' fuzz tests: cut short, one byte flipped, or
/// one byte inserted, chosen and placed by a seeded generator.
public enum ByteDamage {
  /// How many damaged inputs each fuzz test tries: `UNLEARN_FUZZ_EXAMPLES`, else `standard`.
  public static func examples(standard: Int) -> Int {
    Int(ProcessInfo.processInfo.environment["UNLEARN_FUZZ_EXAMPLES"] ?? "") ?? standard
  }

  public static func damaged(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
    var copy = bytes
    switch generator.next() % 3 {
    case 0: copy = Array(copy.prefix(Int(generator.next() % UInt64(max(copy.count, 1)))))
    case 1 where !copy.isEmpty:
      copy[Int(generator.next() % UInt64(copy.count))] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
    default:
      copy.insert(UInt8(truncatingIfNeeded: generator.next()), at: Int(generator.next() % UInt64(copy.count + 1)))
    }
    return copy
  }
}
