import Foundation
import Testing
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

@testable import UnlearnStore

/// The store's request lifecycle: persisted before work, executed once, old versions and forgotten
/// samples deleted, and an audit chain that detects tampering.
struct StoreTests {
  /// A store (`StoreFixture`) holding a Newton model "bc" on 200 rows of breast_cancer.
  static func makeStore(_ backend: StoreBackend = .sqlite) throws -> StoreFixture {
    let fixture = try StoreFixture(backend)
    let data = try CSVLoader().load(path: TestData.bundled("breast_cancer.csv")).subset(rows: Array(0..<200))
    let state = try Retrain(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(data, sourceSHA256: []) {
      _ in
    }
    try fixture.store.registerModel(name: "bc", state: state, datasetName: "breast_cancer")
    return fixture
  }

  @Test(arguments: StoreBackend.available)
  func requestRunsOnceAndLeavesOnlyTheNewVersion(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let ids: [SampleID] = ["3", "17"]
    let submitted = try store.submit(model: "bc", ids: ids, clientRequestID: "client-1", requester: "test")
    #expect(submitted.status == .queued)
    let done = try store.executePending(model: "bc")
    #expect(done.count == 1 && done[0].status == .done && done[0].report?.forgotten == 2)
    let receipt = try #require(done[0].receipt)
    #expect(receipt.decision == "exact" && receipt.versionBefore == 1 && receipt.versionAfter == 2)
    #expect(receipt.featureScaling == "refitted" && done[0].report?.featureScaling == .refitted)
    #expect(try store.versions(of: "bc") == [2])
    #expect(try store.model(named: "bc").remainingSamples == 198)
    let (_, state) = try store.currentState(of: "bc")
    #expect(state.trainingSet.data.count == 198 && !state.trainingSet.data.ids.contains("3"))
    // Raw ids are gone from the store's requests; the receipt's audit entry is in the chain.
    let raw = try store.database.read { db in
      (
        try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM request_ids"),
        try db.fetchValue(
          String.self, sql: "SELECT sample_ids FROM deletion_request WHERE id = ?", arguments: [submitted.id])
      )
    }
    #expect(raw.0 == 0 && raw.1 == nil)
    #expect(try store.auditEntries().contains { $0.hash == receipt.auditEntryHash })
    for entry in try store.auditEntries() {
      let details = try JSONDecoder().decode([String: String].self, from: Data(entry.details.utf8))
      let values = details.values.flatMap { $0.split(separator: ",").map(String.init) }
      #expect(!values.contains("3") && !values.contains("17"), "raw id in audit entry \(entry.seq)")
    }

    // The same client request id is executed once.
    let again = try store.submit(model: "bc", ids: ids, clientRequestID: "client-1")
    #expect(again.id == submitted.id && again.status == .done)
    #expect(try store.submit(model: "bc", ids: ids.reversed(), clientRequestID: "client-1").id == submitted.id)
    let reused = try #require(throws: StoreError.self) {
      try store.submit(model: "bc", ids: ["8"], clientRequestID: "client-1")
    }
    #expect(reused.code == .requestIDReused)
    #expect(try store.executePending(model: "bc").isEmpty)
    #expect(try store.verifyAudit().isIntact)
  }

  @Test(arguments: StoreBackend.available)
  func samplesTheStrategyCannotEraseAreRejectedAtSubmit(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<300))
    let strategy = LMEraser(
      configuration: ModelConfiguration(kind: .mlp, hiddenLayers: [16], epochs: 2, seed: 1),
      split: PublicSplit(fraction: 0.3), minimumClusterSize: 50, maximumClusterSize: 200, headEpochs: 2)
    let summary = try store.registerModel(
      name: "lm", state: try strategy.fit(data, sourceSHA256: []) { _ in }, datasetName: "digits")
    let publicIDs = data.ids.filter { !strategy.canErase($0) }
    #expect(!publicIDs.isEmpty && summary.remainingSamples == data.count - publicIDs.count)
    let rejected = try store.submit(model: "lm", ids: [publicIDs[0]])
    #expect(rejected.status == .rejected && rejected.error?.contains("not erasable") == true)
    let privateID = try #require(data.ids.first(where: strategy.canErase))
    _ = try store.submit(model: "lm", ids: [privateID])
    #expect(try store.executePending(model: "lm").map(\.status) == [.done])
  }

  /// PUMA holds its validation part out of the training set; those samples are still the user's
  /// and can be erased through the store.
  @Test(arguments: StoreBackend.available)
  func heldOutValidationSamplesAreDeletionTargets(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<300))
    let state = try PUMA(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(data, sourceSHA256: []) {
      _ in
    }
    let validation = try #require(state.heldOutSamples)
    #expect(validation.count > 0 && state.trainingSet.data.count + validation.count == data.count)
    let summary = try store.registerModel(name: "puma", state: state, datasetName: "digits")
    #expect(summary.remainingSamples == data.count)
    _ = try store.submit(model: "puma", ids: [validation.ids[0]])
    #expect(try store.executePending(model: "puma").map(\.status) == [.done])
  }

  @Test(arguments: StoreBackend.available)
  func absentIDsAreRejectedAndBadListsThrow(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let rejected = try store.submit(model: "bc", ids: ["5", "no-such-id"])
    #expect(rejected.status == .rejected && rejected.error?.contains("1 of 2") == true)
    #expect(throws: StoreError.self) { try store.submit(model: "bc", ids: []) }
    #expect(throws: StoreError.self) { try store.submit(model: "bc", ids: ["5", "5"]) }
    let unknown = try #require(throws: StoreError.self) { try store.submit(model: "nope", ids: ["5"]) }
    #expect(unknown.code == .unknownModel)
    _ = try store.submit(model: "bc", ids: ["5"])
    try store.executePending(model: "bc")
    #expect(try store.submit(model: "bc", ids: ["5"]).status == .rejected)
  }

  @Test(arguments: StoreBackend.available)
  func interruptedRequestIsRequeuedAndExecutedOnce(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let request = try store.submit(model: "bc", ids: ["8"])
    // What a process killed mid-execution leaves: the request running, the old version current.
    try store.database.write { db in
      try db.execute(sql: "UPDATE deletion_request SET status = 'running' WHERE id = ?", arguments: [request.id])
    }
    let reopened = try fixture.reopen()
    #expect(try reopened.recoverInterrupted() == 1)
    let done = try reopened.executePending(model: "bc")
    #expect(done.map(\.status) == [.done])
    #expect(try reopened.model(named: "bc").version == 2)
    #expect(try reopened.executePending(model: "bc").isEmpty)
    #expect(try reopened.verifyAudit().isIntact)
  }

  @Test(arguments: StoreBackend.available)
  func tamperingWithOneAuditRowIsDetectedAndNamed(backend: StoreBackend) throws {
    let fixture = try Self.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    _ = try store.submit(model: "bc", ids: ["1"])
    try store.executePending(model: "bc")
    let entries = try store.auditEntries()
    #expect(entries.count >= 5)
    try store.database.write { db in
      try db.execute(sql: "UPDATE audit_log SET details = '{\"ids\":\"2\"}' WHERE seq = 3")
    }
    let verification = try store.verifyAudit()
    #expect(verification.brokenAt == 3 && verification.reason?.contains("changed") == true)
    try store.database.write { db in
      try db.execute(sql: "UPDATE audit_log SET details = ? WHERE seq = 3", arguments: [entries[2].details])
      try db.execute(sql: "DELETE FROM audit_log WHERE seq = 2")
    }
    #expect(try store.verifyAudit().brokenAt == 3)
  }
}
