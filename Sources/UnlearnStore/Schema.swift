import GRDB

/// The store's tables, created and upgraded by migrations (never edited once shipped: a change is
/// a new migration).
///
/// - `meta`: key/value settings; `salt` hashes sample ids in requests and the audit log.
/// - `dataset`, `sample`: the samples each model was trained on, by id with a content hash; the
///   features live only in the model's state (so the store holds no second copy of them), and a
///   sample's row goes when its deletion is done.
/// - `model`, `model_version`: states (`StateFile` bytes); after a deletion only the new version
///   is kept.
/// - `deletion_request`: the lifecycle queued → running → done | failed, or rejected at submit;
///   raw ids are kept only until the request is done.
/// - `audit_log`: append-only, each entry chained to the previous one by hash (`AuditLog`).
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
          CREATE TABLE dataset(
            id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, source_sha256 TEXT NOT NULL,
            sample_count INTEGER NOT NULL, created_at TEXT NOT NULL);
          CREATE TABLE sample(
            dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE, sample_id TEXT NOT NULL,
            content_sha256 TEXT NOT NULL, PRIMARY KEY(dataset_id, sample_id)) WITHOUT ROWID;
          CREATE TABLE model(
            name TEXT PRIMARY KEY, strategy TEXT NOT NULL, dataset_id INTEGER NOT NULL REFERENCES dataset(id),
            current_version INTEGER NOT NULL, created_at TEXT NOT NULL);
          CREATE TABLE model_version(
            model_name TEXT NOT NULL REFERENCES model(name) ON DELETE CASCADE, version INTEGER NOT NULL,
            state BLOB NOT NULL, exact INTEGER NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY(model_name, version));
          CREATE TABLE deletion_request(
            id TEXT PRIMARY KEY, model_name TEXT NOT NULL REFERENCES model(name), client_request_id TEXT,
            sample_ids TEXT, id_hashes TEXT NOT NULL, id_count INTEGER NOT NULL, requester TEXT,
            status TEXT NOT NULL, received_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
            report TEXT, receipt TEXT, error TEXT, UNIQUE(model_name, client_request_id));
          CREATE INDEX deletion_request_status ON deletion_request(model_name, status);
          CREATE TABLE audit_log(
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, event TEXT NOT NULL, model_name TEXT, request_id TEXT,
            details TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
          """)
    }
    return migrator
  }
}
