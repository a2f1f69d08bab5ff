import Foundation
import Testing
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

@testable import UnlearnStore

/// Executors, isolation and what the store keeps of ids: leases, one bad request among good ones,
/// failed requests without raw ids, the key file, versions as parts, a restart.
struct ExecutionTests {
  static func ids(_ values: [Int]) -> [SampleID] { values.map { SampleID(String($0)) } }

  @Test(arguments: StoreBackend.available)
  func invalidRequestInABatchFailsAloneWithoutKeepingRawIDs(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let good = try store.submit(model: "bc", ids: Self.ids([3]))
    // Every remaining sample: accepted (all present), but forgetting it would leave nothing.
    let everything = try store.submit(model: "bc", ids: Self.ids(Array(0..<200)))
    let alsoGood = try store.submit(model: "bc", ids: Self.ids([4, 5]))
    let ended = try store.executePending(model: "bc")
    #expect(ended.map(\.status) == [.done, .failed, .done])
    #expect(try store.model(named: "bc").remainingSamples == 197)
    let failed = try store.request(id: everything.id)
    #expect(failed.error?.contains("no training samples") == true)
    let row = try #require(
      try store.database.read { db in
        try db.fetchOne(sql: "SELECT * FROM deletion_request WHERE id = ?", arguments: [everything.id])
      })
    #expect(try row["sample_ids"] as String? == nil)
    let kept = try store.database.read { db in
      try db.fetchValues(String.self, sql: "SELECT request_id FROM request_ids")
    }
    #expect(kept.isEmpty, "ended requests keep no raw ids")
    for (column, value) in row.values {
      let text = String(describing: value)
      #expect(!text.contains("\"199\"") && !text.contains("\"42\""), "raw id in column \(column)")
    }
    for entry in try store.auditEntries() where entry.requestID == everything.id {
      #expect(!entry.details.contains("\"199\""), "raw id in audit entry \(entry.seq)")
    }
    #expect(good.status == .queued && alsoGood.status == .queued)
    #expect(try store.verifyAudit().isIntact)
  }

  @Test(arguments: StoreBackend.available)
  func idsAlreadyErasedByAnEarlierRequestSettleTheLaterOne(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let first = try store.submit(model: "bc", ids: Self.ids([7, 8]))
    let second = try store.submit(model: "bc", ids: Self.ids([8]))
    try store.executePending(model: "bc")
    #expect(try store.request(id: first.id).status == .done)
    let settled = try store.request(id: second.id)
    // Both in one batch: the union is erased once, and each request is done.
    #expect(settled.status == .done)
    // A request queued later for an id erased since: done at once, with the model unchanged.
    try store.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO deletion_request(id, model_name, id_hashes, id_count, status, received_at)
          VALUES ('late', 'bc', '[]', 1, 'queued', 'now')
          """)
      try db.execute(sql: #"INSERT INTO request_ids(request_id, sample_ids) VALUES ('late', '["7"]')"#)
    }
    let version = try store.model(named: "bc").version
    let late = try store.executePending(model: "bc")
    #expect(late.map(\.status) == [.done] && late[0].receipt?.decision == "already erased")
    #expect(try store.model(named: "bc").version == version)
  }

  @Test(arguments: StoreBackend.available)
  func idsWithControlCharactersOrOverTheLengthAreRefused(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    for bad in ["3\u{0}", "a\nb", "\u{7f}", "", String(repeating: "x", count: Store.maximumIDBytes + 1)] {
      let error = try #require(throws: StoreError.self) { try store.submit(model: "bc", ids: [SampleID(bad)]) }
      #expect(error.code == .invalidRequest)
    }
  }

  /// With only the database, an id cannot be confirmed: hashes are keyed by the key file, and the
  /// ledger's salt is sealed with it. The audit chain still verifies without the key.
  @Test func withoutTheKeyFileTheChainVerifiesAndNoGuessMatches() throws {
    let fixture = try StoreTests.makeStore(.sqlite)
    defer { fixture.remove() }
    let store = fixture.store
    _ = try store.submit(model: "bc", ids: Self.ids([12]))
    try store.executePending(model: "bc")
    let keyHex = try String(contentsOfFile: store.keyFile, encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let attributes = try FileManager.default.attributesOfItem(atPath: store.keyFile)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    try FileManager.default.removeItem(atPath: store.keyFile)

    let reopened = try Store(path: store.path)
    #expect(try reopened.verifyAudit().isIntact)
    #expect(throws: StoreError.self) { try reopened.submit(model: "bc", ids: Self.ids([13])) }
    // Everything in the database that could name id 12: request hashes, audit details, parts.
    let database = try #require(FileManager.default.contents(atPath: store.path))
    let text = String(decoding: database, as: UTF8.self)
    #expect(!text.contains(keyHex), "the key is in the database")
    let unkeyed = [
      FileDigest.hexadecimal(SHA256.hash(data: Array("12".utf8))),
      FileDigest.hexadecimal(SHA256.hash(data: Array("\u{0}12".utf8))),
    ]
    for hash in unkeyed { #expect(!text.contains(hash)) }
    let keyed = FileDigest.hexadecimal(
      HMACSHA256.authenticationCode(for: Array("12".utf8), key: Self.bytes(hex: keyHex)))
    #expect(text.contains(keyed), "the request's keyed hash is what the store keeps")
    let parts = try reopened.database.read { db in
      try db.fetchValues(Data.self, sql: "SELECT bytes FROM part").map { String(decoding: $0, as: UTF8.self) }
    }
    let ledgers = parts.filter { $0.contains("\"hashes\"") }
    #expect(!ledgers.isEmpty && ledgers.allSatisfy { $0.contains("sealed:") }, "ledger salts are sealed")
    // A store that holds sealed models refuses to make itself a new key.
    #expect(throws: StoreError.self) { try Store(path: store.path, create: true) }
  }

  static func bytes(hex: String) -> [UInt8] {
    stride(from: 0, to: hex.count, by: 2).map {
      UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)!
    }
  }

  /// A version writes only its new parts, the features stay one row per sample, and a store opened
  /// afresh (a restarted process) reads the same state back, rebuilding Newton's factor.
  @Test(arguments: StoreBackend.available)
  func versionsArePartsAndAFreshProcessReadsTheSameState(backend: StoreBackend) throws {
    let fixture = try StoreFixture(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<400))
    let state = try NewtonRemoval(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(
      data, sourceSHA256: []
    ) { _ in }
    try store.registerModel(name: "n", state: state, datasetName: "digits")
    let counts = {
      try store.database.read { db in
        (
          try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM sample_row")!,
          try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM part")!,
          try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM version_part WHERE kind = 'cache'")!
        )
      }
    }
    #expect(try counts() == (400, 5, 1))
    for id in [3, 30, 300] {
      _ = try store.submit(model: "n", ids: Self.ids([id]))
      try store.executePending(model: "n")
    }
    let (rows, parts, caches) = try counts()
    #expect(rows == 397 && caches == 1)
    #expect(parts <= 5, "retired versions' parts are deleted")
    let (_, live) = try store.currentState(of: "n")

    let restarted = try fixture.reopen()
    let (version, read) = try restarted.currentState(of: "n")
    #expect(version == 4)
    #expect(read.trainingSet == live.trainingSet)
    #expect(read.comparableParameters == live.comparableParameters)
    let probe = data.subset(rows: Array(0..<20)).features
    #expect(read.probabilities(for: probe).elements == live.probabilities(for: probe).elements)
    _ = try restarted.submit(model: "n", ids: Self.ids([4]))
    let done = try restarted.executePending(model: "n")
    #expect(done.map(\.status) == [.done])
    #expect(done[0].report?.notes.contains { $0.contains("hessian.factor") } == true)
  }

  /// Two executors (two stores on one file, as two processes would be) draining one queue from two
  /// threads: every request done exactly once, none failed, the model holds exactly n − 40.
  @Test(arguments: StoreBackend.available)
  func twoExecutorsOnOneStoreExecuteEveryRequestOnce(backend: StoreBackend) async throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let first = fixture.store
    let second = try fixture.reopen()
    let submitted = try (0..<40).map { try first.submit(model: "bc", ids: Self.ids([$0 * 5])) }
    let ids = submitted.map(\.id)
    await withTaskGroup(of: Void.self) { group in
      for store in [first, second] {
        group.addTask {
          let deadline = Date().addingTimeInterval(60)
          while Date() < deadline {
            _ = try? store.executePending(model: "bc")
            let open = try? ids.filter { try store.request(id: $0).status != .done }
            if open?.isEmpty == true { break }
            try? await Task.sleep(for: .milliseconds(5))
          }
        }
      }
    }
    for request in submitted { #expect(try first.request(id: request.id).status == .done) }
    #expect(try first.model(named: "bc").remainingSamples == 160)
    let (_, state) = try second.currentState(of: "bc")
    #expect(state.trainingSet.count == 160)
    let done = try first.auditEntries(limit: 10_000).filter { $0.event == "request done" }
    #expect(done.count == 40 && Set(done.compactMap(\.requestID)).count == 40)
    #expect(try first.verifyAudit().isIntact)
  }
}

extension ExecutionTests {
  /// A failed request keeps no raw ids; its client sends it again (same request id, same ids) to
  /// run it again, and it is then executed once.
  @Test(arguments: StoreBackend.available)
  func failedRequestRunsAgainWhenItsClientResubmitsIt(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let first = try store.submit(model: "bc", ids: Self.ids([21, 22]), clientRequestID: "retry-me")
    // What a failure leaves (e.g. a strategy error): failed, raw ids cleared.
    try store.database.write { db in
      try db.execute(
        sql: "UPDATE deletion_request SET status = 'failed', error = 'x' WHERE id = ?", arguments: [first.id])
      try db.execute(sql: "DELETE FROM request_ids WHERE request_id = ?", arguments: [first.id])
    }
    #expect(try store.executePending(model: "bc").isEmpty)
    let again = try store.submit(model: "bc", ids: Self.ids([22, 21]), clientRequestID: "retry-me")
    #expect(again.id == first.id && again.status == .queued && again.error == nil)
    #expect(try store.executePending(model: "bc").map(\.status) == [.done])
    #expect(try store.model(named: "bc").remainingSamples == 198)
    #expect(try store.submit(model: "bc", ids: Self.ids([21, 22]), clientRequestID: "retry-me").status == .done)
    #expect(try store.verifyAudit().isIntact)
  }
}

extension ExecutionTests {
  /// A store written before schema v3 kept a queued request's raw ids in `deletion_request`; the
  /// migration moves them to `request_ids`, and the request then runs as usual.
  @Test func queuedRequestsOfAnOlderStoreKeepTheirIDsThroughTheMigration() throws {
    let fixture = try StoreTests.makeStore(.sqlite)
    defer { fixture.remove() }
    let queued = try fixture.store.submit(model: "bc", ids: Self.ids([6, 9]))
    // The store as version 2 left it: ids in the request's row, no request_ids table.
    try fixture.store.database.write { db in
      try db.execute(
        sql: """
          UPDATE deletion_request SET sample_ids = (SELECT sample_ids FROM request_ids WHERE request_id = id);
          DROP TABLE request_ids;
          DELETE FROM grdb_migrations WHERE identifier = 'v3';
          """)
    }
    let reopened = try fixture.reopen()
    let (inRequests, moved) = try reopened.database.read { db in
      (
        try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM deletion_request WHERE sample_ids IS NOT NULL"),
        try db.fetchValue(
          String.self, sql: "SELECT sample_ids FROM request_ids WHERE request_id = ?", arguments: [queued.id])
      )
    }
    #expect(inRequests == 0 && moved == #"["6","9"]"#)
    #expect(try reopened.executePending(model: "bc").map(\.status) == [.done])
    #expect(try reopened.model(named: "bc").remainingSamples == 198)
  }
}
