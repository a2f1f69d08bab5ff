import Foundation

/// Copies a store's database into another backend's empty one (`unlearn store migrate`): every
/// table, row for row, in one write transaction on the target, read from one snapshot of the
/// source. Ids, sequence numbers and hashes are copied as they are, so the audit chain verifies on
/// the target and receipts issued before still name their entries; the key files are not in the
/// database and stay as they are (the target opens with the source's `--key-file`).
public enum StoreMigration {
  /// Tables in an order that satisfies their foreign keys.
  static let tables = [
    "meta", "dataset", "sample", "model", "model_version", "deletion_request", "request_ids", "audit_log", "part",
    "version_part", "sample_row",
  ]

  /// Rows copied per table, and the audit chain checked on the target.
  public struct Outcome: Sendable {
    public let rows: [(table: String, count: Int)]
    public let audit: AuditVerification
  }

  /// Copies `source` into `target`, which must hold no store yet (its tables empty); throws
  /// `StoreError` otherwise, and leaves `target` as it was when anything fails.
  public static func copy(from source: any StoreDatabase, to target: any StoreDatabase) throws -> Outcome {
    let rows = try source.read { from in
      try target.write { to in
        let occupied = try tables.filter { try to.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM \($0)") != 0 }
        guard occupied.isEmpty else {
          throw StoreError(
            .invalidRequest,
            "\(target.location) already holds a store (\(occupied.joined(separator: ", ")) not empty): "
              + "migrate into a new, empty database")
        }
        var counts: [(table: String, count: Int)] = []
        for table in tables {
          var count = 0
          // Requests in the order they were received: the target numbers them as it inserts.
          let order = table == "deletion_request" ? " ORDER BY rowid" : ""
          try from.forEachRow(sql: "SELECT * FROM \(table)\(order)", arguments: []) { row in
            let columns = row.values.keys.filter { $0 != "rowid" }.sorted()
            try to.execute(
              sql: "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES "
                + "(\(columns.map { _ in "?" }.joined(separator: ", ")))",
              arguments: columns.map { row.values[$0] })
            if table == "dataset" { try target.prepareDataset(try row["id"], to) }
            count += 1
          }
          counts.append((table, count))
        }
        if target is PostgresDatabase {
          // Datasets came with their ids: the identity column continues after the largest.
          try to.execute(
            sql: "SELECT setval(pg_get_serial_sequence('dataset', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM dataset")
        }
        return counts
      }
    }
    let audit = try target.read { try AuditLog.verify($0) }
    return Outcome(rows: rows, audit: audit)
  }
}
