import Foundation
import Testing
import UnlearnData
import UnlearnModels
import Unlearning
import _UnlearnTestSupport

@testable import UnlearnStore

/// On PostgreSQL, an erased sample's id and feature bytes are in no file of the store's database
/// once its request is done (`VACUUM FULL` of the tables that held them, no statistics of their
/// values in `pg_statistic`), while the server runs.
/// PostgreSQL's write-ahead log is outside that promise (docs/store.md). Needs a local server whose
/// data directory this process can read (CI's, or `scripts/postgres-cluster` as root).
struct PostgresErasureTests {
  static let value = 12_345.678_901_234

  @Test(.enabled(if: TestPostgres.serverURL != nil, Comment(rawValue: TestPostgres.absence)))
  func erasedSampleLeavesNoBytesInTheDatabaseFiles() throws {
    let fixture = try StoreFixture(.postgres)
    defer { fixture.remove() }
    let store = fixture.store
    let digits = try CSVLoader().load(path: TestData.bundled("digits.csv")).subset(rows: Array(0..<300))
    let id = SampleID("erase-me-pg-5d1e")
    var ids = digits.ids
    ids[17] = id
    var features = digits.features
    features[17, 20] = Self.value
    let data = try Dataset(
      name: "digits", ids: ids, features: features, labels: digits.labels, featureNames: digits.featureNames,
      classNames: digits.classNames, idOrigin: .column)
    let state = try NewtonRemoval(configuration: ModelConfiguration(kind: .logistic, seed: 1)).fit(
      data, sourceSHA256: []
    ) { _ in }
    try store.registerModel(name: "m", state: state, datasetName: "digits")

    let (dataDirectory, databaseOID) = try store.database.read { db in
      (
        try db.fetchValue(String.self, sql: "SELECT setting FROM pg_settings WHERE name = 'data_directory'"),
        try db.fetchValue(Int64.self, sql: "SELECT oid::bigint FROM pg_database WHERE datname = current_database()")
      )
    }
    let folder =
      "\(try #require(dataDirectory, "reading data_directory needs a superuser"))/base/"
      + "\(try #require(databaseOID))"
    try #require(FileManager.default.isReadableFile(atPath: folder), "cannot read \(folder)")
    // The server writes pages at checkpoints; force them out so the scan sees what is in the files.
    func checkpoint() throws { try store.database.write { db in try db.execute(sql: "CHECKPOINT") } }
    let needles: [(String, [UInt8])] = [
      ("raw id", Array(id.rawValue.utf8)),
      ("float64 bytes", withUnsafeBytes(of: Self.value.bitPattern.littleEndian, Array.init)),
    ]
    // What autovacuum does at some point: statistics of every table (values would go to pg_statistic).
    try store.database.write { db in try db.execute(sql: "ANALYZE") }
    try checkpoint()
    for (what, bytes) in needles {
      #expect(!FileScan.files(holding: bytes, in: folder).isEmpty, "before: the scan finds the \(what)")
    }

    _ = try store.submit(model: "m", ids: [id])
    #expect(try store.executePending(model: "m").map(\.status) == [.done])
    try checkpoint()
    for (what, bytes) in needles {
      let files = FileScan.files(holding: bytes, in: folder)
      let relations = try store.database.read { db in
        try files.compactMap(Int64.init).map {
          try db.fetchValue(
            String.self, sql: "SELECT relname::text FROM pg_class WHERE relfilenode = ?", arguments: [$0])
            ?? "file \($0)"
        }
      }
      #expect(files.isEmpty, "after: the \(what) is still in \(relations)")
    }
  }
}
