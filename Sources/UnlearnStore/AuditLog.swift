import Foundation
import UnlearnCore
import UnlearnData

/// One audit-log entry. `hash` = SHA-256 over the entry's fields and `previousHash`, so changing,
/// inserting or deleting any entry breaks the chain from there on (`AuditLog.verify`). Details
/// hold counts, versions, decisions and salted hashes of sample ids — never raw ids or features.
public struct AuditEntry: Sendable, Codable, Equatable {
  public let seq: Int64
  public let at: String
  public let event: String
  public let model: String?
  public let requestID: String?
  /// A JSON object with sorted keys.
  public let details: String
  public let previousHash: String
  public let hash: String

  enum CodingKeys: String, CodingKey {
    case seq, at, event, model, details, hash
    case requestID = "request_id"
    case previousHash = "previous_hash"
  }

  /// SHA-256 of the fields, each followed by a newline (absent ones as empty lines).
  static func digest(
    seq: Int64, at: String, event: String, model: String?, requestID: String?, details: String, previousHash: String
  ) -> String {
    var hasher = SHA256()
    for field in [String(seq), at, event, model ?? "", requestID ?? "", details, previousHash] {
      hasher.update(data: Array((field + "\n").utf8))
    }
    return FileDigest.hexadecimal(hasher.finalize())
  }

  init(
    seq: Int64, at: String, event: String, model: String?, requestID: String?, details: String, previousHash: String,
    hash: String
  ) {
    self.seq = seq
    self.at = at
    self.event = event
    self.model = model
    self.requestID = requestID
    self.details = details
    self.previousHash = previousHash
    self.hash = hash
  }

  init(row: StoreRow) throws {
    seq = try row["seq"]
    at = try row["at"]
    event = try row["event"]
    model = try row["model_name"]
    requestID = try row["request_id"]
    details = try row["details"]
    previousHash = try row["previous_hash"]
    hash = try row["hash"]
  }
}

/// The outcome of `AuditLog.verify`: how many entries were checked and the first broken one.
public struct AuditVerification: Sendable, Equatable {
  public let entries: Int
  /// The sequence number of the first entry that does not verify, and why; nil when intact.
  public let brokenAt: Int64?
  public let reason: String?

  public var isIntact: Bool { brokenAt == nil }
}

/// The append-only, hash-chained audit log (one table, `audit_log`).
enum AuditLog {
  static let genesis = String(repeating: "0", count: 64)

  /// Appends an entry after the current last one, inside the caller's transaction.
  @discardableResult
  static func append(
    _ db: any StoreConnection, at: String, event: String, model: String?, requestID: String?, details: [String: String]
  ) throws -> AuditEntry {
    let last = try db.fetchOne(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    let seq: Int64 = (try last?["seq"] ?? 0) + 1
    let previous: String = try last?["hash"] ?? genesis
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = String(decoding: try encoder.encode(details), as: UTF8.self)
    let hash = AuditEntry.digest(
      seq: seq, at: at, event: event, model: model, requestID: requestID, details: json, previousHash: previous)
    try db.execute(
      sql: """
        INSERT INTO audit_log(seq, at, event, model_name, request_id, details, previous_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [seq, at, event, model, requestID, json, previous, hash])
    return AuditEntry(
      seq: seq, at: at, event: event, model: model, requestID: requestID, details: json, previousHash: previous,
      hash: hash)
  }

  /// Walks the chain from the first entry: sequence numbers must run 1, 2, 3, …, each entry must
  /// name the previous entry's hash, and its own hash must match its fields.
  static func verify(_ db: any StoreConnection) throws -> AuditVerification {
    var previous = genesis
    var expected: Int64 = 1
    var count = 0
    var broken: AuditVerification?
    try db.forEachRow(sql: "SELECT * FROM audit_log ORDER BY seq", arguments: []) { row in
      guard broken == nil else { return }
      let entry = try AuditEntry(row: row)
      count += 1
      if entry.seq != expected {
        broken = AuditVerification(
          entries: count, brokenAt: entry.seq, reason: "expected entry \(expected) here: entries were removed")
        return
      }
      if entry.previousHash != previous {
        broken = AuditVerification(
          entries: count, brokenAt: entry.seq, reason: "its previous_hash does not match entry \(entry.seq - 1)")
        return
      }
      let recomputed = AuditEntry.digest(
        seq: entry.seq, at: entry.at, event: entry.event, model: entry.model, requestID: entry.requestID,
        details: entry.details, previousHash: entry.previousHash)
      if recomputed != entry.hash {
        broken = AuditVerification(
          entries: count, brokenAt: entry.seq, reason: "its fields do not match its hash: the row was changed")
        return
      }
      previous = entry.hash
      expected += 1
    }
    return broken ?? AuditVerification(entries: count, brokenAt: nil, reason: nil)
  }
}
