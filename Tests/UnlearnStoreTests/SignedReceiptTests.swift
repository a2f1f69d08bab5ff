import Foundation
import Testing
import UnlearnCore
import UnlearnData
import _UnlearnTestSupport

@testable import UnlearnStore

/// Signed receipts: they verify with the store's public key and no other, fail on any edited byte,
/// cover exactly the ids their request erased, and name the audit entry that records them. The
/// same checks from outside Swift (Python's `cryptography`) run in Tests/Python/test_receipts.py.
struct SignedReceiptTests {
  @Test(arguments: StoreBackend.available)
  func receiptVerifiesWithTheStoresKeyAndCoversItsIdsOnly(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    _ = try store.submit(model: "bc", ids: ["3", "17"], clientRequestID: "r-1", requester: "test")
    let done = try store.executePending(model: "bc")
    let receipt = try #require(done.first?.receipt)
    let signed = try #require(receipt.signed)
    let key = try #require(store.signingPublicKey)
    #expect(signed.keyID == key.keyID && signed.isValid(for: key.key))
    #expect(try signed.covers("3") && signed.covers("17"))
    #expect(try !signed.covers("4") && !signed.covers("30"))
    let fields = try signed.fields()
    #expect(fields["request_id"] as? String == receipt.requestID)
    #expect(fields["audit_entry_hash"] as? String == receipt.auditEntryHash)
    #expect(fields["version_after"] as? Int == 2 && fields["id_count"] as? Int == 2)
    let entry = try #require(store.auditEntries().first { $0.hash == receipt.auditEntryHash })
    #expect((fields["audit_seq"] as? NSNumber)?.int64Value == entry.seq)
    // The document names no id.
    #expect(!signed.document.contains("\"3\"") && !signed.document.contains("\"17\""))

    // Any edited byte of the document, or another key, fails.
    let bytes = Array(signed.document.utf8)
    for index in [0, bytes.count / 3, bytes.count - 2] {
      var edited = bytes
      edited[index] = edited[index] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
      let forged = SignedReceipt(
        document: String(decoding: edited, as: UTF8.self), signature: signed.signature, keyID: signed.keyID)
      #expect(!forged.isValid(for: key.key))
    }
    let other = try StoreTests.makeStore(backend)
    defer { other.remove() }
    let otherKey = try #require(other.store.signingPublicKey)
    #expect(otherKey.keyID != key.keyID && !signed.isValid(for: otherKey.key))
  }

  /// Requests executed as one batch each sign their own entry and the chain head at the commit,
  /// the last entry the commit wrote.
  @Test(arguments: StoreBackend.available)
  func batchedReceiptsSignTheHeadAtCommit(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    _ = try store.submit(model: "bc", ids: ["3"], clientRequestID: "first", requester: "test")
    _ = try store.submit(model: "bc", ids: ["17"], clientRequestID: "second", requester: "test")
    let done = try store.executePending(model: "bc")
    let documents = try done.map { try #require($0.receipt?.signed).fields() }
    #expect(documents.count == 2)
    let last = try #require(store.auditEntries().last { $0.event == "request done" })
    for fields in documents {
      #expect((fields["chain_head_seq"] as? NSNumber)?.int64Value == last.seq)
      #expect(fields["chain_head_hash"] as? String == last.hash)
    }
    let seqs = documents.compactMap { ($0["audit_seq"] as? NSNumber)?.int64Value }.sorted()
    #expect(seqs.count == 2 && seqs[0] < seqs[1] && seqs[1] == last.seq)
  }

  /// The signed document prints its id salt, so the store keeps it sealed with the store key: no
  /// file the store writes holds the salt or an id hash of the document, and without the key file the
  /// receipt does not open (a copy of the database alone cannot confirm a guessed id).
  @Test func signedDocumentIsSealedAtRest() throws {
    let fixture = try StoreTests.makeStore(.sqlite)
    defer { fixture.remove() }
    let store = fixture.store
    let directory = fixture.directory
    _ = try store.submit(model: "bc", ids: ["3", "17"], clientRequestID: "r-1", requester: "test")
    let done = try #require(try store.executePending(model: "bc").first)
    let fields = try #require(done.receipt?.signed).fields()
    let salt = try #require(fields["id_salt"] as? String)
    let hashes = try #require(fields["id_hashes"] as? [String])
    #expect(hashes.count == 2)
    // Read back through the store, the receipt is whole.
    #expect(try store.request(id: done.id).receipt == done.receipt)

    func expectNoFileHoldsTheDocument(_ when: String) throws {
      for secret in [salt] + hashes {
        let files = FileScan.files(holding: Array(secret.utf8), in: directory)
        #expect(files.isEmpty, "\(when): \(files) hold a receipt's id salt or id hash")
      }
    }
    try expectNoFileHoldsTheDocument("after the request")

    // A receipt stored in the clear, as stores before sealing held it (and without the mark that
    // they were sealed), is sealed when the store opens.
    try store.database.write { db in
      try db.execute(
        sql: "UPDATE deletion_request SET receipt = ? WHERE id = ?",
        arguments: [String(decoding: try JSONEncoder().encode(done.receipt), as: UTF8.self), done.id])
      try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [Store.receiptsSealedKey])
    }
    let reopened = try Store(path: store.path)
    try expectNoFileHoldsTheDocument("after reopening a store with a clear receipt")
    #expect(try reopened.request(id: done.id).receipt == done.receipt)

    let keyless = try Store(
      path: store.path, keyFile: directory + "/no-such-key", signingKeyFile: directory + "/no-such-signing-key")
    #expect(throws: StoreError.self) { try keyless.request(id: done.id) }
  }

  @Test func canonicalJSONSortsKeysAndEscapesAsRFC8259() {
    let value = CanonicalJSON.object([
      "b": .integer(-2), "a": .array([.string("x\"y\\z\n\u{01}é")]), "ab": .object([:]),
    ])
    #expect(value.text == #"{"a":["x\"y\\z\n\u0001é"],"ab":{},"b":-2}"#)
  }

  @Test(arguments: StoreBackend.available)
  func signingKeyReadsBackAndIsPrivate(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    let mode = try FileManager.default.attributesOfItem(atPath: store.signingKeyFile)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let reopened = try fixture.reopen()
    #expect(reopened.signingPublicKey?.keyID == store.signingPublicKey?.keyID)
  }

  /// After a rotation, receipts name the new key, the old receipts still verify with the old key,
  /// which stays published after the current one, and neither key verifies the other's receipts.
  @Test(arguments: StoreBackend.available)
  func rotationKeepsEarlierReceiptsVerifiable(backend: StoreBackend) throws {
    let fixture = try StoreTests.makeStore(backend)
    defer { fixture.remove() }
    let store = fixture.store
    _ = try store.submit(model: "bc", ids: ["3"], clientRequestID: "before", requester: "test")
    let before = try #require(try store.executePending(model: "bc").first?.receipt?.signed)
    let (old, new) = try SigningKey.rotate(at: store.signingKeyFile, retiredAt: "2026-12-07T00:00:00Z")
    #expect(old.keyID == before.keyID && new.keyID != old.keyID)
    let reopened = try fixture.reopen()
    let published = try reopened.publishedSigningKeys()
    #expect(published.map(\.keyID) == [new.keyID, old.keyID])
    #expect(published[0].retiredAt == nil && published[1].retiredAt == "2026-12-07T00:00:00Z")
    _ = try reopened.submit(model: "bc", ids: ["17"], clientRequestID: "after", requester: "test")
    let after = try #require(try reopened.executePending(model: "bc").first?.receipt?.signed)
    #expect(after.keyID == new.keyID)
    #expect(before.isValid(for: old.publicKey) && after.isValid(for: new.publicKey))
    #expect(!before.isValid(for: new.publicKey) && !after.isValid(for: old.publicKey))
    let mode = try FileManager.default.attributesOfItem(atPath: store.signingKeyFile)[.posixPermissions] as? Int
    #expect(mode == 0o600)
  }
}
