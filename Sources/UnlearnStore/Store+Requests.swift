import Foundation
import UnlearnData
import UnlearnModels
import Unlearning

extension Store {
  /// The longest sample id a request may name, in UTF-8 bytes.
  public static let maximumIDBytes = 256

  /// Accepts a deletion request for `model` and persists it (status `queued`, audit entry
  /// "received") in one transaction, before any work starts. A `clientRequestID` already used for
  /// this model returns that request instead (nothing new is recorded) if it named the same ids —
  /// and queues it again if it had `failed` — and throws `StoreError.requestIDReused` if it named
  /// others. Ids that the model was never trained on, or that are already forgotten, make the
  /// request `rejected` (recorded, with the reason); an empty or repeated id list, or an id that is
  /// empty, longer than `maximumIDBytes` or holds a control character, throws
  /// `StoreError.invalidRequest`. Only keyed hashes of the ids are kept beyond the execution.
  public func submit(model: String, ids: [SampleID], clientRequestID: String? = nil, requester: String? = nil) throws
    -> DeletionRequest
  {
    do {
      _ = try ForgetRequest(ids: ids)
    } catch let error as ForgetError {
      throw StoreError(.invalidRequest, Self.redacted(error, ids: ids))
    }
    for (position, id) in ids.enumerated() {
      if let problem = Self.problem(with: id) {
        throw StoreError(.invalidRequest, "id at position \(position) \(problem)")
      }
    }
    let key = try requireKey()
    let hashes = ids.map { key.hash($0) }
    return try database.write { db in
      guard try db.fetchValue(Bool.self, sql: "SELECT 1 FROM model WHERE name = ?", arguments: [model]) == true else {
        throw try self.unknownModel(db, model)
      }
      if let clientRequestID,
        let existing = try db.fetchOne(
          sql: "SELECT * FROM deletion_request WHERE model_name = ? AND client_request_id = ?",
          arguments: [model, clientRequestID])
      {
        let earlier = try JSONDecoder().decode([String].self, from: Data((try existing["id_hashes"] as String).utf8))
        guard Set(earlier) == Set(hashes) else {
          throw StoreError(
            .requestIDReused,
            "request id '\(clientRequestID)' was already used for other ids on model \(model): "
              + "use a new request id for a different request")
        }
        let request = try DeletionRequest(row: existing, key: key)
        guard request.status == .failed else { return request }
        // A failed request runs again when its client sends it again (its raw ids were cleared).
        try db.execute(
          sql: """
            UPDATE deletion_request SET status = 'queued', error = NULL, finished_at = NULL, started_at = NULL,
              owner = NULL, lease_expires_at = NULL, attempts = 0, not_before = NULL
            WHERE id = ?
            """, arguments: [request.id])
        try storeIDs(ids, of: request.id, db: db)
        try AuditLog.append(
          db, at: self.now, event: "request resubmitted", model: model, requestID: request.id,
          details: ["ids": String(ids.count)])
        return try self.request(db, id: request.id)
      }
      let absent = ids.count - (try self.remaining(ids, of: model, db: db).count)
      let id = UUID().uuidString.lowercased()
      let at = self.now
      let hashesJSON = try Self.json(hashes)
      if absent > 0 {
        let reason =
          "\(absent) of \(ids.count) ids are not in model \(model)'s training samples "
          + "(never trained on, already forgotten, or not erasable by its strategy)"
        try db.execute(
          sql: """
            INSERT INTO deletion_request(id, model_name, client_request_id, id_hashes, id_count, requester,
              status, received_at, finished_at, error)
            VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?)
            """,
          arguments: [id, model, clientRequestID, hashesJSON, ids.count, requester, at, at, reason])
        try AuditLog.append(
          db, at: at, event: "request rejected", model: model, requestID: id,
          details: ["ids": String(ids.count), "absent": String(absent), "id_hashes": hashes.joined(separator: ",")])
      } else {
        try db.execute(
          sql: """
            INSERT INTO deletion_request(id, model_name, client_request_id, id_hashes, id_count, requester,
              status, received_at)
            VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)
            """,
          arguments: [id, model, clientRequestID, hashesJSON, ids.count, requester, at])
        try storeIDs(ids, of: id, db: db)
        try AuditLog.append(
          db, at: at, event: "request received", model: model, requestID: id,
          details: ["ids": String(ids.count), "id_hashes": hashes.joined(separator: ",")])
      }
      return try self.request(db, id: id)
    }
  }

  /// Keeps a queued request's raw ids until it ends (`request_ids`; `dropIDs` deletes them then).
  private func storeIDs(_ ids: [SampleID], of request: String, db: any StoreConnection) throws {
    try db.execute(
      sql: """
        INSERT INTO request_ids(request_id, sample_ids) VALUES (?, ?)
        ON CONFLICT(request_id) DO UPDATE SET sample_ids = excluded.sample_ids
        """, arguments: [request, try Self.json(ids.map(\.rawValue))])
  }

  /// Deletes a request's raw ids when it ends (done or failed): the store keeps only their hashes.
  func dropIDs(of request: String, db: any StoreConnection) throws {
    try db.execute(sql: "DELETE FROM request_ids WHERE request_id = ?", arguments: [request])
  }

  /// The ids among `ids` that `model` still holds and can erase (its `sample` rows), in order.
  func remaining(_ ids: [SampleID], of model: String, db: any StoreConnection) throws -> [SampleID] {
    let datasetID = try db.fetchValue(
      Int64.self, sql: "SELECT dataset_id FROM model WHERE name = ?", arguments: [model])!
    return try ids.filter {
      try db.fetchValue(
        Bool.self, sql: "SELECT 1 FROM sample WHERE dataset_id = ? AND sample_id = ?",
        arguments: [datasetID, $0.rawValue]) == true
    }
  }

  /// Why `id` cannot be a sample id in a request, or nil when it can.
  static func problem(with id: SampleID) -> String? {
    let bytes = id.rawValue.utf8.count
    if bytes == 0 { return "is empty" }
    if bytes > maximumIDBytes { return "is \(bytes) bytes long; ids are at most \(maximumIDBytes) bytes" }
    if id.rawValue.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
      return "holds a control character (NUL, tab, newline, ...); ids are printable text"
    }
    return nil
  }

  /// A forget error's text without the ids it names (for anything stored or logged).
  static func redacted(_ error: any Error, ids: [SampleID]) -> String {
    if let error = error as? ForgetError {
      switch error.code {
      case .emptyRequest: return "the request names no sample ids"
      case .duplicateID: return "an id appears twice in the request; name each sample once"
      case .wouldEmptyTrainingSet: return "the request would leave no training samples"
      default: return "\(error.code) for \(error.ids.count) id(s) of the request"
      }
    }
    var text = String(describing: error)
    for id in ids where !id.rawValue.isEmpty { text = text.replacingOccurrences(of: id.rawValue, with: "<id>") }
    return text
  }

  static func json(_ strings: [String]) throws -> String {
    String(decoding: try JSONEncoder().encode(strings), as: UTF8.self)
  }

  func request(_ db: any StoreConnection, id: String) throws -> DeletionRequest {
    guard let row = try db.fetchOne(sql: "SELECT * FROM deletion_request WHERE id = ?", arguments: [id]) else {
      throw StoreError(.unknownRequest, "no deletion request '\(id)' in \(self.path)")
    }
    return try DeletionRequest(row: row, key: key)
  }

  public func request(id: String) throws -> DeletionRequest {
    try database.read { db in try self.request(db, id: id) }
  }

  /// How many requests the store holds in each status (all models).
  public func requestCounts() throws -> [DeletionRequest.Status: Int] {
    try database.read { db in
      var counts: [DeletionRequest.Status: Int] = [:]
      for row in try db.fetchAll(sql: "SELECT status, COUNT(*) AS n FROM deletion_request GROUP BY status") {
        if let status = DeletionRequest.Status(rawValue: try row["status"]) { counts[status] = try row["n"] }
      }
      return counts
    }
  }

  /// The `limit` most recently received requests, newest first.
  public func recentRequests(limit: Int) throws -> [DeletionRequest] {
    try database.read { db in
      try db.fetchAll(
        sql: "SELECT * FROM deletion_request ORDER BY received_at DESC, rowid DESC LIMIT ?",
        arguments: [max(limit, 0)]
      ).map { try DeletionRequest(row: $0, key: self.key) }
    }
  }

  /// Requests, oldest first, for one model or all.
  public func requests(model: String? = nil) throws -> [DeletionRequest] {
    try database.read { db in
      let rows =
        try model.map {
          try db.fetchAll(
            sql: "SELECT * FROM deletion_request WHERE model_name = ? ORDER BY received_at, rowid",
            arguments: [$0])
        } ?? db.fetchAll(sql: "SELECT * FROM deletion_request ORDER BY received_at, rowid")
      return try rows.map { try DeletionRequest(row: $0, key: self.key) }
    }
  }

}
