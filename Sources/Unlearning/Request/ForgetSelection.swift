import UnlearnCore
import UnlearnData

/// How `unlearn compare` chooses the forget set F from the training set, as written after
/// `--forget`:
///
/// - `random:0.05` or `random:5%` — a seeded random fraction of the training samples (at least one);
/// - `random:50` — a seeded random count;
/// - `class:3` — every sample of the class named `3` (names as written in the data);
/// - `ids:FILE` — the ids listed in FILE, one per line (`SampleIDList`).
public enum ForgetSelection: Sendable, Equatable, CustomStringConvertible {
  case randomFraction(Double)
  case randomCount(Int)
  case wholeClass(String)
  case idFile(String)

  /// Parses the `--forget` syntax; the error says what is accepted.
  public init(parsing text: String) throws {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    guard parts.count == 2, !parts[1].isEmpty else { throw SelectionError(text) }
    let (kind, value) = (parts[0], parts[1])
    switch kind {
    case "random":
      if let count = Int(value) {
        guard count > 0 else { throw SelectionError(text, "a count must be positive") }
        self = .randomCount(count)
      } else if value.hasSuffix("%"), let percent = Double(value.dropLast()) {
        guard percent > 0 && percent < 100 else { throw SelectionError(text, "a percentage must be in (0, 100)") }
        self = .randomFraction(percent / 100)
      } else if let fraction = Double(value) {
        guard fraction > 0 && fraction < 1 else { throw SelectionError(text, "a fraction must be in (0, 1)") }
        self = .randomFraction(fraction)
      } else {
        throw SelectionError(text, "'\(value)' is not a count, a fraction or a percentage")
      }
    case "class": self = .wholeClass(value)
    case "ids": self = .idFile(value)
    default: throw SelectionError(text, "'\(kind)' is not one of random, class, ids")
    }
  }

  public var description: String {
    switch self {
    case .randomFraction(let fraction): return "random:\(fraction)"
    case .randomCount(let count): return "random:\(count)"
    case .wholeClass(let name): return "class:\(name)"
    case .idFile(let path): return "ids:\(path)"
    }
  }

  /// The ids of the chosen samples of `training`, in training order. Random choices are a seeded
  /// Fisher–Yates sample, so the same seed picks the same samples.
  public func select(from training: Dataset, using generator: inout some RandomNumberGenerator) throws -> [SampleID] {
    let rows: [Int]
    switch self {
    case .randomFraction(let fraction):
      let count = max(1, Int((fraction * Double(training.count)).rounded()))
      rows = try Self.randomRows(count, of: training, using: &generator)
    case .randomCount(let count):
      rows = try Self.randomRows(count, of: training, using: &generator)
    case .wholeClass(let name):
      guard let label = training.classNames.firstIndex(of: name) else {
        throw SelectionError(
          description,
          "the training data has no class '\(name)' (classes: \(training.classNames.joined(separator: ", ")))")
      }
      rows = training.labels.indices.filter { training.labels[$0] == label }
      guard !rows.isEmpty else { throw SelectionError(description, "class '\(name)' has no training samples") }
    case .idFile(let path):
      return try SampleIDList.load(path: path)
    }
    guard rows.count < training.count else {
      throw SelectionError(description, "it selects all \(training.count) training samples; at least one must remain")
    }
    return rows.map { training.ids[$0] }
  }

  private static func randomRows(_ count: Int, of training: Dataset, using generator: inout some RandomNumberGenerator)
    throws -> [Int]
  {
    guard count < training.count else {
      throw SelectionError(
        "random:\(count)", "the training set has \(training.count) samples; forget fewer so some remain")
    }
    return Array(Array(0..<training.count).fisherYatesShuffled(using: &generator).prefix(count)).sorted()
  }
}
