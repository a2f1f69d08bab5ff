import Foundation
import UnlearnData
import UnlearnModels
import Unlearning

/// Executing deletion requests: claims with leases, one batch per model, each request validated
/// on its own, commits that erase, and recovery of what a stopped executor left.
extension Store {
  /// A request this executor claimed, with the ids it still has to erase.
  struct ClaimedRequest {
    let id: String
    let ids: [SampleID]
    /// Ids of the request an earlier request already erased.
    let alreadyErased: Int
  }

  /// The executor lost its claim (its lease expired and another executor took the requests): its
  /// work is dropped, the other executor's counts.
  struct LeaseLost: Error {}

  /// Makes the store whole after executors stopped: a `running` request whose lease expired (its
  /// executor died or hung) goes back to the queue, or — when its version was committed before
  /// the executor stopped — is finished as done after the backend erases what it deleted. Runs at
  /// the start of every execution pass; returns how many requests it requeued or finished.
  @discardableResult
  public func recoverInterrupted() throws -> Int {
    let now = clock().timeIntervalSince1970
    let (requeued, committed) = try database.write { db -> (Int, [String]) in
      let rows = try db.fetchAll(
        sql: """
          SELECT id, model_name, receipt IS NOT NULL AS committed FROM deletion_request
          WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ?)
          """, arguments: [now])
      var committed: [String] = []
      for row in rows {
        let id: String = try row["id"]
        if try row["committed"] as Bool {
          committed.append(id)
          continue
        }
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'queued', started_at = NULL, owner = NULL, lease_expires_at = NULL
            WHERE id = ?
            """, arguments: [id])
        try AuditLog.append(
          db, at: self.now, event: "request requeued after interruption", model: try row["model_name"], requestID: id,
          details: [:])
      }
      return (rows.count - committed.count, committed)
    }
    if !committed.isEmpty { try finish(committed) }
    return requeued + committed.count
  }

  /// Models with requests ready to run (queued, and past any retry delay).
  public func modelsWithQueuedRequests() throws -> [String] {
    try database.read { db in
      try db.fetchValues(
        String.self,
        sql: """
          SELECT DISTINCT model_name FROM deletion_request
          WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?) ORDER BY model_name
          """, arguments: [self.clock().timeIntervalSince1970])
    }
  }

  /// Claims the ready requests of `model` and executes them as one batch (one forget of the union
  /// of their ids) from the current version; returns the claimed requests as they ended (empty
  /// when there were none, or another executor holds a live claim on the model).
  ///
  /// Each request is checked against the model's remaining samples when claimed: ids an earlier
  /// request erased are left out, and a request with none left is done at once. When a batch
  /// fails, its requests run one by one, so one bad request never fails another. A version
  /// conflict at commit (another executor moved the model) runs the batch again from the new
  /// version. A transient failure (disk full or read-only, a lock timeout, a missing key file)
  /// puts the requests back in the queue with a delay that doubles per attempt, and is rethrown.
  /// `claimed` hears the requests this executor set `running`: (request id, number of ids).
  @discardableResult
  public func executePending(
    model: String, progress: (TrainingProgress) -> Void = { _ in },
    claimed report: ([(request: String, ids: Int)]) -> Void = { _ in }
  ) throws -> [DeletionRequest] {
    executionLock.lock()
    defer { executionLock.unlock() }
    try recoverInterrupted()
    let (claimed, settled) = try claim(model: model)
    if !claimed.isEmpty {
      report(claimed.map { ($0.id, $0.ids.count) })
      let renewal = renewLeasesPeriodically()
      defer { renewal.cancel() }
      try withoutActuallyEscaping(progress) { progress in
        do {
          try execute(claimed, model: model, progress: progress)
        } catch is LeaseLost {
          live.drop(model)
        } catch let error where !Self.isTransient(error) && claimed.count > 1 {
          for request in claimed {
            do {
              // Earlier requests of the batch may have erased some of its ids since the claim.
              guard let request = try refreshed(request, model: model) else { continue }
              try execute([request], model: model, progress: progress)
            } catch is LeaseLost {
              live.drop(model)
            } catch let error where !Self.isTransient(error) {
              try fail([request], error, model: model)
            }
          }
        } catch let error where Self.isTransient(error) {
          live.drop(model)
          try? requeue(claimed, model: model, after: error)
          throw error
        } catch {
          try fail(claimed, error, model: model)
        }
      }
    }
    return try (settled + claimed.map(\.id)).map { try request(id: $0) }
  }

  /// Storage or configuration trouble that may pass (a full or read-only disk, a lock timeout, a
  /// missing key file): the request is not at fault, and an HTTP answer for it is a 503.
  public static func isTransient(_ error: any Error) -> Bool {
    if let error = error as? any StorageFailure { return error.isTransient }
    if let error = error as? StoreError { return error.code == .conflict || error.code == .missingKey }
    return false
  }

  /// A storage error in a few words that name no data ("disk full", "read-only", ...).
  public static func failureKind(of error: any Error) -> String {
    if let error = error as? StoreError { return error.code.rawValue }
    if let error = error as? any StorageFailure { return error.kind }
    return String(describing: type(of: error))
  }

  /// Claims `model`'s ready requests in one write transaction: unless another executor holds an
  /// unexpired lease on the model, each request becomes `running` under this executor's lease.
  /// Returns the claims and the ids of requests settled at once (nothing of theirs left to erase).
  func claim(model: String) throws -> (claimed: [ClaimedRequest], settled: [String]) {
    let now = clock()
    let seconds = now.timeIntervalSince1970
    return try database.write { db in
      let busy = try db.fetchValue(
        Bool.self,
        sql: """
          SELECT 1 FROM deletion_request WHERE model_name = ? AND status = 'running' AND (owner IS NULL OR owner <> ?)
            AND lease_expires_at >= ? LIMIT 1
          """, arguments: [model, owner, seconds])
      if busy == true { return ([], []) }
      let rows = try db.fetchAll(
        sql: """
          SELECT r.id, i.sample_ids FROM deletion_request r LEFT JOIN request_ids i ON i.request_id = r.id
          WHERE r.model_name = ? AND r.status = 'queued' AND (r.not_before IS NULL OR r.not_before <= ?)
          ORDER BY r.rowid
          """, arguments: [model, seconds])
      guard !rows.isEmpty else { return ([], []) }
      let at = Self.timestamp(now)
      var claimed: [ClaimedRequest] = []
      var settled: [String] = []
      for row in rows {
        let id: String = try row["id"]
        let raw: String = try row["sample_ids"]
        let ids = try JSONDecoder().decode([String].self, from: Data(raw.utf8)).map { SampleID($0) }
        let remaining = try self.remaining(ids, of: model, db: db)
        if remaining.isEmpty {
          try settleAlreadyErased(id, model: model, idCount: ids.count, at: at, db: db)
          settled.append(id)
          continue
        }
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'running', started_at = ?, owner = ?, lease_expires_at = ?,
              attempts = attempts + 1
            WHERE id = ?
            """, arguments: [at, owner, seconds + leaseSeconds, id])
        try AuditLog.append(
          db, at: at, event: "request started", model: model, requestID: id,
          details: ["ids": String(ids.count), "already_erased": String(ids.count - remaining.count)])
        claimed.append(ClaimedRequest(id: id, ids: remaining, alreadyErased: ids.count - remaining.count))
      }
      return (claimed, settled)
    }
  }

  /// `request` with the ids that are still to erase, or nil when none are (it is then settled as
  /// already erased).
  private func refreshed(_ request: ClaimedRequest, model: String) throws -> ClaimedRequest? {
    try database.write { db in
      let remaining = try self.remaining(request.ids, of: model, db: db)
      if remaining.isEmpty {
        try settleAlreadyErased(
          request.id, model: model, idCount: request.ids.count + request.alreadyErased, at: self.now, db: db)
        return nil
      }
      return ClaimedRequest(
        id: request.id, ids: remaining, alreadyErased: request.alreadyErased + request.ids.count - remaining.count)
    }
  }

  /// A request whose every id an earlier request erased is done: nothing of it is left to erase.
  private func settleAlreadyErased(_ id: String, model: String, idCount: Int, at: String, db: any StoreConnection)
    throws
  {
    let version = try db.fetchValue(
      Int.self, sql: "SELECT current_version FROM model WHERE name = ?", arguments: [model])!
    let entry = try AuditLog.append(
      db, at: at, event: "request done", model: model, requestID: id,
      details: [
        "decision": "already erased", "version_before": String(version), "version_after": String(version),
        "ids": String(idCount),
      ])
    var receipt = DeletionReceipt(
      requestID: id, model: model, decision: "already erased",
      reason: "earlier requests erased every sample this request names; the model was not changed",
      versionBefore: version, versionAfter: version, finishedAt: at, auditEntryHash: entry.hash)
    receipt.signed = signed(receipt, strategy: nil, figures: [:], entry: entry, head: entry, ids: [])
    try db.execute(
      sql: """
        UPDATE deletion_request SET status = 'done', finished_at = ?, receipt = ?, owner = NULL,
          lease_expires_at = NULL
        WHERE id = ?
        """, arguments: [at, try StoredReceipt.text(of: receipt, key: key), id])
    try dropIDs(of: id, db: db)
  }

  /// `receipt` as a signed document (`SignedReceipt`) covering `ids`, naming its audit `entry` and
  /// the chain's `head` at commit; nil without a signing key.
  private func signed(
    _ receipt: DeletionReceipt, strategy: String?, figures: [String: Double], entry: AuditEntry, head: AuditEntry,
    ids: [SampleID]
  ) -> SignedReceipt? {
    signingKey.map { key in
      key.sign(
        SignedReceipt.document(
          receipt: receipt, strategy: strategy, figures: figures, auditSeq: entry.seq, chainHead: head, ids: ids,
          keyID: key.keyID))
    }
  }

  /// Renews this executor's leases every third of the lease until cancelled.
  private func renewLeasesPeriodically() -> any DispatchSourceTimer {
    let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
    let interval = leaseSeconds / 3
    timer.schedule(deadline: .now() + interval, repeating: interval)
    timer.setEventHandler { [self] in
      _ = try? database.write { db in
        try db.execute(
          sql: """
            UPDATE deletion_request SET lease_expires_at = ? WHERE owner = ? AND status = 'running'
              AND receipt IS NULL
            """, arguments: [self.clock().timeIntervalSince1970 + self.leaseSeconds, self.owner])
      }
    }
    timer.resume()
    return timer
  }

  /// Forgets the batch's ids from the model's current state and commits; on a version conflict,
  /// again from the new version (a few times at most).
  private func execute(
    _ batch: [ClaimedRequest], model: String, progress: (TrainingProgress) -> Void
  ) throws {
    var union: [SampleID] = []
    var seen = Set<SampleID>()
    for request in batch { for id in request.ids where seen.insert(id).inserted { union.append(id) } }
    let forgetRequest = try ForgetRequest(ids: union)
    for attempt in 1... {
      let (versionBefore, state) = try currentState(of: model)
      let (next, report) = try state.forgetting(forgetRequest, progress: progress)
      do {
        try commit(batch, model: model, versionBefore: versionBefore, state: next, report: report)
        return
      } catch let error as StoreError where error.code == .conflict && attempt < 5 {
        live.drop(model)
      }
    }
  }

  /// Commits a batch's new version and everything it erases in one transaction, has the backend
  /// erase what it deleted (`eraseDeleted`), and then reports the requests done.
  private func commit(
    _ batch: [ClaimedRequest], model: String, versionBefore: Int, state: any StrategyState, report: ForgetReport
  ) throws {
    let key = try requireKey()
    let archive = try state.archive()
    // The receipt's reason is the strategy's own account; a rebuilt cache is only a report note.
    let strategyNotes = report.notes
    var report = report
    if let caches = rebuiltCaches.withLock({ $0.removeValue(forKey: model) }) {
      report.notes.append(
        "the state was read from the store and its caches (\(caches.joined(separator: ", "))) rebuilt: "
          + "they are kept in memory only")
    }
    let versionAfter = versionBefore + 1
    try database.write { db in
      try checkStillHeld(batch, model: model, version: versionBefore, db: db)
      let at = self.now
      try writeVersion(
        versionAfter, of: model, erasing: batch, exact: report.exact, archive: archive, key: key, at: at, db: db)
      try recordDone(
        batch, model: model, versions: (versionBefore, versionAfter), report: report, strategyNotes: strategyNotes,
        key: key, at: at, db: db)
    }
    live.put(state, of: model, version: versionAfter)
    try finish(batch.map(\.id))
  }

  /// Throws unless `model` is still at `version` and this executor still holds every request of
  /// `batch` (another executor's work, or a lost lease, means running again).
  private func checkStillHeld(_ batch: [ClaimedRequest], model: String, version: Int, db: any StoreConnection) throws {
    let current = try db.fetchValue(
      Int.self, sql: "SELECT current_version FROM model WHERE name = ?", arguments: [model])
    guard current == version else {
      throw StoreError(.conflict, "model \(model) moved from version \(version) to \(current ?? -1) while executing")
    }
    let held = try db.fetchValue(
      Int.self,
      sql: """
        SELECT COUNT(*) FROM deletion_request WHERE status = 'running' AND owner = ? AND receipt IS NULL
          AND id IN (\(batch.map { _ in "?" }.joined(separator: ",")))
        """, arguments: [owner] + batch.map(\.id))
    guard held == batch.count else { throw LeaseLost() }
  }

  /// Deletes the batch's samples, writes `version` of `model` from `archive` (exact if the removal
  /// was and the version before it was), makes it current and retires every earlier version.
  private func writeVersion(
    _ version: Int, of model: String, erasing batch: [ClaimedRequest], exact removalExact: Bool,
    archive: StateArchive, key: StoreKey, at: String, db: any StoreConnection
  ) throws {
    let wasExact =
      try db.fetchValue(
        Bool.self, sql: "SELECT exact FROM model_version WHERE model_name = ? AND version = ?",
        arguments: [model, version - 1]) ?? true
    let datasetID = try db.fetchValue(
      Int64.self, sql: "SELECT dataset_id FROM model WHERE name = ?", arguments: [model])!
    for request in batch {
      for id in request.ids {
        try db.execute(
          sql: "DELETE FROM sample WHERE dataset_id = ? AND sample_id = ?", arguments: [datasetID, id.rawValue])
        try db.execute(
          sql: "DELETE FROM sample_row WHERE dataset_id = ? AND sample_id = ?", arguments: [datasetID, id.rawValue])
      }
    }
    try db.execute(
      sql: "INSERT INTO model_version(model_name, version, state, exact, created_at) VALUES (?, ?, ?, ?, ?)",
      arguments: [model, version, Data(), removalExact && wasExact, at])
    try StateParts.write(archive, model: model, version: version, datasetID: datasetID, key: key, db: db)
    try db.execute(sql: "UPDATE model SET current_version = ? WHERE name = ?", arguments: [version, model])
    // Serving the old and new versions side by side would leak the erased membership.
    try StateParts.retireVersions(of: model, before: version, db: db)
    try db.execute(sql: "DELETE FROM model_version WHERE model_name = ? AND version < ?", arguments: [model, version])
  }

  /// Appends each request's "request done" audit entry and stores its report and signed receipt;
  /// the requests stay `running` until `finish` has erased what the commit deleted.
  private func recordDone(
    _ batch: [ClaimedRequest], model: String, versions: (before: Int, after: Int), report: ForgetReport,
    strategyNotes: [String], key: StoreKey, at: String, db: any StoreConnection
  ) throws {
    let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
    let decision = report.exact ? "exact" : "approximate"
    let reason =
      strategyNotes.isEmpty
      ? (report.exact
        ? "\(report.strategy) retrained every part of the model the samples touched"
        : "\(report.strategy) updated the parameters without retraining")
      : strategyNotes.joined(separator: "; ")
    var finished: [(request: ClaimedRequest, receipt: DeletionReceipt, entry: AuditEntry)] = []
    for request in batch {
      let entry = try AuditLog.append(
        db, at: at, event: "request done", model: model, requestID: request.id,
        details: [
          "decision": decision, "version_before": String(versions.before), "version_after": String(versions.after),
          "ids": String(request.ids.count + request.alreadyErased), "already_erased": String(request.alreadyErased),
          "batch_ids": String(report.forgotten),
        ])
      let receipt = DeletionReceipt(
        requestID: request.id, model: model, decision: decision, reason: reason, versionBefore: versions.before,
        versionAfter: versions.after, finishedAt: at, auditEntryHash: entry.hash,
        featureScaling: report.featureScaling?.rawValue)
      finished.append((request, receipt, entry))
    }
    // Every receipt of the batch signs the chain's head at this commit: the last entry above.
    let head = finished.last!.entry
    for (request, unsigned, entry) in finished {
      var receipt = unsigned
      receipt.signed = signed(
        receipt, strategy: report.strategy, figures: report.figures, entry: entry, head: head, ids: request.ids)
      try db.execute(
        sql: """
          UPDATE deletion_request SET finished_at = ?, report = ?, receipt = ?, lease_expires_at = NULL
          WHERE id = ?
          """,
        arguments: [at, reportJSON, try StoredReceipt.text(of: receipt, key: key), request.id])
      try dropIDs(of: request.id, db: db)
    }
  }

  /// Has the backend erase what the commits deleted (SQLite: the WAL checkpointed and truncated,
  /// with `secure_delete` the erased content is then zeros in every file), then marks the
  /// committed requests done.
  func finish(_ ids: [String]) throws {
    let datasets = try database.read { db in
      try db.fetchValues(
        Int64.self,
        sql: """
          SELECT DISTINCT m.dataset_id FROM deletion_request r JOIN model m ON m.name = r.model_name
          WHERE r.id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
          """, arguments: ids)
    }
    try database.eraseDeleted(datasets: Set(datasets), requests: false)
    try database.write { db in
      for id in ids {
        try db.execute(
          sql: "UPDATE deletion_request SET status = 'done', owner = NULL WHERE id = ? AND receipt IS NOT NULL",
          arguments: [id])
      }
    }
  }

  /// Marks requests failed with their error (ids redacted) and clears their raw ids.
  private func fail(_ batch: [ClaimedRequest], _ error: any Error, model: String) throws {
    try database.write { db in
      let at = self.now
      for request in batch {
        let message = Self.redacted(error, ids: request.ids)
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'failed', finished_at = ?, error = ?, owner = NULL,
              lease_expires_at = NULL
            WHERE id = ? AND status = 'running'
            """, arguments: [at, message, request.id])
        try dropIDs(of: request.id, db: db)
        try AuditLog.append(
          db, at: at, event: "request failed", model: model, requestID: request.id, details: ["error": message])
      }
    }
  }

  /// Puts requests back in the queue after a transient failure, to run again after 2^attempts
  /// seconds (at most five minutes).
  private func requeue(_ batch: [ClaimedRequest], model: String, after error: any Error) throws {
    try database.write { db in
      let now = self.clock().timeIntervalSince1970
      for request in batch {
        let attempts =
          try db.fetchValue(
            Int.self, sql: "SELECT attempts FROM deletion_request WHERE id = ?", arguments: [request.id]) ?? 1
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'queued', started_at = NULL, owner = NULL, lease_expires_at = NULL,
              not_before = ?
            WHERE id = ? AND status = 'running' AND receipt IS NULL
            """, arguments: [now + min(300, pow(2, Double(attempts))), request.id])
        try AuditLog.append(
          db, at: self.now, event: "request requeued after a transient failure", model: model, requestID: request.id,
          details: ["error": Self.redacted(error, ids: request.ids)])
      }
    }
  }
}
