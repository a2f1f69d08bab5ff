import Foundation

/// Results of work run on several threads (`ParallelWork`), and the counter that hands out the
/// next piece.
final class ShardResults<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result<T, any Error>?]
  private var claimed = 0

  init(count: Int) {
    slots = Array(repeating: nil, count: count)
  }

  /// The next unclaimed position below `limit`, or nil when all are taken.
  func claim(below limit: Int) -> Int? where T == Int {
    lock.lock()
    defer { lock.unlock() }
    guard claimed < limit else { return nil }
    claimed += 1
    return claimed - 1
  }

  func store(_ position: Int, _ result: Result<T, any Error>) {
    lock.lock()
    slots[position] = result
    lock.unlock()
  }

  func values() throws -> [T] {
    try slots.map { try $0!.get() }
  }
}
