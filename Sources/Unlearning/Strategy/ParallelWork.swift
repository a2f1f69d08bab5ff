import Foundation

/// Independent pieces of training (SISA's shards, ARCANE's classes) run on up to `workers`
/// threads. Results come back in input order; the work itself must not depend on the thread it
/// runs on (every piece seeds its own random stream), so the result does not depend on `workers`.
enum ParallelWork {
  /// `work` applied to each of `indices`, on up to `workers` threads; the first error is thrown.
  static func map<T: Sendable>(_ indices: [Int], workers: Int, _ work: @Sendable (Int) throws -> T) throws -> [T] {
    guard workers > 1, indices.count > 1 else { return try indices.map(work) }
    let results = ShardResults<T>(count: indices.count)
    let next = ShardResults<Int>(count: 1)
    DispatchQueue.concurrentPerform(iterations: min(workers, indices.count)) { _ in
      while let position = next.claim(below: indices.count) {
        results.store(position, Result { try work(indices[position]) })
      }
    }
    return try results.values()
  }
}
