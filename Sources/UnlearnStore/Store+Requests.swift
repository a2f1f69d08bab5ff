import Foundation
import GRDB
import UnlearnData
import UnlearnModels
import Unlearning

extension Store {
  /// Accepts a deletion request for `model` and persists it (status `queued`, audit entry
  /// "received") in one transaction, before any work starts. A `clientRequestID` already used for
  /// this model returns that request instead (nothing new is recorded) if it named the same ids, and
  /// throws `StoreError.requestIDReused` if it named others. Ids that the model was
  /// never trained on, or that are already forgotten, make the request `rejected` (recorded, with
  /// the reason); an empty or repeated id list throws `StoreError.invalidRequest`.
  public func submit(model: String, ids: [SampleID], clientRequestID: String? = nil, requester: String? = nil) throws
    -> DeletionRequest
  {
    do {
      _ = try ForgetRequest(ids: ids)
    } catch let error as ForgetError {
      throw StoreError(.invalidRequest, error.description)
    }
    return try pool.write { db in
      _ = try self.summary(db, model)
      let hasher = try self.hasher(db)
      let hashes = ids.map { hasher.hash($0) }
      if let clientRequestID,
        let existing = try Row.fetchOne(
          db, sql: "SELECT * FROM deletion_request WHERE model_name = ? AND client_request_id = ?",
          arguments: [model, clientRequestID])
      {
        let earlier = try JSONDecoder().decode([String].self, from: Data((existing["id_hashes"] as String).utf8))
        guard Set(earlier) == Set(hashes) else {
          throw StoreError(
            .requestIDReused,
            "request id '\(clientRequestID)' was already used for other ids on model \(model): "
              + "use a new request id for a different request")
        }
        return try DeletionRequest(row: existing)
      }
      let datasetID = try Int64.fetchOne(db, sql: "SELECT dataset_id FROM model WHERE name = ?", arguments: [model])!
      let lookup = try db.makeStatement(sql: "SELECT 1 FROM sample WHERE dataset_id = ? AND sample_id = ?")
      var absent = 0
      for id in ids where try Bool.fetchOne(lookup, arguments: [datasetID, id.rawValue]) == nil { absent += 1 }
      let id = UUID().uuidString.lowercased()
      let at = self.now
      let hashesJSON = String(decoding: try JSONEncoder().encode(hashes), as: UTF8.self)
      if absent > 0 {
        let reason =
          "\(absent) of \(ids.count) ids are not in model \(model)'s training samples "
          + "(never trained on, already forgotten, or not erasable by its strategy)"
        try db.execute(
          sql: """
            INSERT INTO deletion_request(id, model_name, client_request_id, sample_ids, id_hashes, id_count,
              requester, status, received_at, finished_at, error)
            VALUES (?, ?, ?, NULL, ?, ?, ?, 'rejected', ?, ?, ?)
            """,
          arguments: [id, model, clientRequestID, hashesJSON, ids.count, requester, at, at, reason])
        try AuditLog.append(
          db, at: at, event: "request rejected", model: model, requestID: id,
          details: ["ids": String(ids.count), "absent": String(absent), "id_hashes": hashes.joined(separator: ",")])
      } else {
        let idsJSON = String(decoding: try JSONEncoder().encode(ids.map(\.rawValue)), as: UTF8.self)
        try db.execute(
          sql: """
            INSERT INTO deletion_request(id, model_name, client_request_id, sample_ids, id_hashes, id_count,
              requester, status, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)
            """,
          arguments: [id, model, clientRequestID, idsJSON, hashesJSON, ids.count, requester, at])
        try AuditLog.append(
          db, at: at, event: "request received", model: model, requestID: id,
          details: ["ids": String(ids.count), "id_hashes": hashes.joined(separator: ",")])
      }
      return try DeletionRequest(
        row: try Row.fetchOne(db, sql: "SELECT * FROM deletion_request WHERE id = ?", arguments: [id])!)
    }
  }

  public func request(id: String) throws -> DeletionRequest {
    try pool.read { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deletion_request WHERE id = ?", arguments: [id]) else {
        throw StoreError(.unknownRequest, "no deletion request '\(id)' in \(self.path)")
      }
      return try DeletionRequest(row: row)
    }
  }

  /// Requests, oldest first, for one model or all.
  public func requests(model: String? = nil) throws -> [DeletionRequest] {
    try pool.read { db in
      let rows =
        try model.map {
          try Row.fetchAll(
            db, sql: "SELECT * FROM deletion_request WHERE model_name = ? ORDER BY received_at, rowid",
            arguments: [$0])
        } ?? Row.fetchAll(db, sql: "SELECT * FROM deletion_request ORDER BY received_at, rowid")
      return try rows.map(DeletionRequest.init(row:))
    }
  }

  /// Puts requests left `running` by a process that stopped mid-execution back in the queue (their
  /// model's committed version does not include them). Call once at start, before executing;
  /// returns how many were requeued.
  @discardableResult
  public func recoverInterrupted() throws -> Int {
    try pool.write { db in
      let ids = try String.fetchAll(db, sql: "SELECT id FROM deletion_request WHERE status = 'running'")
      for id in ids {
        let model = try String.fetchOne(
          db, sql: "SELECT model_name FROM deletion_request WHERE id = ?", arguments: [id])
        try db.execute(
          sql: "UPDATE deletion_request SET status = 'queued', started_at = NULL WHERE id = ?", arguments: [id])
        try AuditLog.append(
          db, at: self.now, event: "request requeued after interruption", model: model, requestID: id, details: [:])
      }
      return ids.count
    }
  }

  /// Models with queued requests.
  public func modelsWithQueuedRequests() throws -> [String] {
    try pool.read { db in
      try String.fetchAll(
        db, sql: "SELECT DISTINCT model_name FROM deletion_request WHERE status = 'queued' ORDER BY model_name")
    }
  }

  /// Executes every queued request of `model` as one batch (one forget of the union of their
  /// ids), from the current version. On success, in one transaction: the new version, the older
  /// versions deleted, the forgotten samples' rows deleted, each request `done` with the report,
  /// its receipt and audit entry, and its raw ids cleared. On failure each request is `failed`
  /// with the error. Returns the requests as they ended.
  @discardableResult
  public func executePending(
    model: String, progress: (TrainingProgress) -> Void = { _ in }
  ) throws -> [DeletionRequest] {
    executionLock.lock()
    defer { executionLock.unlock() }
    let started = try pool.write { db -> [(id: String, ids: [SampleID])] in
      let rows = try Row.fetchAll(
        db,
        sql: "SELECT id, sample_ids FROM deletion_request WHERE model_name = ? AND status = 'queued' ORDER BY rowid",
        arguments: [model])
      let at = self.now
      return try rows.map { row in
        let id: String = row["id"]
        let raw: String = row["sample_ids"]
        let ids = try JSONDecoder().decode([String].self, from: Data(raw.utf8)).map { SampleID($0) }
        try db.execute(
          sql: "UPDATE deletion_request SET status = 'running', started_at = ? WHERE id = ?", arguments: [at, id])
        try AuditLog.append(
          db, at: at, event: "request started", model: model, requestID: id, details: ["ids": String(ids.count)])
        return (id, ids)
      }
    }
    guard !started.isEmpty else { return [] }
    let requestIDs = started.map { $0.id }
    do {
      let (versionBefore, state) = try currentState(of: model)
      var union: [SampleID] = []
      var seen = Set<SampleID>()
      for request in started { for id in request.ids where seen.insert(id).inserted { union.append(id) } }
      let request = try ForgetRequest(ids: union)
      let (next, report) = try withoutActuallyEscaping(progress) { progress in
        try state.forgetting(request, progress: progress)
      }
      let bytes = try StateFile.encode(try next.archive())
      try commit(
        model: model, requests: started, versionBefore: versionBefore, state: Data(bytes), report: report)
    } catch {
      try pool.write { db in
        let at = self.now
        for id in requestIDs {
          try db.execute(
            sql: "UPDATE deletion_request SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
            arguments: [at, String(describing: error), id])
          try AuditLog.append(
            db, at: at, event: "request failed", model: model, requestID: id,
            details: ["error": String(describing: error)])
        }
      }
    }
    return try requestIDs.map { try request(id: $0) }
  }

  private func commit(
    model: String, requests: [(id: String, ids: [SampleID])], versionBefore: Int, state: Data, report: ForgetReport
  ) throws {
    try pool.write { db in
      let current = try Int.fetchOne(db, sql: "SELECT current_version FROM model WHERE name = ?", arguments: [model])
      guard current == versionBefore else {
        throw StoreError(
          .corrupted, "model \(model) moved from version \(versionBefore) to \(current ?? -1) while executing")
      }
      let at = self.now
      let versionAfter = versionBefore + 1
      let wasExact =
        try Bool.fetchOne(
          db, sql: "SELECT exact FROM model_version WHERE model_name = ? AND version = ?",
          arguments: [model, versionBefore]) ?? true
      let exact = report.exact && wasExact
      try db.execute(
        sql: "INSERT INTO model_version(model_name, version, state, exact, created_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [model, versionAfter, state, exact, at])
      try db.execute(sql: "UPDATE model SET current_version = ? WHERE name = ?", arguments: [versionAfter, model])
      // Serving the old and new versions side by side would leak the erased membership.
      try db.execute(
        sql: "DELETE FROM model_version WHERE model_name = ? AND version < ?", arguments: [model, versionAfter])
      let datasetID = try Int64.fetchOne(db, sql: "SELECT dataset_id FROM model WHERE name = ?", arguments: [model])!
      let delete = try db.makeStatement(sql: "DELETE FROM sample WHERE dataset_id = ? AND sample_id = ?")
      for request in requests {
        for id in request.ids { try delete.execute(arguments: [datasetID, id.rawValue]) }
      }
      let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
      let decision = report.exact ? "exact" : "approximate"
      let reason =
        report.notes.isEmpty
        ? (report.exact
          ? "\(report.strategy) retrained every part of the model the samples touched"
          : "\(report.strategy) updated the parameters without retraining")
        : report.notes.joined(separator: "; ")
      for request in requests {
        let entry = try AuditLog.append(
          db, at: at, event: "request done", model: model, requestID: request.id,
          details: [
            "decision": decision, "version_before": String(versionBefore), "version_after": String(versionAfter),
            "ids": String(request.ids.count), "batch_ids": String(report.forgotten),
          ])
        let receipt = DeletionReceipt(
          requestID: request.id, model: model, decision: decision, reason: reason, versionBefore: versionBefore,
          versionAfter: versionAfter, finishedAt: at, auditEntryHash: entry.hash)
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'done', finished_at = ?, report = ?, receipt = ?, sample_ids = NULL
            WHERE id = ?
            """,
          arguments: [
            at, reportJSON, String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self), request.id,
          ])
      }
    }
  }
}
