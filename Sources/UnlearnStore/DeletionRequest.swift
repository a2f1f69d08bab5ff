import Foundation
import Unlearning

/// A deletion request as the store keeps it: accepted (queued) before any work starts, then
/// running, then done or failed; rejected at submission when it cannot be executed.
public struct DeletionRequest: Sendable, Codable, Equatable {
  public enum Status: String, Sendable, Codable, CaseIterable {
    case queued, running, done, failed, rejected
  }

  public let id: String
  public let model: String
  public let clientRequestID: String?
  public let idCount: Int
  public let requester: String?
  public let status: Status
  public let receivedAt: String
  public let startedAt: String?
  public let finishedAt: String?
  public let report: ForgetReport?
  public let receipt: DeletionReceipt?
  public let error: String?

  enum CodingKeys: String, CodingKey {
    case id, model, requester, status, report, receipt, error
    case clientRequestID = "request_id"
    case idCount = "id_count"
    case receivedAt = "received_at"
    case startedAt = "started_at"
    case finishedAt = "finished_at"
  }

  /// The request in `row`; its receipt's signed document unsealed with `key` (`StoredReceipt`).
  init(row: StoreRow, key: StoreKey?) throws {
    id = try row["id"]
    model = try row["model_name"]
    clientRequestID = try row["client_request_id"]
    idCount = try row["id_count"]
    requester = try row["requester"]
    let statusText: String = try row["status"]
    guard let status = Status(rawValue: statusText) else {
      throw StoreError(.corrupted, "request \(id) has an unknown status '\(statusText)'")
    }
    self.status = status
    receivedAt = try row["received_at"]
    startedAt = try row["started_at"]
    finishedAt = try row["finished_at"]
    let decoder = JSONDecoder()
    report = try (row["report"] as String?).map { try decoder.decode(ForgetReport.self, from: Data($0.utf8)) }
    receipt = try (row["receipt"] as String?).map { try StoredReceipt.receipt(from: $0, key: key) }
    error = try row["error"]
  }
}

/// What a done request leaves as proof: what was decided and why, the model versions before and
/// after, when, and the hash of the audit entry that records it.
public struct DeletionReceipt: Sendable, Codable, Equatable {
  public let requestID: String
  public let model: String
  /// "exact" (the model could have been trained without the samples) or "approximate".
  public let decision: String
  public let reason: String
  public let versionBefore: Int
  public let versionAfter: Int
  public let finishedAt: String
  public let auditEntryHash: String
  /// Whether the model's feature scaling still depends on the erased samples: "refitted", "kept"
  /// (until the next retraining) or "independent" (`ForgetReport.FeatureScalingOutcome`); absent in
  /// receipts written before it was recorded.
  public var featureScaling: String? = nil
  /// The receipt as a signed document anyone can check offline with the store's public key
  /// (`SignedReceipt`); absent when the store has no signing key (stores made before it existed).
  public var signed: SignedReceipt? = nil

  enum CodingKeys: String, CodingKey {
    case model, decision, reason, signed
    case featureScaling = "feature_scaling"
    case requestID = "request_id"
    case versionBefore = "version_before"
    case versionAfter = "version_after"
    case finishedAt = "finished_at"
    case auditEntryHash = "audit_entry_hash"
  }
}

/// A model as the store serves it.
public struct ModelSummary: Sendable, Codable, Equatable {
  public let name: String
  public let strategy: String
  public let version: Int
  /// False once an approximate removal was applied since the last exact (re)training.
  public let exact: Bool
  public let remainingSamples: Int
  public let pendingRequests: Int
  /// Figures of the last forget report (certified budget spent and left, ...), if any.
  public let lastFigures: [String: Double]

  enum CodingKeys: String, CodingKey {
    case name, strategy, version, exact
    case remainingSamples = "remaining_samples"
    case pendingRequests = "pending_requests"
    case lastFigures = "last_figures"
  }
}
