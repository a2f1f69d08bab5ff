import Foundation
import GRDB
import Synchronization
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// The embedded store: one SQLite file (WAL mode) holding datasets' samples, model versions as
/// manifests of content-addressed parts (`StateParts`), deletion requests and the audit log
/// (`Schema`), and a key file beside it (`StoreKey`) that keys every id hash.
///
/// A deletion request is persisted in one transaction before any work starts (`submit`). An
/// executor — `serve`, `request run` or `worker`, any number of them on one store — claims the
/// queued requests of a model with a lease it renews while it works (`executePending`), forgets from
/// the model's state in memory (`LiveModels`; decoded from the store on first use), and commits the
/// new version, the reports, receipts and audit entries in one transaction that also deletes the
/// forgotten samples' rows and every part only the old version used. Then it checkpoints the WAL
/// (TRUNCATE) and only then reports the requests `done`: with `secure_delete` on for every
/// connection, the erased bytes are gone from every file of the store by then. A request whose
/// executor died is requeued when its lease expires, and executed exactly once.
public final class Store: Sendable {
  public let path: String
  let pool: DatabasePool
  let clock: @Sendable () -> Date
  /// The key file's path, and the key when the file exists.
  public let keyFile: String
  let key: StoreKey?
  /// The receipt-signing key file's path, and the key when the file exists (`SigningKey`).
  public let signingKeyFile: String
  let signingKey: SigningKey?
  /// Decoded states of recently used models.
  let live: LiveModels
  /// This executor's name in leases: host, process and a random part.
  public let owner: String
  /// How long a claim holds without renewal; renewed every third of it while a batch runs.
  let leaseSeconds: Double
  /// Serializes executions in this process; leases and the version check at commit guard across
  /// processes.
  let executionLock = NSLock()
  /// Caches rebuilt when a model's state was read from the store, reported by its next request.
  let rebuiltCaches = Mutex<[String: [String]]>([:])

  /// Opens the store at `path`, creating it (and its key file) when `create` is true; throws
  /// `StoreError` when it does not exist and `create` is false.
  ///
  /// - Parameters:
  ///   - keyFile: the key file (default: `path` + ".key"). Without it the store still opens and its
  ///     audit chain verifies, but nothing that hashes an id (submitting, executing) can run.
  ///   - signingKeyFile: the receipt-signing key (default: `path` + ".signing-key"), created with the
  ///     store; without it receipts are not signed.
  ///   - liveModelBudgetBytes: memory for decoded model states (`LiveModels`).
  ///   - leaseSeconds: how long an executor's claim holds without renewal.
  ///   - prepareConnection: run on every new connection before the store's own settings (tests use
  ///     it to open connections as an SQLite build with other defaults would).
  public init(
    path: String, create: Bool = false, keyFile: String? = nil, signingKeyFile: String? = nil,
    liveModelBudgetBytes: Int = 4 << 30,
    leaseSeconds: Double = 30, clock: @escaping @Sendable () -> Date = Date.init,
    prepareConnection: (@Sendable (Database) throws -> Void)? = nil
  ) throws {
    if !create && !FileManager.default.fileExists(atPath: path) {
      throw StoreError(.missingStore, "no store at \(path); create one with `unlearn store init --store \(path)`")
    }
    self.path = path
    self.clock = clock
    self.keyFile = keyFile ?? StoreKey.defaultPath(forStore: path)
    self.signingKeyFile = signingKeyFile ?? SigningKey.defaultPath(forStore: path)
    self.live = LiveModels(budgetBytes: liveModelBudgetBytes)
    self.leaseSeconds = leaseSeconds
    self.owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      try prepareConnection?(db)
      // Deleted content is overwritten with zeros, whatever this SQLite build's default.
      try db.execute(sql: "PRAGMA secure_delete = ON")
    }
    pool = try DatabasePool(path: path, configuration: configuration)
    try Schema.migrator.migrate(pool)
    if create && !FileManager.default.fileExists(atPath: self.keyFile) {
      // A store with models stored under a key must not silently get another one.
      if try pool.read({ try Bool.fetchOne($0, sql: "SELECT 1 FROM version_part LIMIT 1") }) == true {
        throw StoreError(
          .missingKey, "\(path) holds models sealed with a key, but \(self.keyFile) is missing: restore it")
      }
      key = try StoreKey.create(at: self.keyFile)
    } else {
      key = FileManager.default.fileExists(atPath: self.keyFile) ? try StoreKey.load(from: self.keyFile) : nil
    }
    if FileManager.default.fileExists(atPath: self.signingKeyFile) {
      signingKey = try SigningKey.load(from: self.signingKeyFile)
    } else {
      signingKey = create ? try SigningKey.create(at: self.signingKeyFile) : nil
    }
    try pool.write { db in
      if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") == 0 {
        try AuditLog.append(
          db, at: Self.timestamp(clock()), event: "store created", model: nil, requestID: nil, details: [:])
      }
    }
    if let key { try sealClearReceipts(with: key) }
  }

  /// The `meta` key recording that receipts written in the clear have been sealed.
  static let receiptsSealedKey = "receipts_sealed"

  /// Seals the signed documents of receipts written in the clear (before `StoredReceipt` sealed
  /// them), then checkpoints so the clear text is gone from the WAL as well. Once per store: the
  /// scan reads every request's row, so `meta` records that it ran rather than every open paying it.
  private func sealClearReceipts(with key: StoreKey) throws {
    let done = try pool.read {
      try Bool.fetchOne($0, sql: "SELECT 1 FROM meta WHERE key = ?", arguments: [Self.receiptsSealedKey]) ?? false
    }
    guard !done else { return }
    let sealed = try pool.write { db in
      let rows = try Row.fetchAll(
        db, sql: #"SELECT id, receipt FROM deletion_request WHERE receipt LIKE '%"signed":{%'"#)
      for row in rows {
        let receipt = try StoredReceipt.receipt(from: row["receipt"], key: key)
        try db.execute(
          sql: "UPDATE deletion_request SET receipt = ? WHERE id = ?",
          arguments: [try StoredReceipt.text(of: receipt, key: key), row["id"] as String])
      }
      try db.execute(
        sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", arguments: [Self.receiptsSealedKey])
      return rows.count
    }
    if sealed > 0 { try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } }
  }

  /// The public key receipts are signed with, and its id; nil without a signing key.
  public var signingPublicKey: (keyID: String, key: Ed25519PublicKey)? {
    signingKey.map { ($0.keyID, $0.publicKey) }
  }

  /// Every public key the store signs or signed receipts with: the current one first, then the
  /// retired ones, newest first (`SigningKey.rotate`).
  public func publishedSigningKeys() throws -> [SigningKey.Published] {
    let current = signingKey.map { [SigningKey.Published($0.publicKey)] } ?? []
    return current + (try SigningKey.retired(forKeyFile: signingKeyFile)).reversed()
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  var now: String { Self.timestamp(clock()) }

  /// The key, or an error saying where it was looked for.
  func requireKey() throws -> StoreKey {
    guard let key else {
      throw StoreError(
        .missingKey,
        "no key file at \(keyFile): the store keys every id hash with it. Restore it from your backup "
          + "(or pass --key-file); `unlearn store init` creates one only for a new store")
    }
    return key
  }

  // MARK: Models

  /// Registers a trained state under `name`: its dataset's sample ids that the strategy can erase
  /// (with a hash of each sample's content), held-out ones included, and the state as version 1.
  @discardableResult
  public func registerModel(name: String, state: any StrategyState, datasetName: String) throws -> ModelSummary {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw StoreError(.invalidRequest, "model name '\(name)' must be letters, digits, '-', '_' or '.'")
    }
    let key = try requireKey()
    let archive = try state.archive()
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
        sql: "INSERT INTO model_version(model_name, version, state, exact, created_at) VALUES (?, 1, X'', 1, ?)",
        arguments: [name, at])
      try StateParts.write(archive, model: name, version: 1, datasetID: datasetID, key: key, db: db)
      try AuditLog.append(
        db, at: at, event: "model registered", model: name, requestID: nil,
        details: [
          "strategy": type(of: state.strategy).name, "samples": String(data.count), "version": "1",
          "dataset": datasetName,
        ])
    }
    live.put(state, of: name, version: 1)
    return try model(named: name)
  }

  /// SHA-256 of a sample's label and feature values (Float64, little-endian).
  static func contentHash(of data: Dataset, row: Int) -> String {
    var hasher = SHA256()
    hasher.update(data: Array(data.classNames[data.labels[row]].utf8) + [0])
    let values = data.features.row(row).map { $0.bitPattern.littleEndian }
    values.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    return FileDigest.hexadecimal(hasher.finalize())
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
    else { throw try unknownModel(db, name) }
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

  /// The current version's state: from memory when this process holds it at that version, else
  /// read from the store (rebuilding its caches, which the next request's report then names).
  public func currentState(of name: String) throws -> (version: Int, state: any StrategyState) {
    let row = try pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT strategy, current_version, dataset_id FROM model WHERE name = ?", arguments: [name])
    }
    guard let row else { return try pool.read { db in throw try self.unknownModel(db, name) } }
    let version: Int = row["current_version"]
    if let state = live.state(of: name, version: version) { return (version, state) }
    let state = try loadState(of: name, strategy: row["strategy"], version: version, datasetID: row["dataset_id"])
    live.put(state, of: name, version: version)
    return (version, state)
  }

  /// Reads and decodes a version from the store (a whole state file for versions older stores wrote).
  func loadState(of name: String, strategy: String, version: Int, datasetID: Int64) throws -> any StrategyState {
    let label = "\(path) model \(name) version \(version)"
    let key = try requireKey()
    let (archive, caches) = try pool.read { db -> (StateArchive, [String]) in
      if try StateParts.isStored(model: name, version: version, db: db) {
        return try StateParts.read(
          model: name, strategy: strategy, version: version, datasetID: datasetID, key: key, db: db)
      }
      let bytes = try Data.fetchOne(
        db, sql: "SELECT state FROM model_version WHERE model_name = ? AND version = ?", arguments: [name, version])
      guard let bytes, !bytes.isEmpty else { throw StoreError(.corrupted, "\(label) is missing") }
      return (try StateFile.decode(Array(bytes), path: label), [])
    }
    let state = try StrategyCatalog.state(from: archive, path: label)
    if !caches.isEmpty { rebuiltCaches.withLock { $0[name] = caches } }
    return state
  }

  func unknownModel(_ db: Database, _ name: String) throws -> StoreError {
    let known = try String.fetchAll(db, sql: "SELECT name FROM model ORDER BY name")
    return StoreError(
      .unknownModel,
      "no model named '\(name)' in \(path)"
        + (known.isEmpty
          ? "; register one with `unlearn train ... --store \(path) --name NAME`"
          : " (it has \(known.joined(separator: ", ")))"))
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
