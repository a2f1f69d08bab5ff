import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Testing
import UnlearnServer

@testable import UnlearnStore

/// A store that cannot be written (here: full, by SQLite's page limit on the one writing
/// connection) answers 503 with a JSON body, makes `/healthz` degraded (while `/readyz` stays 200:
/// the store can be read), loses no accepted request, and completes the queued ones once space
/// returns.
struct StorageFailureTests {
  @Test func fullStoreIsA503AndQueuedRequestsCompleteWhenSpaceReturns() async throws {
    let fixture = try BreastCancerStore(leaseSeconds: 1)
    defer { fixture.remove() }
    let store = fixture.store
    let queued = try store.submit(model: "bc", ids: ["7"])
    @Sendable func limitPages(to count: Int?) throws {
      try (store.database as! SQLiteDatabase).pool.writeWithoutTransaction { db in
        let limit = try count ?? Int.fetchOne(db, sql: "PRAGMA page_count")!
        try db.execute(sql: "PRAGMA max_page_count = \(limit)")
      }
    }
    try limitPages(to: nil)
    let health = ServiceHealth()
    let logged = LogRecorder()
    let (router, worker) = UnlearnAPI.router(
      store: store, token: "t", health: health, logger: Logger(label: "test") { _ in logged })
    let auth: HTTPFields = [.authorization: "Bearer t", .contentType: "application/json"]
    try await TestServer.run(router) { client in
      let many = (0..<140).map { "\"\($0 + 10)\"" }.joined(separator: ",")
      try await client.execute(
        uri: "/v1/models/bc/deletions", method: .post, headers: auth, body: ByteBuffer(string: "{\"ids\": [\(many)]}")
      ) { response in
        #expect(response.status == .serviceUnavailable)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        let message = (body?["error"] as? [String: Any])?["message"] as? String
        #expect(message?.contains("disk full") == true, "\(String(describing: message))")
      }
      await worker.wake()
      await worker.idle()
      try await client.execute(uri: "/healthz", method: .get) { response in
        #expect(response.status == .ok)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        #expect(body?["status"] as? String == "degraded" && (body?["reason"] as? String)?.isEmpty == false)
      }
      // Still ready: the store can be read, and the next request must be able to find it writable.
      try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
      let errors = logged.entries.filter { $0.level == .error }.map(\.message)
      #expect(errors.contains("storage failure") && errors.contains("worker pass failed"), "\(errors)")
      #expect(try store.request(id: queued.id).status != .done)

      // Space returns: the accepted request completes (after its lease, if it was claimed), health is ok.
      try limitPages(to: 1 << 30)
      let deadline = Date().addingTimeInterval(30)
      while try store.request(id: queued.id).status != .done && Date() < deadline {
        await worker.wake()
        await worker.idle()
        try await Task.sleep(for: .milliseconds(200))
      }
      #expect(try store.request(id: queued.id).status == .done)
      try await client.execute(uri: "/healthz", method: .get) { response in
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        #expect(body?["status"] as? String == "ok")
      }
    }
    #expect(try store.verifyAudit().isIntact)
  }
}

/// A log handler that keeps what it is given, for tests that check what a failure logs.
struct LogRecorder: LogHandler {
  final class Entries: Sendable {
    let list = Mutex<[(level: Logger.Level, message: String)]>([])
  }

  let storage = Entries()
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .trace

  var entries: [(level: Logger.Level, message: String)] { storage.list.withLock { $0 } }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    storage.list.withLock { $0.append((event.level, event.message.description)) }
  }
}
