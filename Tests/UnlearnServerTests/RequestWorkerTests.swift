import Foundation
import Logging
import Testing
import UnlearnServer

@testable import UnlearnStore

/// The background worker's passes.
struct RequestWorkerTests {
  /// What an executor killed while holding the last batch leaves: its requests running under an
  /// expired lease and nothing queued. A pass puts them back in the queue and executes them,
  /// without waiting for another submission to the model.
  @Test func aPassFinishesTheRequestsOfADeadExecutorWithNothingQueued() throws {
    let fixture = try BreastCancerStore(leaseSeconds: 1)
    defer { fixture.remove() }
    let store = fixture.store
    let requests = try ["3", "4"].map { try store.submit(model: "bc", ids: [$0]) }
    try store.database.write { db in
      for request in requests {
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'running', owner = 'killed', lease_expires_at = ? WHERE id = ?
            """, arguments: [Date().timeIntervalSince1970 - 5, request.id])
      }
    }
    #expect(try store.modelsWithQueuedRequests().isEmpty)
    let ended = RequestWorker.pass(
      store: store, health: ServiceHealth(), metrics: ServiceMetrics(), logger: Logger(label: "test"))
    #expect(ended == 2)
    #expect(try requests.map { try store.request(id: $0.id).status } == [.done, .done])
    #expect(try store.model(named: "bc").remainingSamples == 148)
    #expect(try store.verifyAudit().isIntact)
  }
}
