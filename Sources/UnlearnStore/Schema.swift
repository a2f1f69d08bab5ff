import GRDB

/// The store's tables, created and upgraded by migrations (never edited once shipped: a change is
/// a new migration).
///
/// - `meta`: key/value settings (stores made before the key file kept their id-hash salt here; ids
///   are now hashed with the key file's key, `StoreKey`).
/// - `dataset`, `sample`: the samples each model can erase, by id with a content hash; a sample's
///   rows go when its deletion is done.
/// - `model`, `model_version`: versions (version 1 kept whole `StateFile` bytes in `state`; see
///   version 2); after a deletion only the new version is kept.
/// - `deletion_request`: the lifecycle queued → running → done | failed, or rejected at submit;
///   raw ids are kept only until the request is done.
/// - `audit_log`: append-only, each entry chained to the previous one by hash (`AuditLog`).
///
/// Version 2 (`StateParts`, `Store+Execution`):
/// - `part`: content-addressed state parts (SHA-256 → bytes); `version_part`: each version's
///   manifest, one row per part (a stored part, a dataset's features kept as `sample_row`s, or a
///   cache kept in memory only). `model_version.state` is empty for such versions (older stores
///   keep a whole `StateFile` there until their next version).
/// - `sample_row`: the features of each remaining sample, once per dataset part, deleted with the
///   sample.
/// - `deletion_request` gains the executor's lease (`owner`, `lease_expires_at`), the count of
///   attempts and the earliest time of the next one (`not_before`) after a transient failure.
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
    migrator.registerMigration("v2") { db in
      try db.execute(
        sql: """
          CREATE TABLE part(digest TEXT PRIMARY KEY, bytes BLOB NOT NULL);
          CREATE TABLE version_part(
            model_name TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL,
            kind TEXT NOT NULL, digest TEXT, PRIMARY KEY(model_name, version, name));
          CREATE INDEX version_part_digest ON version_part(digest);
          CREATE TABLE sample_row(
            id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
            part TEXT NOT NULL, sample_id TEXT NOT NULL, features BLOB NOT NULL);
          CREATE UNIQUE INDEX sample_row_key ON sample_row(dataset_id, sample_id, part);
          ALTER TABLE deletion_request ADD COLUMN owner TEXT;
          ALTER TABLE deletion_request ADD COLUMN lease_expires_at REAL;
          ALTER TABLE deletion_request ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
          ALTER TABLE deletion_request ADD COLUMN not_before REAL;
          """)
    }
    return migrator
  }
}
