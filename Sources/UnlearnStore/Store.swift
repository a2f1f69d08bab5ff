import Foundation
import Synchronization
import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// The store: a database (`StoreDatabase`: one SQLite file, or PostgreSQL) holding datasets'
/// samples, model versions as manifests of content-addressed parts (`StateParts`), deletion
/// requests and the audit log (`Schema`), and a key file (`StoreKey`) that keys every id hash.
///
/// A deletion request is persisted in one transaction before any work starts (`submit`). An
/// executor — `serve`, `request run` or `worker`, any number of them on one store — claims the
/// queued requests of a model with a lease it renews while it works (`executePending`), forgets from
/// the model's state in memory (`LiveModels`; decoded from the store on first use), and commits the
/// new version, the reports, receipts and audit entries in one transaction that also deletes the
/// forgotten samples' rows and every part only the old version used. Then the database erases what
/// the commit deleted (`StoreDatabase.eraseDeleted`; for SQLite a WAL checkpoint with
/// `secure_delete`, after which the erased bytes are in no file of the store) and only then are
/// the requests reported `done`. A request whose executor died is requeued when its lease expires,
/// and executed exactly once.
public final class Store: Sendable {
  /// Where the store is: its file, or its PostgreSQL URL without a password.
  public let path: String
  let database: any StoreDatabase
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

  /// Opens the SQLite store at `path`, creating it (and its key files) when `create` is true;
  /// throws `StoreError` when it does not exist and `create` is false.
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
  public convenience init(
    path: String, create: Bool = false, keyFile: String? = nil, signingKeyFile: String? = nil,
    liveModelBudgetBytes: Int = 4 << 30,
    leaseSeconds: Double = 30, clock: @escaping @Sendable () -> Date = Date.init,
    prepareConnection: (@Sendable (any StoreConnection) throws -> Void)? = nil
  ) throws {
    if !create && !FileManager.default.fileExists(atPath: path) {
      throw StoreError(.missingStore, "no store at \(path); create one with `unlearn store init --store \(path)`")
    }
    try self.init(
      database: try SQLiteDatabase(path: path, prepareConnection: prepareConnection), create: create,
      keyFile: keyFile ?? StoreKey.defaultPath(forStore: path),
      signingKeyFile: signingKeyFile ?? SigningKey.defaultPath(forStore: path),
      liveModelBudgetBytes: liveModelBudgetBytes, leaseSeconds: leaseSeconds, clock: clock)
  }

  /// Opens the store at `location`: a PostgreSQL URL (`postgres://…`, `PostgresDatabase`) or an
  /// SQLite file's path (`init(path:…)`). A PostgreSQL store has no folder to keep its key files
  /// in: `keyFile` is required (every executor of the store needs the same one), and the signing
  /// key defaults to the key file's name with ".signing-key" in place of ".key".
  public convenience init(
    location: String, create: Bool = false, keyFile: String? = nil, signingKeyFile: String? = nil,
    liveModelBudgetBytes: Int = 4 << 30, leaseSeconds: Double = 30
  ) throws {
    guard PostgresDatabase.isURL(location) else {
      try self.init(
        path: location, create: create, keyFile: keyFile, signingKeyFile: signingKeyFile,
        liveModelBudgetBytes: liveModelBudgetBytes, leaseSeconds: leaseSeconds)
      return
    }
    guard let keyFile else {
      throw StoreError(
        .missingKey,
        "a PostgreSQL store keeps its key files outside the database: pass --key-file FILE "
          + "(or UNLEARN_STORE_KEY_FILE), the same file on every host that opens the store")
    }
    try self.init(
      database: try PostgresDatabase(url: location, create: create), create: create, keyFile: keyFile,
      signingKeyFile: signingKeyFile ?? SigningKey.defaultPath(forKeyFile: keyFile),
      liveModelBudgetBytes: liveModelBudgetBytes, leaseSeconds: leaseSeconds)
  }

  /// Opens the store in `database` (whose schema the backend has brought up to date). With
  /// `create`, the key files are created when absent; the other parameters are as for
  /// `init(path:…)`.
  public init(
    database: any StoreDatabase, create: Bool, keyFile: String, signingKeyFile: String,
    liveModelBudgetBytes: Int = 4 << 30, leaseSeconds: Double = 30,
    clock: @escaping @Sendable () -> Date = Date.init
  ) throws {
    self.database = database
    self.path = database.location
    self.clock = clock
    self.keyFile = keyFile
    self.signingKeyFile = signingKeyFile
    self.live = LiveModels(budgetBytes: liveModelBudgetBytes)
    self.leaseSeconds = leaseSeconds
    self.owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    if create && !FileManager.default.fileExists(atPath: self.keyFile) {
      // A store with models stored under a key must not silently get another one.
      if try database.read({ try $0.fetchValue(Bool.self, sql: "SELECT 1 FROM version_part LIMIT 1") }) == true {
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
    try database.write { db in
      if try db.fetchValue(Int.self, sql: "SELECT COUNT(*) FROM audit_log") == 0 {
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
    let done = try database.read {
      try $0.fetchValue(Bool.self, sql: "SELECT 1 FROM meta WHERE key = ?", arguments: [Self.receiptsSealedKey])
        ?? false
    }
    guard !done else { return }
    let sealed = try database.write { db in
      let rows = try db.fetchAll(sql: #"SELECT id, receipt FROM deletion_request WHERE receipt LIKE '%"signed":{%'"#)
      for row in rows {
        let receipt = try StoredReceipt.receipt(from: try row["receipt"], key: key)
        try db.execute(
          sql: "UPDATE deletion_request SET receipt = ? WHERE id = ?",
          arguments: [try StoredReceipt.text(of: receipt, key: key), try row["id"] as String])
      }
      try db.execute(
        sql: "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        arguments: [Self.receiptsSealedKey])
      return rows.count
    }
    if sealed > 0 { try database.eraseDeleted(datasets: [], requests: true) }
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
    try database.write { db in
      if try db.fetchValue(Bool.self, sql: "SELECT 1 FROM model WHERE name = ?", arguments: [name]) != nil {
        throw StoreError(.modelExists, "a model named '\(name)' is already in \(path); choose another --name")
      }
      let at = now
      let datasetID = try db.fetchValue(
        Int64.self,
        sql: "INSERT INTO dataset(name, source_sha256, sample_count, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        arguments: [datasetName, state.trainingSet.sourceSHA256.joined(separator: ","), data.count, at])
      guard let datasetID else { throw StoreError(.corrupted, "the new dataset row has no id") }
      try database.prepareDataset(datasetID, db)
      // Only samples the strategy can erase are deletion targets (not LMEraser's public ones);
      // held-out training samples (PUMA's validation part) are.
      for samples in [data, state.heldOutSamples].compactMap({ $0 }) {
        for row in 0..<samples.count where state.strategy.canErase(samples.ids[row]) {
          try db.execute(
            sql: "INSERT INTO sample(dataset_id, sample_id, content_sha256) VALUES (?, ?, ?)",
            arguments: [datasetID, samples.ids[row].rawValue, Self.contentHash(of: samples, row: row)])
        }
      }
      try db.execute(
        sql: "INSERT INTO model(name, strategy, dataset_id, current_version, created_at) VALUES (?, ?, ?, 1, ?)",
        arguments: [name, type(of: state.strategy).name, datasetID, at])
      try db.execute(
        sql: "INSERT INTO model_version(model_name, version, state, exact, created_at) VALUES (?, 1, ?, 1, ?)",
        arguments: [name, Data(), at])
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
    try database.read { db in try db.fetchValues(String.self, sql: "SELECT name FROM model ORDER BY name") }
  }

  public func model(named name: String) throws -> ModelSummary {
    try database.read { db in try self.summary(db, name) }
  }

  func summary(_ db: any StoreConnection, _ name: String) throws -> ModelSummary {
    guard
      let row = try db.fetchOne(
        sql: """
          SELECT m.strategy, m.current_version, m.dataset_id, v.exact FROM model m
          JOIN model_version v ON v.model_name = m.name AND v.version = m.current_version WHERE m.name = ?
          """, arguments: [name])
    else { throw try unknownModel(db, name) }
    let datasetID: Int64 = try row["dataset_id"]
    let remaining = try db.fetchValue(
      Int.self, sql: "SELECT COUNT(*) FROM sample WHERE dataset_id = ?", arguments: [datasetID])
    let pending = try db.fetchValue(
      Int.self, sql: "SELECT COUNT(*) FROM deletion_request WHERE model_name = ? AND status IN ('queued', 'running')",
      arguments: [name])
    let lastReport = try db.fetchValue(
      String.self,
      sql: """
        SELECT report FROM deletion_request WHERE model_name = ? AND status = 'done'
        ORDER BY finished_at DESC LIMIT 1
        """, arguments: [name])
    let figures = try lastReport.map { try JSONDecoder().decode(ForgetReport.self, from: Data($0.utf8)).figures }
    return ModelSummary(
      name: name, strategy: try row["strategy"], version: try row["current_version"], exact: try row["exact"],
      remainingSamples: remaining ?? 0, pendingRequests: pending ?? 0, lastFigures: figures ?? [:])
  }

  /// The current version's state: from memory when this process holds it at that version, else
  /// read from the store (rebuilding its caches, which the next request's report then names).
  public func currentState(of name: String) throws -> (version: Int, state: any StrategyState) {
    let row = try database.read { db in
      try db.fetchOne(sql: "SELECT strategy, current_version, dataset_id FROM model WHERE name = ?", arguments: [name])
    }
    guard let row else { return try database.read { db in throw try self.unknownModel(db, name) } }
    let version: Int = try row["current_version"]
    if let state = live.state(of: name, version: version) { return (version, state) }
    let state = try loadState(
      of: name, strategy: try row["strategy"], version: version, datasetID: try row["dataset_id"])
    live.put(state, of: name, version: version)
    return (version, state)
  }

  /// Reads and decodes a version from the store (a whole state file for versions older stores wrote).
  func loadState(of name: String, strategy: String, version: Int, datasetID: Int64) throws -> any StrategyState {
    let label = "\(path) model \(name) version \(version)"
    let key = try requireKey()
    let (archive, caches) = try database.read { db -> (StateArchive, [String]) in
      if try StateParts.isStored(model: name, version: version, db: db) {
        return try StateParts.read(
          model: name, strategy: strategy, version: version, datasetID: datasetID, key: key, db: db)
      }
      let bytes = try db.fetchValue(
        Data.self, sql: "SELECT state FROM model_version WHERE model_name = ? AND version = ?",
        arguments: [name, version])
      guard let bytes, !bytes.isEmpty else { throw StoreError(.corrupted, "\(label) is missing") }
      return (try StateFile.decode(Array(bytes), path: label), [])
    }
    let state = try StrategyCatalog.state(from: archive, path: label)
    if !caches.isEmpty { rebuiltCaches.withLock { $0[name] = caches } }
    return state
  }

  func unknownModel(_ db: any StoreConnection, _ name: String) throws -> StoreError {
    let known = try db.fetchValues(String.self, sql: "SELECT name FROM model ORDER BY name")
    return StoreError(
      .unknownModel,
      "no model named '\(name)' in \(path)"
        + (known.isEmpty
          ? "; register one with `unlearn train ... --store \(path) --name NAME`"
          : " (it has \(known.joined(separator: ", ")))"))
  }

  /// Versions kept for `name` (after a done request, only the current one).
  public func versions(of name: String) throws -> [Int] {
    try database.read { db in
      try db.fetchValues(
        Int.self, sql: "SELECT version FROM model_version WHERE model_name = ? ORDER BY version", arguments: [name])
    }
  }

  // MARK: Audit

  public func auditEntries(after seq: Int64 = 0, limit: Int = 1000) throws -> [AuditEntry] {
    try database.read { db in
      try db.fetchAll(
        sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]
      ).map { try AuditEntry(row: $0) }
    }
  }

  public func verifyAudit() throws -> AuditVerification {
    try database.read { db in try AuditLog.verify(db) }
  }
}
