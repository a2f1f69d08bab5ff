import Foundation
import Synchronization

/// Whether the service can do its job, as `/healthz` reports it: `degraded` with the reason while
/// the last attempt to write the store (a submission, or an execution pass) failed, `ok` again once
/// one succeeds.
public final class ServiceHealth: Sendable {
  public struct Status: Sendable, Codable, Equatable {
    public let status: String
    public let reason: String?
    /// When the reason was last seen (ISO 8601), if degraded.
    public let since: String?
  }

  private let failure = Mutex<(reason: String, at: Date)?>(nil)

  public init() {}

  /// Records that writing the store failed, and why (no sample ids in `reason`).
  public func recordFailure(_ reason: String) {
    failure.withLock { $0 = (reason, Date()) }
  }

  /// Records that writing the store worked.
  public func recordSuccess() {
    failure.withLock { $0 = nil }
  }

  public var status: Status {
    failure.withLock { failure in
      guard let failure else { return Status(status: "ok", reason: nil, since: nil) }
      return Status(
        status: "degraded", reason: failure.reason,
        since: failure.at.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
  }
}
