import Foundation
import UnlearnCore
import UnlearnData
import Unlearning

/// A model version on disk: a manifest of the state's parts (`version_part`), each stored once by
/// content (`part`), except two kinds the store treats apart (see `StateArchive`):
///
/// - a dataset's features live in `sample_row`, one row per sample and dataset part, written when
///   the model is registered. A deletion deletes the forgotten samples' rows and rewrites nothing
///   else; a later version only checks that the rows match its dataset (and rewrites them if a
///   strategy ever changed more than removals).
/// - caches (the Newton factor) are not written at all: the live state keeps them in memory, and a
///   state read back rebuilds them. A cache built with a sample is that sample's data, so keeping
///   it off disk is what lets its erasure be complete when the request is done.
///
/// A new version writes only parts whose content is new; retiring a version deletes the parts no
/// other version references, in the same transaction. Parts live in SQLite rows rather than files
/// beside the store so that one transaction switches the version, deletes the erased samples and
/// the retired parts, and the backend's erasure (`StoreDatabase.eraseDeleted`) reaches all of it; files would need
/// their own overwrite-and-sync protocol and could outlive a crash between the two. Ledger salts
/// are sealed with the store key before they are written (`StoreKey`).
enum StateParts {
  enum Kind: String {
    case stored, rows, cache
  }

  /// Writes `archive` as `version` of `model`; `datasetID` owns the sample rows.
  static func write(
    _ archive: StateArchive, model: String, version: Int, datasetID: Int64, key: StoreKey, db: any StoreConnection
  ) throws {
    var archive = archive
    try archive.mapLedgerSalts { try key.seal($0, what: "a ledger salt") }
    for (position, name) in archive.names.enumerated() {
      let kind: Kind
      var digest: String?
      if archive.isCache(name) {
        kind = .cache
      } else if let part = StateArchive.dataset(ofFeaturesPart: name) {
        kind = .rows
        try writeRows(
          count: try archive.sampleCount(ofDataset: part, path: "the state"),
          of: { try archive.dataset(part, path: "the state") }, part: part, datasetID: datasetID, db: db)
      } else {
        kind = .stored
        let bytes = try archive.requiredBlob(name, path: "the state")
        let hex = FileDigest.hexadecimal(SHA256.hash(data: bytes))
        try db.execute(
          sql: "INSERT INTO part(digest, bytes) VALUES (?, ?) ON CONFLICT(digest) DO NOTHING",
          arguments: [hex, Data(bytes)])
        digest = hex
      }
      try db.execute(
        sql: "INSERT INTO version_part(model_name, version, position, name, kind, digest) VALUES (?, ?, ?, ?, ?, ?)",
        arguments: [model, version, position, name, kind.rawValue, digest])
    }
  }

  /// Makes the rows of dataset part `part` hold exactly the samples `makeDataset` gives (`count` of
  /// them). The usual case after a deletion — the rows already match, the forgotten ones deleted —
  /// costs one count and does not make the dataset.
  static func writeRows(
    count: Int, of makeDataset: () throws -> Dataset, part: String, datasetID: Int64, db: any StoreConnection
  ) throws {
    let stored = try db.fetchValue(
      Int.self, sql: "SELECT COUNT(*) FROM sample_row WHERE dataset_id = ? AND part = ?", arguments: [datasetID, part])
    if stored == count { return }
    let dataset = try makeDataset()
    try db.execute(sql: "DELETE FROM sample_row WHERE dataset_id = ? AND part = ?", arguments: [datasetID, part])
    for row in 0..<dataset.count {
      let bytes = dataset.features.row(row).withUnsafeBytes { Data($0) }
      try db.execute(
        sql: "INSERT INTO sample_row(dataset_id, part, sample_id, features) VALUES (?, ?, ?, ?)",
        arguments: [datasetID, part, dataset.ids[row].rawValue, bytes])
    }
  }

  /// Whether `version` of `model` is stored as parts (older stores keep a whole state file).
  static func isStored(model: String, version: Int, db: any StoreConnection) throws -> Bool {
    try db.fetchValue(
      Bool.self, sql: "SELECT 1 FROM version_part WHERE model_name = ? AND version = ? LIMIT 1",
      arguments: [model, version])
      ?? false
  }

  /// Reads `version` of `model` back into an archive (without its caches, which the state rebuilds).
  static func read(
    model: String, strategy: String, version: Int, datasetID: Int64, key: StoreKey, db: any StoreConnection
  ) throws -> (archive: StateArchive, rebuiltCaches: [String]) {
    var archive = StateArchive(strategy: strategy)
    var rowParts: [String] = []
    var caches: [String] = []
    let entries = try db.fetchAll(
      sql: """
        SELECT v.name, v.kind, p.bytes FROM version_part v LEFT JOIN part p ON p.digest = v.digest
        WHERE v.model_name = ? AND v.version = ? ORDER BY v.position
        """, arguments: [model, version])
    for entry in entries {
      let name: String = try entry["name"]
      switch Kind(rawValue: try entry["kind"]) {
      case .stored:
        guard let bytes = try entry["bytes"] as Data? else {
          throw StoreError(.corrupted, "model \(model) version \(version) names a part '\(name)' that is not stored")
        }
        archive.setBlob(name, [UInt8](bytes))
      case .rows:
        guard let part = StateArchive.dataset(ofFeaturesPart: name) else {
          throw StoreError(.corrupted, "model \(model) version \(version) keeps rows for a part '\(name)'")
        }
        rowParts.append(part)
      case .cache: caches.append(name)
      case nil: throw StoreError(.corrupted, "model \(model) version \(version) has a part of unknown kind")
      }
    }
    for part in rowParts {
      let listing = try JSONDecoder().decode(
        DatasetListing.self, from: Data(try archive.requiredBlob(part + ".json", path: "the store")))
      var features: [String: Data] = [:]
      features.reserveCapacity(listing.ids.count)
      try db.forEachRow(
        sql: "SELECT sample_id, features FROM sample_row WHERE dataset_id = ? AND part = ?",
        arguments: [datasetID, part]
      ) { row in features[try row["sample_id"]] = try row["features"] as Data }
      let rowBytes = 8 * listing.featureCount
      var bytes: [UInt8] = []
      bytes.reserveCapacity(rowBytes * listing.ids.count)
      for id in listing.ids {
        guard let row = features[id], row.count == rowBytes else {
          throw StoreError(
            .corrupted, "model \(model) version \(version): the features of a sample of '\(part)' are missing")
        }
        bytes += row
      }
      archive.setBlob(StateArchive.featuresPart(ofDataset: part), bytes)
    }
    try archive.mapLedgerSalts { try key.unseal($0, what: "a ledger salt") }
    return (archive, caches)
  }

  /// Deletes the manifests of `model`'s versions before `version` and every part only they used.
  static func retireVersions(of model: String, before version: Int, db: any StoreConnection) throws {
    let digests = try db.fetchValues(
      String.self,
      sql: "SELECT DISTINCT digest FROM version_part WHERE model_name = ? AND version < ? AND digest IS NOT NULL",
      arguments: [model, version])
    try db.execute(
      sql: "DELETE FROM version_part WHERE model_name = ? AND version < ?", arguments: [model, version])
    for digest in digests {
      try db.execute(
        sql: "DELETE FROM part WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM version_part WHERE digest = ?)",
        arguments: [digest, digest])
    }
  }

  /// The part of a stored dataset's JSON that the store needs: its ids in row order and its width.
  struct DatasetListing: Decodable {
    let ids: [String]
    let featureCount: Int
  }
}
