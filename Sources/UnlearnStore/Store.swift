import Crypto
import Foundation
import GRDB
import UnlearnData
import UnlearnModels
import Unlearning

/// The embedded store: one SQLite file (WAL mode) holding datasets' sample ids, model versions,
/// deletion requests and the audit log (`Schema`).
///
/// A deletion request is persisted in one transaction before any work starts (`submit`), executed
/// from the model's last committed version (`executePending`), and its new version, report,
/// receipt and audit entries are committed together in one transaction, which also deletes the
/// older versions and the forgotten samples' rows. A process killed in between leaves the request
/// `running` with the old version current; `recoverInterrupted` puts it back in the queue, so it
/// is executed exactly once. The same client request id for a model is accepted once.
public final class Store: Sendable {
  public let path: String
  let pool: DatabasePool
  let clock: @Sendable () -> Date
  /// Serializes executions in this process; the version check at commit guards across processes.
  let executionLock = NSLock()

  /// Opens the store at `path`, creating it when `create` is true; throws `StoreError` when it does
  /// not exist and `create` is false.
  public init(path: String, create: Bool = false, clock: @escaping @Sendable () -> Date = Date.init) throws {
    if !create && !FileManager.default.fileExists(atPath: path) {
      throw StoreError(.missingStore, "no store at \(path); create one with `unlearn store init --store \(path)`")
    }
    self.path = path
    self.clock = clock
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    pool = try DatabasePool(path: path, configuration: configuration)
    try Schema.migrator.migrate(pool)
    try pool.write { db in
      if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'salt'") == nil {
        try db.execute(
          sql: "INSERT INTO meta(key, value) VALUES ('salt', ?)", arguments: [ForgottenSampleLedger().salt])
        try AuditLog.append(
          db, at: Self.timestamp(clock()), event: "store created", model: nil, requestID: nil, details: [:])
      }
    }
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  var now: String { Self.timestamp(clock()) }

  /// Salted SHA-256 of sample ids, as requests and the audit log keep them.
  func hasher(_ db: Database) throws -> ForgottenSampleLedger {
    guard let salt = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'salt'") else {
      throw StoreError(.corrupted, "\(path) has no salt; it was not made by `unlearn store init`")
    }
    return ForgottenSampleLedger(salt: salt)
  }

  // MARK: Models

  /// Registers a trained state under `name`: its dataset's sample ids that the strategy can erase
  /// (with a hash of each sample's content), held-out ones included, and the state as version 1.
  @discardableResult
  public func registerModel(name: String, state: any StrategyState, datasetName: String) throws -> ModelSummary {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw StoreError(.invalidRequest, "model name '\(name)' must be letters, digits, '-', '_' or '.'")
    }
    let bytes = try StateFile.encode(try state.archive())
    let data = state.trainingSet.data
    try pool.write { db in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM model WHERE name = ?", arguments: [name]) != nil {
        throw StoreError(.modelExists, "a model named '\(name)' is already in \(path); choose another --name")
      }
      let at = now
      try db.execute(
        sql: "INSERT INTO dataset(name, source_sha256, sample_count, created_at) VALUES (?, ?, ?, ?)",
        arguments: [datasetName, state.trainingSet.sourceSHA256.joined(separator: ","), data.count, at])
      let datasetID = db.lastInsertedRowID
      let insert = try db.makeStatement(
        sql: "INSERT INTO sample(dataset_id, sample_id, content_sha256) VALUES (?, ?, ?)")
      // Only samples the strategy can erase are deletion targets (not LMEraser's public ones);
      // held-out training samples (PUMA's validation part) are.
      for samples in [data, state.heldOutSamples].compactMap({ $0 }) {
        for row in 0..<samples.count where state.strategy.canErase(samples.ids[row]) {
          try insert.execute(
            arguments: [datasetID, samples.ids[row].rawValue, Self.contentHash(of: samples, row: row)])
        }
      }
      try db.execute(
        sql: "INSERT INTO model(name, strategy, dataset_id, current_version, created_at) VALUES (?, ?, ?, 1, ?)",
        arguments: [name, type(of: state.strategy).name, datasetID, at])
      try db.execute(
        sql: "INSERT INTO model_version(model_name, version, state, exact, created_at) VALUES (?, 1, ?, 1, ?)",
        arguments: [name, Data(bytes), at])
      try AuditLog.append(
        db, at: at, event: "model registered", model: name, requestID: nil,
        details: [
          "strategy": type(of: state.strategy).name, "samples": String(data.count), "version": "1",
          "dataset": datasetName,
        ])
    }
    return try model(named: name)
  }

  /// SHA-256 of a sample's label and feature values (Float64, little-endian).
  static func contentHash(of data: Dataset, row: Int) -> String {
    var hasher = SHA256()
    hasher.update(data: Array(data.classNames[data.labels[row]].utf8) + [0])
    let values = data.features.row(row).map { $0.bitPattern.littleEndian }
    values.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  public func modelNames() throws -> [String] {
    try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM model ORDER BY name") }
  }

  public func model(named name: String) throws -> ModelSummary {
    try pool.read { db in try self.summary(db, name) }
  }

  func summary(_ db: Database, _ name: String) throws -> ModelSummary {
    guard
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT m.strategy, m.current_version, m.dataset_id, v.exact FROM model m
          JOIN model_version v ON v.model_name = m.name AND v.version = m.current_version WHERE m.name = ?
          """, arguments: [name])
    else {
      let known = try String.fetchAll(db, sql: "SELECT name FROM model ORDER BY name")
      throw StoreError(
        .unknownModel,
        "no model named '\(name)' in \(path)"
          + (known.isEmpty
            ? "; register one with `unlearn train ... --store \(path) --name NAME`"
            : " (it has \(known.joined(separator: ", ")))"))
    }
    let datasetID: Int64 = row["dataset_id"]
    let remaining = try Int.fetchOne(
      db, sql: "SELECT COUNT(*) FROM sample WHERE dataset_id = ?", arguments: [datasetID])
    let pending = try Int.fetchOne(
      db, sql: "SELECT COUNT(*) FROM deletion_request WHERE model_name = ? AND status IN ('queued', 'running')",
      arguments: [name])
    let lastReport = try String.fetchOne(
      db,
      sql: """
        SELECT report FROM deletion_request WHERE model_name = ? AND status = 'done'
        ORDER BY finished_at DESC LIMIT 1
        """, arguments: [name])
    let figures = try lastReport.map { try JSONDecoder().decode(ForgetReport.self, from: Data($0.utf8)).figures }
    return ModelSummary(
      name: name, strategy: row["strategy"], version: row["current_version"], exact: row["exact"],
      remainingSamples: remaining ?? 0, pendingRequests: pending ?? 0, lastFigures: figures ?? [:])
  }

  /// The current version's state.
  public func currentState(of name: String) throws -> (version: Int, state: any StrategyState) {
    let (version, bytes) = try pool.read { db -> (Int, Data) in
      _ = try self.summary(db, name)
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT v.version, v.state FROM model m JOIN model_version v
          ON v.model_name = m.name AND v.version = m.current_version WHERE m.name = ?
          """, arguments: [name])!
      return (row["version"], row["state"])
    }
    let label = "\(path) model \(name) version \(version)"
    return (version, try StrategyCatalog.state(from: try StateFile.decode(Array(bytes), path: label), path: label))
  }

  /// Versions kept for `name` (after a done request, only the current one).
  public func versions(of name: String) throws -> [Int] {
    try pool.read { db in
      try Int.fetchAll(
        db, sql: "SELECT version FROM model_version WHERE model_name = ? ORDER BY version", arguments: [name])
    }
  }

  // MARK: Audit

  public func auditEntries(after seq: Int64 = 0, limit: Int = 1000) throws -> [AuditEntry] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]
      ).map(AuditEntry.init(row:))
    }
  }

  public func verifyAudit() throws -> AuditVerification {
    try pool.read { db in try AuditLog.verify(db) }
  }
}
