import Testing
import UnlearnData
import Unlearning
import _UnlearnTestSupport

/// Deferred removal is bookkeeping only: the remaining samples, the ledger and the answers to
/// later requests are those of removing at once.
struct TrainingSetTests {
  static func set() throws -> TrainingSet {
    TrainingSet(data: try RetrainTests.digits.get().subset(rows: Array(0..<300)), sourceSHA256: ["abc"])
  }

  @Test func deferredRemovalEqualsImmediateRemoval() throws {
    var eager = try Self.set()
    var deferred = eager
    let ids = RetrainTests.randomIDs(12, of: eager.data, seed: 21)
    for chunk in [ids[..<5], ids[5...]] {
      let request = try ForgetRequest(ids: Array(chunk))
      eager.remove(try eager.resolve(request))
      deferred.remove(try deferred.resolve(request), compacting: false)
    }
    #expect(eager.pendingRemovalCount == 0 && eager.storage.count == 288)
    #expect(deferred.pendingRemovalCount == 12 && deferred.storage.count == 300 && deferred.count == 288)
    #expect(deferred.data == eager.data && deferred == eager)
    #expect(deferred.remainingStorageRows.count == 288)

    // A pending removal is already forgotten; the rows of a new request are rows of `storage`.
    let again = #expect(throws: ForgetError.self) { try deferred.resolve(try ForgetRequest(ids: [ids[3]])) }
    #expect(again?.code == .alreadyForgotten)
    let next = try deferred.resolve(try ForgetRequest(ids: [deferred.storage.ids[299]]))
    #expect(next.rows == [299])

    deferred.compact()
    #expect(deferred.pendingRemovals == nil && deferred.storage == eager.data && deferred == eager)
    #expect(try deferred.resolve(try ForgetRequest(ids: [eager.data.ids[287]])).rows == [287])
  }

  @Test func removingEveryRemainingSampleIsRefusedWhilePending() throws {
    var set = TrainingSet(data: try Self.set().data.subset(rows: [0, 1, 2]), sourceSHA256: [])
    set.remove(try set.resolve(try ForgetRequest(ids: [set.storage.ids[0]])), compacting: false)
    let emptied = #expect(throws: ForgetError.self) {
      try set.resolve(try ForgetRequest(ids: Array(set.storage.ids[1...])))
    }
    #expect(emptied?.code == .wouldEmptyTrainingSet)
  }
}
