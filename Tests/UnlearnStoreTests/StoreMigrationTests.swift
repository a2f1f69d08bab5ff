import Foundation
import Testing
import UnlearnData
import _UnlearnTestSupport

@testable import UnlearnStore

/// `unlearn store migrate`: a store copied into an empty database (PostgreSQL where the tests have
/// a server, another SQLite file always) keeps its audit chain, requests and receipts, and goes on
/// executing; a target that already holds a store is refused.
struct StoreMigrationTests {
  @Test(arguments: StoreBackend.available)
  func copiedStoreKeepsItsChainAndGoesOn(target backend: StoreBackend) throws {
    let source = try StoreTests.makeStore(.sqlite)
    defer { source.remove() }
    let done = try source.store.submit(model: "bc", ids: ["3", "17"], clientRequestID: "erase-1")
    try source.store.executePending(model: "bc")
    let queued = try source.store.submit(model: "bc", ids: ["8"], clientRequestID: "erase-2")

    let target = try StoreFixture(backend)
    defer { target.remove() }
    let into: any StoreDatabase =
      backend == .postgres
      ? try PostgresDatabase(url: target.location, create: true)
      : try SQLiteDatabase(path: target.directory + "/copy.sqlite")
    // The fixture's own store is not empty (it logged its creation): a store is refused.
    let refused = try #require(throws: StoreError.self) {
      try StoreMigration.copy(from: source.store.database, to: target.store.database)
    }
    #expect(refused.message.contains("already holds a store"))
    if backend == .postgres {
      // Emptied, as a database where only the schema was made.
      try into.write { db in try db.execute(sql: "DELETE FROM audit_log; DELETE FROM meta") }
    }
    let outcome = try StoreMigration.copy(from: source.store.database, to: into)
    let sourceEntries = try source.store.auditEntries()
    #expect(outcome.audit.isIntact && outcome.audit.entries == sourceEntries.count)
    #expect(outcome.rows.first { $0.table == "sample" }?.count == 198)

    let copied = try Store(
      database: into, create: false, keyFile: source.keyFile, signingKeyFile: source.store.signingKeyFile)
    #expect(try copied.auditEntries() == sourceEntries)
    let receipt = try source.store.request(id: done.id).receipt
    #expect(try copied.request(id: done.id).receipt == receipt)
    #expect(try copied.request(id: queued.id).status == .queued)
    #expect(try copied.executePending(model: "bc").map(\.status) == [.done])
    let next = try copied.submit(model: "bc", ids: ["20"])
    #expect(try copied.executePending(model: "bc").map(\.id) == [next.id])
    #expect(try copied.model(named: "bc").remainingSamples == 196)
    #expect(try copied.verifyAudit().isIntact)
  }
}
